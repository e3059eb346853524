package io.vantage.aggregator.round;

/**
 * The failover model's best / typical / worst (minimum / median / maximum over its trials) for one step of failover,
 * in seconds from the failure; NaN where the step never happens within the model's horizon. Here because the round's
 * consumers (metrics, routing, status) show the time until clients move beside what they observe.
 */
public record FailoverRange(double best, double typical, double worst) {}
