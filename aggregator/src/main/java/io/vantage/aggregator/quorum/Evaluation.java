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

    /** Total probe time of the fresh results, in milliseconds, sorted: the latency this round measured. */
    public double[] freshLatenciesMillis() {
        double[] latencies = new double[observations.size()];
        int measured = 0;
        for (Observation observation : observations) {
            Double total = observation.result().timings().total();
            if (isFresh(observation) && total != null) {
                latencies[measured++] = total * 1000;
            }
        }
        double[] sorted = java.util.Arrays.copyOf(latencies, measured);
        java.util.Arrays.sort(sorted);
        return sorted;
    }

    /** Nearest-rank percentile of {@link #freshLatenciesMillis()}; null when nothing fresh was measured. */
    public static Double percentile(double[] sorted, double quantile) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
