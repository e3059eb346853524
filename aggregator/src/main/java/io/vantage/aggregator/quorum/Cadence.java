package io.vantage.aggregator.quorum;

import io.vantage.wire.Limits;
import java.time.Duration;

/** When verdicts are computed: what the aggregator runs on and the failover model simulates, from one place. */
public final class Cadence {
    /** Every target is evaluated this often ... */
    public static final Duration EVALUATE_EVERY = Duration.ofSeconds(1);
    /** ... and again soon after new results arrive, but no sooner than this after the last round, so that a stream of batches cannot monopolise the loop. */
    public static final Duration MIN_EVALUATION_SPACING = Duration.ofMillis(200);
    /** The agents' push interval the model assumes: their default. */
    public static final Duration AGENT_PUSH_INTERVAL = Limits.DEFAULT_PUSH_INTERVAL;

    private Cadence() {}
}
