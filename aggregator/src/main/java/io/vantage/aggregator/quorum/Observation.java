package io.vantage.aggregator.quorum;

import io.vantage.wire.report.ProbeResult;

/**
 * One vantage point's latest result for a target, as the aggregator keeps it. {@code observedAt} is when
 * the probe ran on the aggregator's clock: the time the batch arrived minus how old the agent said the
 * result was when it sent it. An agent's clock offset therefore cancels out, and a result that was
 * delivered late counts as old. {@code vote} is what this vantage point says in the quorum: its outcome
 * once {@code streak} consecutive results agreed on it (QuorumSpec.confirm), its previous vote until then.
 */
public record Observation(
        String agentId, String region, ProbeResult result, long observedAt, boolean vote, int streak) {

    /** A first observation: its outcome is the vote at once (nothing to confirm against). */
    public Observation(String agentId, String region, ProbeResult result, long observedAt) {
        this(agentId, region, result, observedAt, result.success(), 1);
    }

    /** The observation that follows {@code previous} (may be null) when {@code result} arrives. */
    public static Observation next(
            Observation previous, String agentId, String region, ProbeResult result, long observedAt, int confirm) {
        if (previous == null) {
            return new Observation(agentId, region, result, observedAt);
        }
        int streak = previous.result().success() == result.success() ? previous.streak() + 1 : 1;
        boolean vote = streak >= confirm ? result.success() : previous.vote();
        return new Observation(agentId, region, result, observedAt, vote, streak);
    }

    /** This vantage point's vote. */
    public boolean healthy() {
        return vote;
    }
}
