package io.vantage.aggregator.quorum;

import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import java.util.List;

/**
 * One member's latest result for one target, kept in place in its vantage point's {@link Vantage}: allocated when the
 * member first reports the target and overwritten by each newer result, so that storing a result retains nothing of the parsed report (the
 * stored results of 10 agents x 10,000 targets are replaced hundreds of thousands of times a second; as objects they
 * lived just long enough to be copied by every young collection, docs/benchmarks.md).
 *
 * <p>{@code observedAt} is when the probe ran on the aggregator's clock: the time the batch arrived minus how old the
 * agent said the result was when it sent it. An agent's clock offset therefore cancels out, and a result that was
 * delivered late counts as old. The vote is what this member says to its vantage point's vote: its outcome once {@code confirm}
 * consecutive results agreed on it (QuorumSpec.confirm), its previous vote until then; a first result is the vote at
 * once.
 *
 * <p>Writers (the ingest event loops) hold this object's lock. The evaluator reads {@link #observedAt()}, {@link
 * #vote()} and {@link #totalSeconds()} without it: each is a value some recent result wrote, which is all a round
 * needs; {@link #observation} takes the lock for a consistent copy.
 */
public final class Reading {
    /** Never heard: older than any probe. */
    public static final long NEVER = Long.MIN_VALUE;

    private long timestamp = NEVER; // the agent's clock, orders results; guarded by this
    private boolean lastSuccess; // guarded by this
    private int streak; // guarded by this
    private FailureReason reason; // guarded by this
    private int statusCode; // 0 when none; guarded by this
    private String message; // guarded by this
    private List<String> answers; // guarded by this
    private List<String> cnames; // guarded by this
    private String address; // guarded by this
    private volatile boolean vote;
    private volatile double totalSeconds = Double.NaN;
    private volatile long observedAt = NEVER; // written last

    /**
     * How much newer on the aggregator's clock a result must be to replace a kept one that the agent's clock calls
     * newer: the agent's clock stepped back. A re-delivered copy of the kept result differs from it by transit jitter
     * only; the next probe, by an interval (at least 1 s).
     */
    static final long CLOCK_STEP_MILLIS = 1_000;

    /**
     * Keeps {@code result} when it is newer than the one kept: by the agent's timestamp, or, when the agent's clock
     * stepped back, by at least {@link #CLOCK_STEP_MILLIS} on the aggregator's; returns whether it was.
     */
    public synchronized boolean offer(ProbeResult result, long observedAt, int confirm) {
        boolean newer = result.timestamp() > timestamp
                || (timestamp != NEVER && observedAt >= this.observedAt + CLOCK_STEP_MILLIS);
        if (!newer) {
            return false;
        }
        boolean first = timestamp == NEVER;
        streak = !first && lastSuccess == result.success() ? streak + 1 : 1;
        if (first || streak >= confirm) {
            vote = result.success();
        }
        lastSuccess = result.success();
        timestamp = result.timestamp();
        reason = result.reason();
        statusCode = result.statusCode() == null ? 0 : result.statusCode();
        message = result.message();
        answers = result.answers();
        cnames = result.cnames();
        address = result.address();
        Double total = result.timings().total();
        totalSeconds = total == null ? Double.NaN : total;
        this.observedAt = observedAt;
        return true;
    }

    /** When the latest result's probe ran (aggregator clock), or {@link #NEVER}. */
    public long observedAt() {
        return observedAt;
    }

    /** This member's vote: true for healthy. */
    public boolean vote() {
        return vote;
    }

    /** The latest result's total probe time in seconds, NaN when it has none. */
    public double totalSeconds() {
        return totalSeconds;
    }

    /** A consistent copy of the latest result, or null when this member never reported it. */
    public synchronized Observation observation(String agentId, String region, String member) {
        if (timestamp == NEVER) {
            return null;
        }
        return new Observation(
                agentId,
                region,
                member,
                1,
                observedAt,
                vote,
                lastSuccess,
                reason,
                statusCode == 0 ? null : statusCode,
                Double.isNaN(totalSeconds) ? null : totalSeconds,
                message,
                answers,
                cnames,
                address);
    }
}
