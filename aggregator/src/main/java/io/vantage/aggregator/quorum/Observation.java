package io.vantage.aggregator.quorum;

import io.vantage.wire.report.FailureReason;
import java.util.List;

/**
 * A copy of one vantage point's latest result for a target, taken from its {@link Vantage} for the status page, logs
 * and observed routing. {@code healthy} is its vote; {@code success}, {@code reason}, {@code statusCode}, {@code
 * totalSeconds}, {@code message}, {@code answers}, {@code cnames} (the CNAME chain to them) and {@code address} (what
 * the probe connected to) describe the latest result itself.
 */
public record Observation(
        String agentId,
        String region,
        long observedAt,
        boolean healthy,
        boolean success,
        FailureReason reason,
        Integer statusCode,
        Double totalSeconds,
        String message,
        List<String> answers,
        List<String> cnames,
        String address) {}
