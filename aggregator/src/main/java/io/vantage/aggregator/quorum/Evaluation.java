package io.vantage.aggregator.quorum;

import java.util.List;

/**
 * One evaluation of one target: the new state, what the fresh vantage points said right now (the raw
 * verdict before hysteresis), the counts, the observations it was made from (fresh and stale), and
 * whether the published verdict changed.
 */
public record Evaluation(
        VerdictState state,
        Verdict raw,
        int healthy,
        int fresh,
        int stale,
        List<Observation> observations,
        long freshnessMillis,
        long evaluatedAt,
        boolean changed) {

    public boolean isFresh(Observation observation) {
        return evaluatedAt - observation.observedAt() < freshnessMillis;
    }

    public Verdict verdict() {
        return state.published();
    }
}
