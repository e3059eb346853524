package io.vantage.wire.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.vantage.wire.Checks;
import io.vantage.wire.Limits;
import java.util.List;

/**
 * One probe of one target by one agent. {@code timestamp} is when the probe started (epoch millis, agent
 * clock); {@code reason} is null exactly when {@code success}; {@code message} is for humans only; {@code answers}
 * are a dns probe's records as text (at most {@link #MAX_ANSWERS}), which the aggregator reads to see where DNS sends
 * each vantage point.
 */
public record ProbeResult(
        String target,
        long timestamp,
        boolean success,
        FailureReason reason,
        Integer statusCode,
        PhaseTimings timings,
        Long tlsNotAfter,
        String message,
        List<String> answers) {

    public static final int MAX_MESSAGE_LENGTH = 256;
    public static final int MAX_ANSWERS = 16;

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
        if (answers != null) {
            if (answers.size() > MAX_ANSWERS) {
                throw Checks.invalid("answers", answers.size() + " answers, at most " + MAX_ANSWERS);
            }
            for (int i = 0; i < answers.size(); i++) {
                String answer = Checks.required("answers[" + i + "]", answers.get(i));
                Checks.noControlCharacters("answers[" + i + "]", answer);
                if (answer.length() > 255) {
                    throw Checks.invalid("answers[" + i + "]", "longer than 255 characters");
                }
            }
            answers = List.copyOf(answers);
        }
    }

    /** The same result carrying a dns probe's answers (the first {@link #MAX_ANSWERS}). */
    public ProbeResult withAnswers(List<String> records) {
        List<String> kept = records.subList(0, Math.min(MAX_ANSWERS, records.size())).stream()
                .map(r -> r.length() > 255 ? r.substring(0, 255) : r)
                .toList();
        return new ProbeResult(target, timestamp, success, reason, statusCode, timings, tlsNotAfter, message, kept);
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
                why + " (measured: " + message + ")",
                answers);
    }

    public static ProbeResult success(
            String target, long timestamp, Integer statusCode, PhaseTimings timings, Long tlsNotAfter) {
        return new ProbeResult(target, timestamp, true, null, statusCode, timings, tlsNotAfter, null, null);
    }

    public static ProbeResult failure(
            String target,
            long timestamp,
            FailureReason reason,
            Integer statusCode,
            PhaseTimings timings,
            Long tlsNotAfter,
            String message) {
        return new ProbeResult(target, timestamp, false, reason, statusCode, timings, tlsNotAfter, message, null);
    }
}
