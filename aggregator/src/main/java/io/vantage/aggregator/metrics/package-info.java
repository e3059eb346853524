/**
 * The aggregator's metric names, all in {@link io.vantage.aggregator.metrics.MetricNames}, and its counters of ingest
 * and of AWS drift ({@link io.vantage.aggregator.metrics.AggregatorMetrics}). The series a round yields are written by
 * its consumer in {@code io.vantage.aggregator.gauges}.
 */
package io.vantage.aggregator.metrics;
