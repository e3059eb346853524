/**
 * The hand-off between the evaluation loop and everything that acts on its verdicts: one immutable {@link
 * io.vantage.aggregator.round.Round} per evaluation, given to every {@link io.vantage.aggregator.round.RoundConsumer}
 * (publishing, the round's gauges, routing, status). A new consumer implements the interface in its own package and is
 * registered where the aggregator is assembled; nothing else changes. {@link
 * io.vantage.aggregator.round.FailoverRange} is the model's prediction the consumers show beside what they observe.
 */
package io.vantage.aggregator.round;
