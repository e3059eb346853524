/**
 * The aggregator: {@link io.vantage.aggregator.AggregatorCommand} (the command line) starts an
 * {@link io.vantage.aggregator.Aggregator}, which evaluates verdicts on its own context and serves the
 * API from one {@link io.vantage.aggregator.ApiVerticle} per core.
 */
package io.vantage.aggregator;
