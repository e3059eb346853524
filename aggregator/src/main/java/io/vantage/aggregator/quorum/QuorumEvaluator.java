package io.vantage.aggregator.quorum;

import io.vantage.wire.target.QuorumSpec;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

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

    /** {@code configured}: the vantage points (agents) that could vote on this target. */
    public static Evaluation evaluate(
            QuorumSpec quorum,
            Duration freshness,
            Collection<Observation> observations,
            int configured,
            VerdictState previous,
            long now) {
        List<Observation> all = List.copyOf(observations);
        long freshnessMillis = freshness.toMillis();
        int fresh = 0;
        int healthy = 0;
        long newestInput = Long.MIN_VALUE;
        for (Observation observation : all) {
            if (now - observation.observedAt() < freshnessMillis) {
                fresh++;
                if (observation.healthy()) {
                    healthy++;
                }
                newestInput = Math.max(newestInput, observation.observedAt());
            }
        }
        int stale = all.size() - fresh;
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
        return new Evaluation(
                next, raw, healthy, fresh, stale, all, freshnessMillis, now, next.published() != previous.published());
    }
}
