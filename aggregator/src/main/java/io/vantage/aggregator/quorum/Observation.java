package io.vantage.aggregator.quorum;

import io.vantage.wire.report.FailureReason;
import java.util.List;

/**
 * A copy of one vantage point's latest result for a target, taken from its {@link Reading} for the status page, logs
 * and observed routing; {@code member}, the instance that reported it (null: one no longer in its seat); {@code members}, how many fresh
 * members the vantage point's vote {@code healthy} was made from (0: none is fresh, the vote is this reading's). {@code healthy} is its vote; {@code success}, {@code reason}, {@code statusCode}, {@code
 * totalSeconds}, {@code message}, {@code answers}, {@code cnames} (the CNAME chain to them) and {@code address} (what
 * the probe connected to) describe the latest result itself.
 */
public record Observation(
        String agentId,
        String region,
        String member,
        int members,
        long observedAt,
        boolean healthy,
        boolean success,
        FailureReason reason,
        Integer statusCode,
        Double totalSeconds,
        String message,
        List<String> answers,
        List<String> cnames,
        String address) {

    /** This observation with the vantage point's vote and the fresh members it was made from. */
    public Observation withVote(boolean vote, int freshMembers) {
        return new Observation(
                agentId,
                region,
                member,
                freshMembers,
                observedAt,
                vote,
                success,
                reason,
                statusCode,
                totalSeconds,
                message,
                answers,
                cnames,
                address);
    }
}
