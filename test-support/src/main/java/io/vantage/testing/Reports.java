package io.vantage.testing;

import io.vantage.wire.Limits;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * A report batch as an agent sends it, built in one expression:
 * {@code Reports.from("agent-a", "us-east-1").success("api", now).failure("db", now, REFUSED, "refused").build()}. The
 * batch is sent now unless {@link #sentAt} says otherwise.
 */
public final class Reports {
    private final String agentId;
    private final String region;
    private Long sentAt;
    private final List<ProbeResult> results = new ArrayList<>();

    private Reports(String agentId, String region) {
        this.agentId = agentId;
        this.region = region;
    }

    public static Reports from(String agentId, String region) {
        return new Reports(agentId, region);
    }

    /** When the agent sent the batch, by its clock (epoch milliseconds). */
    public Reports sentAt(long epochMillis) {
        sentAt = epochMillis;
        return this;
    }

    /** A success of {@code target} probed at {@code timestamp}, with no status, timings or certificate. */
    public Reports success(String target, long timestamp) {
        return result(ProbeResult.success(target, timestamp, null, null, null));
    }

    /** A failure of {@code target} probed at {@code timestamp}. */
    public Reports failure(String target, long timestamp, FailureReason reason, String message) {
        return result(ProbeResult.failure(target, timestamp, reason, null, null, null, message));
    }

    public Reports result(ProbeResult result) {
        results.add(result);
        return this;
    }

    public Reports results(List<ProbeResult> more) {
        results.addAll(more);
        return this;
    }

    public ReportBatch build() {
        return new ReportBatch(
                Limits.WIRE_VERSION, agentId, region, sentAt != null ? sentAt : System.currentTimeMillis(), results);
    }
}
