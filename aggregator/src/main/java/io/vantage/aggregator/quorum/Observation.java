package io.vantage.aggregator.quorum;

import io.vantage.wire.report.ProbeResult;

/**
 * One vantage point's latest result for a target, as the aggregator keeps it. {@code observedAt} is when
 * the probe ran on the aggregator's clock: the time the batch arrived minus how old the agent said the
 * result was when it sent it. An agent's clock offset therefore cancels out, and a result that was
 * delivered late counts as old.
 */
public record Observation(String agentId, String region, ProbeResult result, long observedAt) {
    public boolean healthy() {
        return result.success();
    }
}
