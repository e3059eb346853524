package io.vantage.wire.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.vantage.wire.Checks;
import io.vantage.wire.Limits;

/**
 * One probe of one target by one agent. {@code timestamp} is when the probe started (epoch millis, agent
 * clock); {@code reason} is null exactly when {@code success}; {@code message} is for humans only.
 */
public record ProbeResult(
        String target,
        long timestamp,
        boolean success,
        FailureReason reason,
        Integer statusCode,
        PhaseTimings timings,
        Long tlsNotAfter,
        String message) {

    public static final int MAX_MESSAGE_LENGTH = 256;

    public ProbeResult {
        Checks.name("target", target, Limits.MAX_TARGET_NAME_LENGTH);
        if (timestamp <= 0) {
            throw Checks.invalid("timestamp", "must be epoch milliseconds, got " + timestamp);
        }
        if (success == (reason != null)) {
            throw Checks.invalid("reason", success ? "must be absent on success" : "is required on failure");
        }
        if (statusCode != null) {
            Checks.range("statusCode", statusCode, 100, 599);
        }
        timings = timings == null ? new PhaseTimings(null, null, null, null, null) : timings;
        if (message != null && message.length() > MAX_MESSAGE_LENGTH) {
            message = message.substring(0, MAX_MESSAGE_LENGTH);
        }
    }

    /** Whether this result is a vote on the endpoint's health (an overloaded agent's timeout is not). */
    @JsonIgnore
    public boolean isVote() {
        return success || reason.isVote();
    }

    /** The same measurement, declared no vote because the agent ran late while taking it. */
    public ProbeResult overloaded(String why) {
        return new ProbeResult(
                target,
                timestamp,
                false,
                FailureReason.AGENT_OVERLOADED,
                statusCode,
                timings,
                tlsNotAfter,
                why + " (measured: " + message + ")");
    }

    public static ProbeResult success(
            String target, long timestamp, Integer statusCode, PhaseTimings timings, Long tlsNotAfter) {
        return new ProbeResult(target, timestamp, true, null, statusCode, timings, tlsNotAfter, null);
    }

    public static ProbeResult failure(
            String target,
            long timestamp,
            FailureReason reason,
            Integer statusCode,
            PhaseTimings timings,
            Long tlsNotAfter,
            String message) {
        return new ProbeResult(target, timestamp, false, reason, statusCode, timings, tlsNotAfter, message);
    }
}
