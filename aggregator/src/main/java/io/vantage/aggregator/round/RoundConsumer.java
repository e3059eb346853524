package io.vantage.aggregator.round;

/**
 * Acts on each evaluation round: publishes it, counts it, follows DNS with it, shows it. Called on the evaluation loop's
 * context, once per round in the order the consumers were registered; it must not block (hand slow work to a worker or
 * keep the round and act on it later, as publishing does).
 */
public interface RoundConsumer {
    void accept(Round round);
}
