package io.vantage.wire.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.vantage.wire.Checks;
import io.vantage.wire.Limits;
import java.util.List;

/**
 * One probe of one target by one agent. {@code timestamp} is when the probe started (epoch millis, agent
 * clock); {@code reason} is null exactly when {@code success}; {@code message} is for humans only (its control
 * characters escaped and cut to {@link #MAX_MESSAGE_LENGTH}: it quotes what servers sent); {@code answers}
 * are a dns probe's records of the asked type as text (at most {@link #MAX_ANSWERS}; addresses in canonical form), with
 * {@code cnames} the CNAME chain followed to reach them, which the aggregator reads to see where DNS sends each vantage
 * point; for a probe that dials a host name, they are what its dns phase answered. {@code address} is the address the
 * probe connected to (canonical form). From both the aggregator learns which addresses stand for which target (a host
 * name, a load balancer whose addresses rotate).
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
        List<String> answers,
        List<String> cnames,
        String address) {

    public static final int MAX_MESSAGE_LENGTH = 256;
    public static final int MAX_ANSWERS = 16;
    /** Longest record in {@code answers} and {@code cnames}: a DNS name's limit, and that of one TXT string. */
    public static final int MAX_RECORD_LENGTH = 255;

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
        message = message == null ? null : Checks.reportable(message, MAX_MESSAGE_LENGTH);
        answers = records("answers", answers);
        cnames = records("cnames", cnames);
        if (address != null) {
            Checks.noControlCharacters("address", address);
            if (address.isEmpty() || address.length() > 255) {
                throw Checks.invalid("address", "must be 1-255 characters");
            }
        }
    }

    private static List<String> records(String key, List<String> records) {
        if (records == null) {
            return null;
        }
        if (records.size() > MAX_ANSWERS) {
            throw Checks.invalid(key, records.size() + " records, at most " + MAX_ANSWERS);
        }
        for (int i = 0; i < records.size(); i++) {
            String record = Checks.required(key + "[" + i + "]", records.get(i));
            Checks.noControlCharacters(key + "[" + i + "]", record);
            if (record.length() > MAX_RECORD_LENGTH) {
                throw Checks.invalid(key + "[" + i + "]", "longer than " + MAX_RECORD_LENGTH + " characters");
            }
        }
        return List.copyOf(records);
    }

    /**
     * The same result carrying a dns probe's answers and the CNAME chain to them, as the server sent them: the first
     * {@link #MAX_ANSWERS} of each, made {@link Checks#reportable reportable} (a TXT record may hold a tab).
     */
    public ProbeResult withAnswers(List<String> records, List<String> chain) {
        return new ProbeResult(
                target,
                timestamp,
                success,
                reason,
                statusCode,
                timings,
                tlsNotAfter,
                message,
                kept(records),
                chain.isEmpty() ? null : kept(chain),
                address);
    }

    private static List<String> kept(List<String> records) {
        return records.subList(0, Math.min(MAX_ANSWERS, records.size())).stream()
                .map(record -> Checks.reportable(record, MAX_RECORD_LENGTH))
                .toList();
    }

    /** The same result with the address the probe connected to. */
    public ProbeResult withAddress(String connectedTo) {
        return new ProbeResult(
                target,
                timestamp,
                success,
                reason,
                statusCode,
                timings,
                tlsNotAfter,
                message,
                answers,
                cnames,
                connectedTo);
    }

    /** The same result with another message (a failure's, for humans). */
    public ProbeResult withMessage(String text) {
        return new ProbeResult(
                target, timestamp, success, reason, statusCode, timings, tlsNotAfter, text, answers, cnames, address);
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
                answers,
                cnames,
                address);
    }

    public static ProbeResult success(
            String target, long timestamp, Integer statusCode, PhaseTimings timings, Long tlsNotAfter) {
        return new ProbeResult(target, timestamp, true, null, statusCode, timings, tlsNotAfter, null, null, null, null);
    }

    public static ProbeResult failure(
            String target,
            long timestamp,
            FailureReason reason,
            Integer statusCode,
            PhaseTimings timings,
            Long tlsNotAfter,
            String message) {
        return new ProbeResult(
                target, timestamp, false, reason, statusCode, timings, tlsNotAfter, message, null, null, null);
    }
}
