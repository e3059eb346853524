/**
 * What the config implies before anything fails: CloudWatch's alarm evaluation rules as a pure function,
 * a failover-time model of the whole chain (probe, quorum, publish, alarm, Route 53, DNS TTL) built on the
 * production quorum evaluator, and the monthly cost and probe traffic next to Route 53's own checks.
 */
package io.vantage.aggregator.model;
