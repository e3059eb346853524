/**
 * Getting results to every aggregator and the target list from them, one {@link
 * io.vantage.agent.report.AggregatorConnection} per aggregator (its client, token, bounded answers, one-replica check)
 * shared by its {@link io.vantage.agent.report.ReportPusher} (a buffer that keeps only the newest result per target,
 * bounded by the target count however long the aggregator is down; batched gzip pushes with backoff) and its {@link
 * io.vantage.agent.report.TargetSource} (the target list, fetched with ETags).
 */
package io.vantage.agent.report;
