/**
 * Getting results to every aggregator: a buffer per aggregator that keeps only the newest result per
 * target (bounded by the target count, however long the aggregator is down), batched gzip pushes with
 * backoff, and the target list fetched with ETags.
 */
package io.vantage.agent.report;
