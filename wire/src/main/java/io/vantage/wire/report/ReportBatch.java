package io.vantage.wire.report;

import io.vantage.wire.Checks;
import io.vantage.wire.Limits;
import java.util.List;

/** Body of {@code POST /v1/reports}: the newest result per target from one agent. */
public record ReportBatch(int version, String agentId, String region, long sentAt, List<ProbeResult> results) {
    public ReportBatch {
        if (version != Limits.WIRE_VERSION) {
            throw Checks.invalid(
                    "version", "unsupported wire version " + version + "; this build speaks " + Limits.WIRE_VERSION);
        }
        Checks.name("agentId", agentId, Limits.MAX_IDENTITY_LENGTH);
        Checks.name("region", region, Limits.MAX_IDENTITY_LENGTH);
        Checks.required("results", results);
        if (results.size() > Limits.MAX_RESULTS_PER_BATCH) {
            throw Checks.invalid(
                    "results",
                    results.size() + " results exceed the limit of " + Limits.MAX_RESULTS_PER_BATCH + " per batch");
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) == null) {
                throw Checks.invalid("results[" + i + "]", "is empty");
            }
        }
        results = List.copyOf(results);
    }
}
