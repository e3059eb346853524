package io.vantage.aggregator.quorum;

import java.util.List;

/**
 * One evaluation of one target: the new state, what the fresh vantage points said right now (the raw
 * verdict before hysteresis), the counts, and whether the published verdict changed.
 */
public record Evaluation(
        VerdictState state,
        Verdict raw,
        int healthy,
        int fresh,
        int stale,
        List<Observation> freshObservations,
        boolean changed) {

    public Verdict verdict() {
        return state.published();
    }
}
