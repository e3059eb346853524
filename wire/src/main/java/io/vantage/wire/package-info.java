/**
 * The versioned wire model shared by agent and aggregator: target specifications ({@code /v1/targets}),
 * probe results and report batches ({@code /v1/reports}), their limits, and the strict YAML/JSON mapping
 * that turns bad input into errors naming the offending key.
 */
package io.vantage.wire;
