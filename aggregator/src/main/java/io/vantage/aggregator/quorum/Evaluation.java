package io.vantage.aggregator.quorum;

/**
 * One evaluation of one target: the new state, what the fresh vantage points said right now (the raw verdict before
 * hysteresis), the counts, the latency the fresh results measured (nearest-rank p50 and p90 of their total probe time
 * in milliseconds, NaN when none was measured), and whether the published verdict changed. {@code setAside}: unhealthy
 * votes of blind agents, not counted; {@code lost}: vantage points in the target's region taken as lost with it, counted
 * as unhealthy votes. It holds no result: a round's evaluations stay small whatever the fleet.
 */
public record Evaluation(
        VerdictState state,
        Verdict raw,
        int healthy,
        int fresh,
        int stale,
        int setAside,
        int lost,
        double latencyP50Ms,
        double latencyP90Ms,
        long evaluatedAt,
        boolean changed) {

    public Verdict verdict() {
        return state.published();
    }

    /** Whether any fresh result measured a latency. */
    public boolean measuredLatency() {
        return !Double.isNaN(latencyP50Ms);
    }
}
