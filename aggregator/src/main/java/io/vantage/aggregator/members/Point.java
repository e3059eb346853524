package io.vantage.aggregator.members;

import io.vantage.wire.target.TargetSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One vantage point (an {@code agents:} entry) and its members: which process holds which seat, who takes a share of
 * the targets, and each member's share. Thread-safe: the ingest and API event loops admit members, the evaluation loop
 * ticks; every method holds this object's lock.
 *
 * <p>Seats: at most {@code bound} members report at once. A new process takes a free seat, or the seat of a member
 * gone silent, or else (every seat taken) the seat of the member heard from least recently: a restart under a new
 * instance id. The process it displaced reporting again while no seat is free means more processes report as this
 * vantage point than it may have (a copied config; replicas of an entry with {@code members: 1}): it is refused (409)
 * and the conflict is shown until a minute after its last refused request.
 *
 * <p>Shares: each target goes to the {@code perVantage} members with the highest rendezvous weight ({@link
 * Rendezvous}), all of them when fewer are in a share. A new member takes a share at once (a restart must not leave
 * a gap); a member silent for {@link #GONE_AFTER_MILLIS} leaves. A member that left and returns within ten minutes
 * (a flapping one) takes a share again only after being heard for {@link #REJOIN_AFTER_MILLIS}, so that flapping does
 * not churn assignments. When a target changes owners while a previous owner is still here, the previous owner keeps
 * probing it until every new owner has reported it (make before break).
 */
final class Point {
    /** A member not heard for this long is gone: it leaves the shares and frees its seat. */
    static final long GONE_AFTER_MILLIS = 45_000;
    /** A conflict is shown until this long after the last refused request. */
    static final long CONFLICT_SHOWN_MILLIS = 60_000;
    /** A member that left returns to a share after being heard for this long. */
    static final long REJOIN_AFTER_MILLIS = 60_000;
    /** How long a member that left is remembered as one that may flap. */
    static final long REMEMBERED_MILLIS = 600_000;

    /** When the newest reading of {@code target} by the member in {@code seat} was observed (NEVER: none). */
    public interface Readings {
        long observedAt(String agent, String target, int seat);
    }

    private static final class Member {
        final String instance;
        final long hash;
        final int seat;
        long lastSeen;
        Long lastReportAt;
        boolean sharing;
        long heardSince;
        int assigned;

        Member(String instance, int seat, long now, boolean sharing) {
            this.instance = instance;
            this.hash = Rendezvous.hash(instance);
            this.seat = seat;
            this.lastSeen = now;
            this.heardSince = now;
            this.sharing = sharing;
        }
    }

    /** Previous owners of a target that keep probing it until its new owners have reported it since {@code since}. */
    private record Handover(List<Member> keeping, List<Member> newcomers, long since) {}

    final String agent;
    final String region;
    private int bound;
    private int perVantage;
    private Member[] seats;
    private final Map<String, Member> byInstance = new HashMap<>();
    private final Map<String, Long> displaced = new LinkedHashMap<>();
    private final Map<String, Long> left = new LinkedHashMap<>();
    private long conflictUntil = Long.MIN_VALUE;

    private List<TargetSpec> targets = List.of();
    private long[] targetHashes = new long[0];
    private Member[][] owners = new Member[0][];
    private final Map<Integer, Handover> handovers = new HashMap<>();
    private boolean membershipChanged;
    /** Each member's share as of the current owners and handovers; null when they changed since. */
    private Map<Member, List<TargetSpec>> shares = null;
    /** Bumped whenever {@link #shares} is dropped: a body built from an older version is not kept. */
    private long version;
    /** Each member's share as JSON, with the version it was built from. */
    private final Map<Member, Built> bodies = new HashMap<>();

    private record Built(long version, TargetsBody body) {}

    private long moves;

    Point(String agent, String region, int bound, int perVantage) {
        this.agent = agent;
        this.region = region;
        this.bound = bound;
        this.perVantage = perVantage;
        this.seats = new Member[bound];
    }

    /** Applies a reloaded entry's bounds and its placed targets; members in seats past the new bound leave. */
    synchronized void configure(int bound, int perVantage, List<TargetSpec> targets, long now) {
        if (bound != this.bound) {
            for (int seat = bound; seat < seats.length; seat++) {
                if (seats[seat] != null) {
                    leave(seats[seat]);
                }
            }
            seats = Arrays.copyOf(seats, bound);
            this.bound = bound;
        }
        this.perVantage = perVantage;
        this.targets = List.copyOf(targets);
        this.targetHashes = targets.stream()
                .mapToLong(target -> Rendezvous.hash(target.name()))
                .toArray();
        this.owners = new Member[targets.size()][];
        handovers.clear();
        assign(now, false);
    }

    /**
     * The seat of the process {@code instance} reporting as this vantage point at {@code now}, or -1 when it is
     * refused: more processes report as it than its bound.
     */
    synchronized int admit(String instance, long now) {
        Member member = byInstance.get(instance);
        if (member != null) {
            member.lastSeen = now;
            return member.seat;
        }
        Long displacedAt = displaced.get(instance);
        boolean returning = displacedAt != null && now - displacedAt <= GONE_AFTER_MILLIS;
        int seat = freeSeat(now);
        if (seat < 0 && returning) {
            displaced.put(instance, now);
            conflictUntil = now + CONFLICT_SHOWN_MILLIS;
            return -1;
        }
        if (seat < 0) {
            Member oldest = seats[0];
            for (Member candidate : seats) {
                if (candidate.lastSeen < oldest.lastSeen) {
                    oldest = candidate;
                }
            }
            seat = oldest.seat;
            leave(oldest);
            remember(displaced, oldest.instance, now);
        }
        displaced.remove(instance);
        Long leftAt = left.remove(instance);
        boolean flapping = leftAt != null && now - leftAt < REMEMBERED_MILLIS;
        member = new Member(instance, seat, now, !flapping);
        seats[seat] = member;
        byInstance.put(instance, member);
        changed();
        if (member.sharing) {
            membershipChanged = true;
        }
        return seat;
    }

    /** The member in {@code seat} had results counted at {@code at}. */
    synchronized void reported(int seat, long at) {
        Member member = seat < seats.length ? seats[seat] : null;
        if (member != null) {
            member.lastReportAt = at;
        }
    }

    /**
     * The share of {@code instance} (admitted first): the targets it probes, as the target list's JSON with its own
     * ETag; null when it is refused. The JSON is written outside the lock (a share of 100,000 targets takes a while),
     * so call this off the event loops.
     */
    TargetsBody share(String instance, long now) {
        Member member;
        List<TargetSpec> share;
        long built;
        synchronized (this) {
            if (admit(instance, now) < 0) {
                return null;
            }
            if (membershipChanged) {
                assign(now, true);
            }
            member = byInstance.get(instance);
            Built cached = bodies.get(member);
            if (cached != null && cached.version() == version) {
                return cached.body();
            }
            share = shares().get(member);
            built = version;
        }
        TargetsBody body = TargetsBody.of(share);
        synchronized (this) {
            if (built == version) {
                bodies.put(member, new Built(built, body));
            }
        }
        return body;
    }

    /**
     * Once per round: members gone silent leave, returning ones that stayed take a share, handovers whose new owners
     * have reported end, and shares follow.
     */
    synchronized void tick(long now, Readings readings) {
        for (Member member : List.copyOf(byInstance.values())) {
            if (now - member.lastSeen > GONE_AFTER_MILLIS) {
                leave(member);
                remember(left, member.instance, now);
            } else if (!member.sharing && now - member.heardSince >= REJOIN_AFTER_MILLIS) {
                member.sharing = true;
                membershipChanged = true;
            }
        }
        displaced.values().removeIf(at -> now - at > REMEMBERED_MILLIS);
        left.values().removeIf(at -> now - at > REMEMBERED_MILLIS);
        if (membershipChanged) {
            assign(now, true);
        }
        boolean ended = false;
        for (Iterator<Map.Entry<Integer, Handover>> it = handovers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Handover> entry = it.next();
            String target = targets.get(entry.getKey()).name();
            Handover handover = entry.getValue();
            boolean reported = handover.newcomers().stream()
                    .filter(newcomer -> newcomer.sharing && byInstance.get(newcomer.instance) == newcomer)
                    .allMatch(newcomer -> readings.observedAt(agent, target, newcomer.seat) >= handover.since());
            if (reported) {
                it.remove();
                ended = true;
            }
        }
        if (ended) {
            changed();
        }
    }

    /** The members in seat order. */
    synchronized List<MemberView> members() {
        shares();
        List<MemberView> views = new ArrayList<>();
        for (Member member : seats) {
            if (member != null) {
                views.add(new MemberView(
                        member.instance,
                        member.seat,
                        member.sharing,
                        member.assigned,
                        member.lastSeen,
                        member.lastReportAt));
            }
        }
        return views;
    }

    /** The instance in {@code seat}, null when it is free. */
    synchronized String instance(int seat) {
        return seat >= 0 && seat < seats.length && seats[seat] != null ? seats[seat].instance : null;
    }

    /** Whether more processes than its bound reported as this vantage point within the last minute. */
    synchronized boolean conflicting(long now) {
        return now < conflictUntil;
    }

    /** Targets that changed owner since the start. */
    synchronized long moves() {
        return moves;
    }

    /** Placed targets no member in a share probes: every one while none is, else none. */
    synchronized int unassigned() {
        return byInstance.values().stream().anyMatch(member -> member.sharing) ? 0 : targets.size();
    }

    private int freeSeat(long now) {
        for (int seat = 0; seat < seats.length; seat++) {
            if (seats[seat] == null) {
                return seat;
            }
        }
        for (Member member : seats) {
            if (now - member.lastSeen > GONE_AFTER_MILLIS) {
                leave(member);
                remember(left, member.instance, now);
                return member.seat;
            }
        }
        return -1;
    }

    private void leave(Member member) {
        byInstance.remove(member.instance);
        seats[member.seat] = null;
        changed();
        if (member.sharing) {
            membershipChanged = true;
        }
    }

    /** Remembers {@code instance} at {@code now}, keeping at most a few times the bound. */
    private void remember(Map<String, Long> memory, String instance, long now) {
        memory.remove(instance);
        memory.put(instance, now);
        if (memory.size() > 4 * bound + 4) {
            memory.remove(memory.keySet().iterator().next());
        }
    }

    /**
     * Owners of every target from the members in a share; with {@code handOver}, a target's previous owners that are
     * still here keep it until its new owners have reported it, and each new owner of a target that had one is a move.
     */
    private void assign(long now, boolean handOver) {
        membershipChanged = false;
        changed();
        List<Member> sharing = byInstance.values().stream()
                .filter(member -> member.sharing)
                .sorted((a, b) -> Integer.compare(a.seat, b.seat))
                .toList();
        long[] hashes = sharing.stream().mapToLong(member -> member.hash).toArray();
        for (int t = 0; t < targets.size(); t++) {
            int[] picked = Rendezvous.owners(targetHashes[t], hashes, perVantage);
            Member[] next = new Member[picked.length];
            for (int i = 0; i < picked.length; i++) {
                next[i] = sharing.get(picked[i]);
            }
            Member[] previous = owners[t];
            owners[t] = next;
            if (!handOver || previous == null || previous.length == 0 || Arrays.equals(previous, next)) {
                continue;
            }
            List<Member> newcomers = new ArrayList<>();
            for (Member owner : next) {
                if (!contains(previous, owner)) {
                    newcomers.add(owner);
                }
            }
            moves += newcomers.size();
            List<Member> keeping = new ArrayList<>();
            Handover earlier = handovers.remove(t);
            if (earlier != null) {
                keeping.addAll(earlier.keeping());
            }
            for (Member owner : previous) {
                if (!keeping.contains(owner)) {
                    keeping.add(owner);
                }
            }
            keeping.removeIf(member -> contains(next, member) || byInstance.get(member.instance) != member);
            if (!keeping.isEmpty() && !newcomers.isEmpty()) {
                handovers.put(t, new Handover(List.copyOf(keeping), List.copyOf(newcomers), now));
            }
        }
    }

    /** The shares are out of date: owners, handovers or members changed. */
    private void changed() {
        shares = null;
        version++;
    }

    /** Every member's share, built in one pass over the targets when out of date. */
    private Map<Member, List<TargetSpec>> shares() {
        if (shares != null) {
            return shares;
        }
        Map<Member, List<TargetSpec>> lists = new HashMap<>();
        byInstance.values().forEach(member -> lists.put(member, new ArrayList<>()));
        for (int t = 0; t < targets.size(); t++) {
            for (Member owner : owners[t]) {
                List<TargetSpec> list = lists.get(owner);
                if (list != null) {
                    list.add(targets.get(t));
                }
            }
            Handover handover = handovers.get(t);
            if (handover != null) {
                for (Member keeper : handover.keeping()) {
                    List<TargetSpec> list = lists.get(keeper);
                    if (list != null) {
                        list.add(targets.get(t));
                    }
                }
            }
        }
        lists.forEach((member, list) -> member.assigned = list.size());
        bodies.keySet().retainAll(lists.keySet());
        shares = lists;
        return shares;
    }

    private static boolean contains(Member[] members, Member member) {
        for (Member candidate : members) {
            if (candidate == member) {
                return true;
            }
        }
        return false;
    }
}
