/**
 * Verdicts as CloudWatch datums: the contract (names, dimension {@code Target}, units, limits) in
 * {@link io.vantage.aggregator.cloudwatch.CloudWatchContract}, datums taken from an evaluation round ({@code Datums}),
 * and the two sinks: {@code CloudWatchPublisher} (PutMetricData through the SDK) and {@code DryRunPublisher} (logs
 * what it would send).
 */
package io.vantage.aggregator.cloudwatch;
