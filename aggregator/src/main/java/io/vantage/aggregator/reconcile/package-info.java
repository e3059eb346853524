/**
 * Making AWS match the config: the alarms and Route 53 health checks vantage owns are read, compared with
 * what the config wants, and changed only where they differ ({@code plan} shows, {@code apply} does).
 * Resources vantage did not create (no ownership tags) are never changed or deleted. Both reconcilers live here:
 * {@code AlarmReconciler} (one CloudWatch alarm per target) and {@code HealthCheckReconciler} (one Route 53
 * alarm-based, {@code CLOUDWATCH_METRIC}, health check per target).
 */
package io.vantage.aggregator.reconcile;
