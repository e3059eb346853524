package io.vantage.aggregator.cloudwatch;

import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.status.StatusSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * What each evaluation round says in CloudWatch's terms. {@code Healthy} is omitted while a target has
 * insufficient data: the alarm then sees missing data, and Route 53 keeps the last known status.
 */
public final class Datums {
    private Datums() {}

    public static List<Datum> of(StatusSnapshot snapshot) {
        List<Datum> datums = new ArrayList<>(snapshot.targets().size() * 5);
        for (StatusSnapshot.TargetStatus target : snapshot.targets()) {
            Verdict verdict = Verdict.valueOf(target.verdict());
            if (verdict != Verdict.INSUFFICIENT_DATA) {
                datums.add(new Datum("Healthy", target.name(), verdict == Verdict.HEALTHY ? 1 : 0, "None"));
            }
            datums.add(new Datum("HealthyVantages", target.name(), target.healthyVantages(), "Count"));
            datums.add(new Datum("ReportingVantages", target.name(), target.reportingVantages(), "Count"));
            if (target.latencyP50Ms() != null) {
                datums.add(new Datum("LatencyP50", target.name(), target.latencyP50Ms(), "Milliseconds"));
                datums.add(new Datum("LatencyP90", target.name(), target.latencyP90Ms(), "Milliseconds"));
            }
        }
        return datums;
    }
}
