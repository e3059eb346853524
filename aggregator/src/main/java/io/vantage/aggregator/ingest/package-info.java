/**
 * Getting results in: bearer tokens bound to one agent and region, size and rate limits, schema validation, the rules
 * each result passes ({@link io.vantage.aggregator.ingest.ResultRules}), and the store the evaluation loop reads: the
 * newest result per (target, agent) whatever order batches arrive in, when each agent's results last counted, and which
 * process reports as each agent.
 */
package io.vantage.aggregator.ingest;
