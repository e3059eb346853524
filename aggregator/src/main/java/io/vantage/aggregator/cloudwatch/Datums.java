package io.vantage.aggregator.cloudwatch;

import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.wire.target.TargetSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * What one evaluation round says in CloudWatch's terms, straight from the round's verdicts (never from
 * status-page data). {@code Healthy} is omitted while a target has insufficient data: the alarm then sees
 * missing data, and Route 53 keeps the last known status.
 */
public final class Datums {
    private Datums() {}

    /** {@code evaluations.get(i)} is the round's evaluation of {@code targets.get(i)}. */
    public static List<Datum> of(List<TargetSpec> targets, List<Evaluation> evaluations) {
        List<Datum> datums = new ArrayList<>(targets.size() * 5);
        for (int i = 0; i < targets.size(); i++) {
            String target = targets.get(i).name();
            Evaluation evaluation = evaluations.get(i);
            Verdict verdict = evaluation.verdict();
            switch (verdict) {
                case HEALTHY -> datums.add(new Datum("Healthy", target, 1, "None"));
                case UNHEALTHY -> datums.add(new Datum("Healthy", target, 0, "None"));
                case INSUFFICIENT_DATA -> { }
            }
            datums.add(new Datum("HealthyVantages", target, evaluation.healthy(), "Count"));
            datums.add(new Datum("ReportingVantages", target, evaluation.fresh(), "Count"));
            double[] latencies = evaluation.freshLatenciesMillis();
            if (latencies.length > 0) {
                datums.add(new Datum("LatencyP50", target, Evaluation.percentile(latencies, 0.5), "Milliseconds"));
                datums.add(new Datum("LatencyP90", target, Evaluation.percentile(latencies, 0.9), "Milliseconds"));
            }
        }
        return datums;
    }
}
