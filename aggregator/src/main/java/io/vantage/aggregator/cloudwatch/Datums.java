package io.vantage.aggregator.cloudwatch;

import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.round.Round;
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

    /** The round's datums; a target in a drill is published as {@code Healthy=0} whatever its verdict. */
    public static List<Datum> of(Round round) {
        List<TargetSpec> targets = round.targets();
        List<Datum> datums = new ArrayList<>(targets.size() * CloudWatchContract.METRICS.size());
        for (int i = 0; i < targets.size(); i++) {
            String target = targets.get(i).name();
            Evaluation evaluation = round.evaluations().get(i);
            Verdict verdict = round.published(i);
            switch (verdict) {
                case HEALTHY ->
                    datums.add(new Datum(CloudWatchContract.HEALTHY, target, 1, CloudWatchContract.UNIT_NONE));
                case UNHEALTHY ->
                    datums.add(new Datum(CloudWatchContract.HEALTHY, target, 0, CloudWatchContract.UNIT_NONE));
                case INSUFFICIENT_DATA -> {}
            }
            datums.add(new Datum(
                    CloudWatchContract.HEALTHY_VANTAGES, target, evaluation.healthy(), CloudWatchContract.UNIT_COUNT));
            datums.add(new Datum(
                    CloudWatchContract.REPORTING_VANTAGES, target, evaluation.fresh(), CloudWatchContract.UNIT_COUNT));
            if (evaluation.measuredLatency()) {
                datums.add(new Datum(
                        CloudWatchContract.LATENCY_P50,
                        target,
                        evaluation.latencyP50Ms(),
                        CloudWatchContract.UNIT_MILLISECONDS));
                datums.add(new Datum(
                        CloudWatchContract.LATENCY_P90,
                        target,
                        evaluation.latencyP90Ms(),
                        CloudWatchContract.UNIT_MILLISECONDS));
            }
        }
        return datums;
    }
}
