package io.vantage.aggregator.ingest;

import io.vantage.aggregator.metrics.AggregatorMetrics.IngestOutcome;
import io.vantage.wire.report.ProbeResult;
import java.util.Map;

/**
 * The rules each result of an authenticated batch passes before it reaches the store, from the config in force:
 * {@code confirmByTarget} the configured targets, each with its quorum's {@code confirm}; {@code maxClockSkewMillis}
 * how far after its batch's {@code sentAt} a result may be stamped. {@link #classify} is a pure function.
 */
public record ResultRules(Map<String, Integer> confirmByTarget, long maxClockSkewMillis) {
    public ResultRules {
        confirmByTarget = Map.copyOf(confirmByTarget);
    }

    /**
     * What becomes of one result: offered to the store ({@code refused} null), observed at {@code observedAt} on the
     * aggregator's clock with its target's {@code confirm}; or refused, counted under {@code refused}.
     */
    public record Classification(IngestOutcome refused, long observedAt, int confirm) {
        static Classification offer(long observedAt, int confirm) {
            return new Classification(null, observedAt, confirm);
        }

        static Classification refuse(IngestOutcome reason) {
            return new Classification(reason, 0, 0);
        }

        public boolean offered() {
            return refused == null;
        }
    }

    /**
     * Classifies {@code result}, carried by a batch sent at {@code sentAt} (the agent's clock) and received at
     * {@code receivedAt} (the aggregator's). The first rule that applies decides: a target not configured; stamped more
     * than {@code maxClockSkew} after its batch was sent; measured while the agent ran late (no vote); else offered,
     * observed as long before {@code receivedAt} as it was old when sent, so an agent's clock offset cancels out.
     */
    public Classification classify(ProbeResult result, long sentAt, long receivedAt) {
        Integer confirm = confirmByTarget.get(result.target());
        if (confirm == null) {
            return Classification.refuse(IngestOutcome.UNKNOWN_TARGET);
        }
        if (result.timestamp() > sentAt + maxClockSkewMillis) {
            // Stamped after the batch that carries it was sent, on the agent's own clock: no honest agent does that.
            // Judged against sentAt, not the aggregator's clock, an agent's clock offset cannot drop it.
            return Classification.refuse(IngestOutcome.FUTURE);
        }
        if (!result.isVote()) {
            // Measured while the agent ran late: counted, never a vote, and the last real vote ages.
            return Classification.refuse(IngestOutcome.NO_VOTE);
        }
        long ageWhenSent = Math.max(0, sentAt - result.timestamp());
        return Classification.offer(receivedAt - ageWhenSent, confirm);
    }
}
