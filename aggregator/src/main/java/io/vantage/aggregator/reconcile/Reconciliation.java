package io.vantage.aggregator.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.cloudwatch.AwsClients;
import io.vantage.aggregator.config.AggregatorConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.route53.Route53AsyncClient;

/** Alarms first, then the health checks that reference them; plan shows, apply does, both idempotent. */
public final class Reconciliation implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private final AggregatorConfig config;
    private final AlarmReconciler alarms;
    private final HealthCheckReconciler healthChecks;

    private final List<AutoCloseable> clients;

    private Reconciliation(
            AggregatorConfig config,
            AlarmReconciler alarms,
            HealthCheckReconciler healthChecks,
            List<AutoCloseable> clients) {
        this.config = config;
        this.alarms = alarms;
        this.healthChecks = healthChecks;
        this.clients = clients;
    }

    /** With SDK clients for the config's region and endpoints; close it when done. */
    public static Reconciliation create(AggregatorConfig config, MeterRegistry registry) {
        AggregatorConfig.CloudWatch cloudWatch = config.cloudwatch();
        CloudWatchAsyncClient cloudWatchClient =
                AwsClients.cloudWatch(cloudWatch.region(), cloudWatch.endpoint(), CALL_TIMEOUT, registry);
        AlarmReconciler alarms = new AlarmReconciler(cloudWatchClient, cloudWatch.namespace(), config.alarm());
        if (!config.route53().enabled()) {
            return new Reconciliation(config, alarms, null, List.of(cloudWatchClient));
        }
        URI route53Endpoint =
                config.route53().endpoint() != null ? config.route53().endpoint() : cloudWatch.endpoint();
        Route53AsyncClient route53 = AwsClients.route53(route53Endpoint, CALL_TIMEOUT, registry);
        HealthCheckReconciler healthChecks = new HealthCheckReconciler(
                route53, cloudWatch.namespace(), cloudWatch.region(), config.alarm(), config.route53());
        return new Reconciliation(config, alarms, healthChecks, List.of(cloudWatchClient, route53));
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
    }

    public record Plan(List<Change> alarmChanges, HealthCheckReconciler.State healthChecks) {
        public List<Change> changes() {
            List<Change> all = new ArrayList<>(alarmChanges);
            if (healthChecks != null) {
                all.addAll(healthChecks.changes());
            }
            return all;
        }

        /** True when apply would change something (conflicts are reported, never acted on). */
        public boolean pending() {
            return changes().stream().anyMatch(change -> change.action() != Change.Action.CONFLICT);
        }

        public String describe() {
            List<Change> all = changes();
            long create =
                    all.stream().filter(c -> c.action() == Change.Action.CREATE).count();
            long update =
                    all.stream().filter(c -> c.action() == Change.Action.UPDATE).count();
            long delete =
                    all.stream().filter(c -> c.action() == Change.Action.DELETE).count();
            long conflict = all.stream()
                    .filter(c -> c.action() == Change.Action.CONFLICT)
                    .count();
            StringBuilder text = new StringBuilder(String.format(
                    "Plan: %d to create, %d to update, %d to delete, %d conflicts%n",
                    create, update, delete, conflict));
            all.forEach(change -> text.append(change.describe()).append(System.lineSeparator()));
            return text.toString();
        }
    }

    public CompletableFuture<Plan> plan() {
        return alarms.plan(config.targets())
                .thenCompose(alarmChanges -> healthChecks == null
                        ? CompletableFuture.completedFuture(new Plan(alarmChanges, null))
                        : healthChecks.plan(config.targets()).thenApply(state -> new Plan(alarmChanges, state)));
    }

    /** Applies the plan; returns each target's health check ID (empty when Route 53 is disabled). */
    public CompletableFuture<Map<String, String>> apply(Plan plan) {
        return alarms.apply(plan.alarmChanges())
                .thenCompose(v -> healthChecks == null
                        ? CompletableFuture.completedFuture(Map.of())
                        : healthChecks.apply(plan.healthChecks()));
    }
}
