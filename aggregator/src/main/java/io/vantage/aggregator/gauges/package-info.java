/**
 * The round's series on {@code /metrics}: one more consumer of each round, writing per agent and per target what the
 * round found, with the names of {@link io.vantage.aggregator.metrics.MetricNames}.
 */
package io.vantage.aggregator.gauges;
