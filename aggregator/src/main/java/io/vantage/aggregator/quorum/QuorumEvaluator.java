package io.vantage.aggregator.quorum;

import io.vantage.wire.target.QuorumSpec;
import java.time.Duration;

/**
 * The verdict rules (docs/architecture.md, "The verdict"), as a pure function.
 * <ul>
 * <li>Fresh vantage points are those whose latest result is younger than the freshness window; the
 * configured vantage points that are not fresh (never heard since start, or stale) are missing.</li>
 * <li>Fewer than {@code minVantages} fresh: INSUFFICIENT_DATA, at once (fail static: publish nothing).</li>
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
    private QuorumEvaluator() {}

    /**
     * {@code vantages}: the target's vantage points (never heard ones included); {@code configured}: how many could vote
     * on this target.
     */
    public static Evaluation evaluate(
            QuorumSpec quorum,
            Duration freshness,
            Vantage[] vantages,
            int configured,
            VerdictState previous,
            long now) {
        long freshnessMillis = freshness.toMillis();
        int fresh = 0;
        int healthy = 0;
        int heard = 0;
        int measured = 0;
        long newestInput = Long.MIN_VALUE;
        double[] latencies = new double[vantages.length];
        for (Vantage vantage : vantages) {
            long observedAt = vantage.observedAt();
            if (observedAt == Vantage.NEVER) {
                continue;
            }
            heard++;
            if (isFresh(observedAt, now, freshnessMillis)) {
                fresh++;
                if (vantage.vote()) {
                    healthy++;
                }
                double total = vantage.totalSeconds();
                if (!Double.isNaN(total)) {
                    latencies[measured++] = total * 1000;
                }
                newestInput = Math.max(newestInput, observedAt);
            }
        }
        int stale = heard - fresh;
        int missing = Math.max(0, configured - fresh);
        Verdict raw = fresh < quorum.minVantages()
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
        java.util.Arrays.sort(latencies, 0, measured);
        return new Evaluation(
                next,
                raw,
                healthy,
                fresh,
                stale,
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
