package io.vantage.aggregator.quorum;

import io.vantage.wire.target.QuorumSpec;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * DESIGN.md's verdict rules, as a pure function.
 * <ul>
 * <li>Fresh vantage points are those whose latest result is younger than the freshness window.</li>
 * <li>Fewer than {@code minVantages} fresh: INSUFFICIENT_DATA, at once (fail static: publish nothing).</li>
 * <li>Otherwise HEALTHY if at least {@code healthy} fresh results are healthy, else UNHEALTHY.</li>
 * <li>The published verdict moves to HEALTHY only after {@code rise} consecutive HEALTHY rounds, to UNHEALTHY
 * only after {@code fall} consecutive UNHEALTHY rounds. A round is an evaluation that saw new data (a result
 * newer than the last counted one): re-evaluating the same results every second must not count as agreement.</li>
 * </ul>
 */
public final class QuorumEvaluator {
    private QuorumEvaluator() {}

    public static Evaluation evaluate(QuorumSpec quorum, Duration freshness, Collection<Observation> observations,
            VerdictState previous, long now) {
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
        Verdict raw = fresh < quorum.minVantages() ? Verdict.INSUFFICIENT_DATA
                : healthy >= quorum.healthy() ? Verdict.HEALTHY : Verdict.UNHEALTHY;

        VerdictState next;
        if (raw == Verdict.INSUFFICIENT_DATA || raw == previous.published()) {
            next = raw == previous.published()
                    ? new VerdictState(previous.published(), previous.since(), null, 0, Math.max(previous.lastCountedInput(), newestInput))
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
        return new Evaluation(next, raw, healthy, fresh, stale, all, freshnessMillis, now, next.published() != previous.published());
    }
}
