/**
 * Making AWS match the config: the alarms and Route 53 health checks this deployment owns are read, compared with
 * what the config wants, and changed only where they differ ({@code plan} shows, {@code apply} does).
 * Resources another deployment made, or that vantage did not make ({@code Ownership}), are never changed or deleted.
 * The reconcilers live here: {@code AlarmReconciler} (one CloudWatch alarm per target), {@code HealthCheckReconciler}
 * (one Route 53 alarm-based, {@code CLOUDWATCH_METRIC}, health check per target) and {@code RecordReconciler} (the
 * records the checks guard).
 */
package io.vantage.aggregator.reconcile;
