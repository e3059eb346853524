/**
 * Getting results in: bearer tokens bound to one agent and region, size and rate limits, schema
 * validation, and a store that keeps the newest result per (target, agent) whatever order batches arrive in.
 */
package io.vantage.aggregator.ingest;
