package io.vantage.aggregator.quorum;

import io.vantage.wire.report.ProbeResult;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One vantage point's results for one target: the latest {@link Reading} of each of its members (the processes that
 * report as one {@code agents:} entry), by seat. A seat is a member's place in its vantage point
 * (the members package), so a vantage point holds at most as many readings per target as it may
 * have members; a reading is allocated when a member first reports the target and then overwritten in place.
 *
 * <p>The vantage point's vote on the target ({@link #vote}) is made from its fresh members' readings: healthy when at
 * least half of them vote healthy. A tie is healthy: one member seeing the endpoint answer from that region shows it
 * does; a split inside one region points at one member's own path (its node, its NAT), and a health checker must not
 * turn a member's weakness into a failover. An unhealthy vote of a blind member ({@link BlindAgents}) is set aside;
 * a vantage point whose every fresh vote is set aside is blind.
 */
public final class Vantage {
    /** Never heard: older than any probe. */
    public static final long NEVER = Reading.NEVER;

    /** What a vantage point says on a target as of one round. */
    public enum State {
        /** No member ever reported the target. */
        NEVER,
        /** Its newest reading is older than the freshness window. */
        STALE,
        /** Fresh readings, all of them unhealthy votes of blind members: set aside. */
        BLIND,
        /** At least one fresh reading counts. */
        FRESH
    }

    /**
     * A vantage point's vote on one target as of {@code now}. {@code observedAt}: its newest counted reading (FRESH), its
     * newest set-aside one (BLIND), its newest one (STALE), {@link #NEVER}; {@code healthy}: the vote (FRESH only);
     * {@code members}: fresh readings counted; {@code totalSeconds}: the newest counted reading's probe time (NaN:
     * none); {@code blindSince}: since when its blind members are blind (BLIND only).
     */
    public record Vote(
            State state, long observedAt, boolean healthy, int members, double totalSeconds, long blindSince) {
        static final Vote NEVER_HEARD = new Vote(State.NEVER, NEVER, false, 0, Double.NaN, BlindAgents.NOT_BLIND);
    }

    /**
     * The first seat's reading, allocated with the vantage point (when a config loads, target by target): the
     * evaluator walks every target's vantage points each round, and readings laid out beside their vantage points
     * are read from a few cache lines rather than from wherever ingest happened to allocate them.
     */
    private final Reading first;
    /** The other seats' readings, allocated when their member first reports the target; null for one seat. */
    private final AtomicReferenceArray<Reading> others;
    /**
     * The seats that ever offered a result, one bit each (at most 64 members): rounds walk these only, not every seat
     * a vantage point may have (eight by default, usually two reporting a target).
     */
    private volatile long occupied;

    /** A vantage point with one member. */
    public Vantage() {
        this(1);
    }

    public Vantage(int seats) {
        this(new Reading(), seats > 1 ? new AtomicReferenceArray<>(seats - 1) : null, 0);
    }

    private Vantage(Reading first, AtomicReferenceArray<Reading> others, long occupied) {
        this.first = first;
        this.others = others;
        this.occupied = occupied;
    }

    /** How many members this vantage point holds readings for. */
    public int seats() {
        return others == null ? 1 : others.length() + 1;
    }

    /** The seats whose member reported the target, one bit each: iterate them with {@link Long#numberOfTrailingZeros}. */
    public long occupied() {
        return occupied;
    }

    /** The reading of the member in {@code seat}, null (or never offered a result) when it never reported the target. */
    public Reading reading(int seat) {
        return seat == 0 ? first : others.get(seat - 1);
    }

    /** {@link Reading#offer} on the reading of the member in {@code seat}; returns whether the result was kept. */
    public boolean offer(int seat, ProbeResult result, long observedAt, int confirm) {
        Reading reading = reading(seat);
        if (reading == null) {
            others.compareAndSet(seat - 1, null, new Reading());
            reading = others.get(seat - 1);
        }
        if ((occupied & (1L << seat)) == 0) {
            synchronized (this) {
                occupied |= 1L << seat;
            }
        }
        return reading.offer(result, observedAt, confirm);
    }

    /** {@link #offer(int, ProbeResult, long, int)} by the only member. */
    public boolean offer(ProbeResult result, long observedAt, int confirm) {
        return offer(0, result, observedAt, confirm);
    }

    /** This vantage point with room for {@code size} members, keeping the readings of the seats both have. */
    public Vantage resized(int size) {
        if (size == seats()) {
            return this;
        }
        Vantage resized = new Vantage(
                first,
                size > 1 ? new AtomicReferenceArray<>(size - 1) : null,
                occupied & (size >= 64 ? -1L : (1L << size) - 1));
        for (int seat = 1; seat < Math.min(size, seats()); seat++) {
            resized.others.set(seat - 1, others.get(seat - 1));
        }
        return resized;
    }

    /**
     * The vote as of {@code now}: {@code blindSince[offset + seat]} is since when the member in {@code seat} is blind
     * ({@link BlindAgents#NOT_BLIND}: it is not; past the array's end: none is).
     */
    public Vote vote(long now, long freshnessMillis, long[] blindSince, int offset) {
        int counted = 0;
        int healthy = 0;
        long newest = NEVER;
        long newestCounted = NEVER;
        double total = Double.NaN;
        long newestSetAside = NEVER;
        long blindFrom = BlindAgents.NOT_BLIND;
        for (long seats = occupied; seats != 0; seats &= seats - 1) {
            int seat = Long.numberOfTrailingZeros(seats);
            Reading reading = reading(seat);
            long observedAt = reading.observedAt();
            if (observedAt == NEVER) {
                continue;
            }
            newest = Math.max(newest, observedAt);
            if (!QuorumEvaluator.isFresh(observedAt, now, freshnessMillis)) {
                continue;
            }
            boolean vote = reading.vote();
            int column = offset + seat;
            long blind = column < blindSince.length ? blindSince[column] : BlindAgents.NOT_BLIND;
            if (!vote && blind != BlindAgents.NOT_BLIND) {
                newestSetAside = Math.max(newestSetAside, observedAt);
                blindFrom = Math.min(blindFrom, blind);
                continue;
            }
            counted++;
            if (vote) {
                healthy++;
            }
            if (observedAt > newestCounted) {
                newestCounted = observedAt;
                total = reading.totalSeconds();
            }
        }
        if (counted > 0) {
            return new Vote(State.FRESH, newestCounted, 2 * healthy >= counted, counted, total, BlindAgents.NOT_BLIND);
        }
        if (newestSetAside != NEVER) {
            return new Vote(State.BLIND, newestSetAside, false, 0, Double.NaN, blindFrom);
        }
        if (newest != NEVER) {
            return new Vote(State.STALE, newest, false, 0, Double.NaN, BlindAgents.NOT_BLIND);
        }
        return Vote.NEVER_HEARD;
    }
}
