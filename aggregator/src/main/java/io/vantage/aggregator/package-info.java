/**
 * The aggregator: {@link io.vantage.aggregator.AggregatorCommand} (the command line, with {@code AwsCommands} and
 * {@code ConfigCommands}) starts an {@link io.vantage.aggregator.Aggregator}, which assembles the replica: its
 * {@code EvaluationLoop} evaluates verdicts on the aggregator's context and hands each round to the round consumers, and
 * the API is served by {@link io.vantage.aggregator.ApiVerticle}s (at most 4, a core left to the loop).
 */
package io.vantage.aggregator;
