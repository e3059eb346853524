package io.vantage.aggregator.quorum;

import io.vantage.wire.target.QuorumSpec;
import java.time.Duration;
import java.util.Arrays;

/**
 * The verdict rules (docs/architecture.md, "The verdict"), as a pure function.
 * <ul>
 * <li>A vantage point's vote is made from its members' readings ({@link Vantage#vote}). Fresh vantage points are
 * those with a reading younger than the freshness window; the configured vantage points that are not fresh (never
 * heard since start, or stale) are missing. An unhealthy vote of a blind member ({@link BlindAgents}) is set aside: a
 * vantage point whose every fresh vote is set aside counts as missing. Members never count: a quorum counts vantage
 * points however many processes each runs.</li>
 * <li>Fate sharing: a vantage point in the target's own region that has been missing (or blind) for
 * {@code regionLostAfter} while every fresh vote is unhealthy is taken as lost with its region, and counts as an
 * unhealthy vote. An agent restarting (missing for seconds), or missing while another vantage point sees the
 * endpoint healthy, is never taken as lost.</li>
 * <li>Fewer than {@code minVantages} votes: INSUFFICIENT_DATA, at once (fail static: publish nothing).</li>
 * <li>HEALTHY if at least {@code healthy} fresh votes are healthy.</li>
 * <li>UNHEALTHY only when decisive: even if every missing vantage point voted healthy, fewer than
 * {@code healthy} would be. Otherwise the missing ones could overturn it, and the verdict is INSUFFICIENT_DATA
 * (nothing published, so Route 53 keeps what it had): agents rejoining one by one beside a blind one must
 * never fail a healthy endpoint over.</li>
 * <li>The published verdict moves to HEALTHY only after {@code rise} consecutive HEALTHY rounds, to UNHEALTHY
 * only after {@code fall} consecutive UNHEALTHY rounds. A round is an evaluation that saw new data (a result
 * newer than the last counted one): re-evaluating the same results every second must not count as agreement.</li>
 * </ul>
 */
public final class QuorumEvaluator {
    /**
     * What a round knows beyond one target's vantage points, by vantage index (the agents' config order):
     * {@code colocated[i]} when agent i serves from the target's region (empty: the target names no region);
     * {@code blindSince[c]}, since when the member in column c is blind ({@link BlindAgents#NOT_BLIND} when it is not;
     * empty: none is), where vantage point i's members are columns {@code offsets[i]} on (empty offsets: one member
     * each, column i); {@code startedAt}, since when the aggregator could have heard from an agent it never heard from;
     * {@code seeing[i]} when vantage point i votes healthy for some target ({@link BlindAgents#seeing}; empty: every
     * one does); {@code placed[i]} when the target is placed at agent i (its probeFrom; empty: placed at every agent).
     * A vantage point the target is not placed at is skipped: neither fresh, missing, lost nor blind for it, and not
     * among the {@code configured} ones.
     */
    public record Fleet(
            boolean[] colocated, long[] blindSince, int[] offsets, long startedAt, boolean[] seeing, boolean[] placed) {
        public static final Fleet NONE =
                new Fleet(new boolean[0], new long[0], new int[0], Long.MIN_VALUE, new boolean[0], new boolean[0]);

        /** One member per vantage point, without knowing which agents see: each is taken to. */
        public Fleet(boolean[] colocated, long[] blindSince, long startedAt) {
            this(colocated, blindSince, new int[0], startedAt, new boolean[0], new boolean[0]);
        }

        /** Placed at every agent. */
        public Fleet(boolean[] colocated, long[] blindSince, int[] offsets, long startedAt, boolean[] seeing) {
            this(colocated, blindSince, offsets, startedAt, seeing, new boolean[0]);
        }

        boolean placed(int vantage) {
            return vantage >= placed.length || placed[vantage];
        }

        boolean colocated(int vantage) {
            return vantage < colocated.length && colocated[vantage];
        }

        boolean sees(int vantage) {
            return vantage >= seeing.length || seeing[vantage];
        }

        int offset(int vantage) {
            return vantage < offsets.length ? offsets[vantage] : vantage;
        }
    }

    private QuorumEvaluator() {}

    /** Without regions or blind agents: the decisive quorum alone. */
    public static Evaluation evaluate(
            QuorumSpec quorum,
            Duration freshness,
            Vantage[] vantages,
            int configured,
            VerdictState previous,
            long now) {
        return evaluate(quorum, freshness, vantages, configured, Fleet.NONE, previous, now);
    }

    /**
     * {@code vantages}: the target's vantage points (never heard ones included); {@code configured}: how many could vote
     * on this target (those it is placed at).
     */
    public static Evaluation evaluate(
            QuorumSpec quorum,
            Duration freshness,
            Vantage[] vantages,
            int configured,
            Fleet fleet,
            VerdictState previous,
            long now) {
        long freshnessMillis = freshness.toMillis();
        long lostAfter = quorum.regionLostAfter().toMillis();
        int fresh = 0;
        int healthy = 0;
        int heard = 0;
        int measured = 0;
        int setAside = 0;
        int absentColocated = 0; // in the target's region, missing or blind for regionLostAfter
        boolean witnessSees = false; // a fresh unhealthy vote from an agent that sees some other target healthy
        long newestInput = Long.MIN_VALUE;
        double[] latencies = new double[vantages.length];
        for (int i = 0; i < vantages.length; i++) {
            if (!fleet.placed(i)) {
                continue; // not asked to probe this target: a result from it (an old target list) counts for nothing
            }
            Vantage.Vote vote = vantages[i].vote(now, freshnessMillis, fleet.blindSince(), fleet.offset(i));
            long absentSince = switch (vote.state()) {
                case NEVER -> fleet.startedAt();
                case STALE -> vote.observedAt();
                case BLIND -> vote.blindSince();
                case FRESH -> Long.MIN_VALUE;
            };
            if (vote.state() != Vantage.State.NEVER) {
                heard++;
            }
            if (vote.state() == Vantage.State.BLIND) {
                setAside++;
                newestInput = Math.max(newestInput, vote.observedAt());
            } else if (vote.state() == Vantage.State.FRESH) {
                fresh++;
                if (vote.healthy()) {
                    healthy++;
                } else if (fleet.sees(i)) {
                    witnessSees = true;
                }
                if (!Double.isNaN(vote.totalSeconds())) {
                    latencies[measured++] = vote.totalSeconds() * 1000;
                }
                newestInput = Math.max(newestInput, vote.observedAt());
                continue;
            }
            if (fleet.colocated(i) && now - absentSince >= lostAfter) {
                absentColocated++;
            }
        }
        int stale = heard - fresh - setAside;
        // Lost with its region only while every fresh vote says the endpoint is down, one of them from an agent that
        // sees other targets (its own network works): one healthy vote anywhere, no vote at all, or only agents that
        // see nothing, and the absent agent is just absent.
        int lost = fresh > 0 && healthy == 0 && witnessSees ? absentColocated : 0;
        int votes = fresh + lost;
        int missing = Math.max(0, configured - votes);
        Verdict raw = votes < quorum.minVantages()
                ? Verdict.INSUFFICIENT_DATA
                : healthy >= quorum.healthy()
                        ? Verdict.HEALTHY
                        : healthy + missing >= quorum.healthy() ? Verdict.INSUFFICIENT_DATA : Verdict.UNHEALTHY;

        VerdictState next;
        if (raw == Verdict.INSUFFICIENT_DATA || raw == previous.published()) {
            next = raw == previous.published()
                    ? new VerdictState(
                            previous.published(),
                            previous.since(),
                            null,
                            0,
                            Math.max(previous.lastCountedInput(), newestInput))
                    : new VerdictState(raw, now, null, 0, newestInput);
        } else if (newestInput <= previous.lastCountedInput()) {
            next = previous; // nothing new since the last counted round
        } else {
            int streak = raw == previous.candidate() ? previous.streak() + 1 : 1;
            int needed = raw == Verdict.HEALTHY ? quorum.rise() : quorum.fall();
            next = streak >= needed
                    ? new VerdictState(raw, now, null, 0, newestInput)
                    : new VerdictState(previous.published(), previous.since(), raw, streak, newestInput);
        }
        Arrays.sort(latencies, 0, measured);
        return new Evaluation(
                next,
                raw,
                healthy,
                fresh,
                stale,
                setAside,
                lost,
                percentile(latencies, measured, 0.5),
                percentile(latencies, measured, 0.9),
                now,
                next.published() != previous.published());
    }

    /**
     * The freshness rule, for every reader of a vantage point's age: fresh while younger than the window, so a result
     * exactly the window old is stale.
     */
    public static boolean isFresh(long observedAt, long now, long freshnessMillis) {
        return now - observedAt < freshnessMillis;
    }

    /** Nearest-rank percentile of the first {@code count} of {@code sorted}; NaN when there are none. */
    private static double percentile(double[] sorted, int count, double quantile) {
        if (count == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(quantile * count);
        return sorted[Math.max(0, rank - 1)];
    }
}
