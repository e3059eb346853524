package io.vantage.aggregator.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.aws.AwsClients;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.wire.target.TargetSpec;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.route53.Route53AsyncClient;

/** Alarms first, then the health checks that reference them; plan shows, apply does, both idempotent. */
public final class Reconciliation implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private final AggregatorConfig config;
    private final Ownership ownership;
    private final AlarmReconciler alarms;
    private final HealthCheckReconciler healthChecks;
    private final RecordReconciler records;

    private final List<AutoCloseable> clients;

    private Reconciliation(
            AggregatorConfig config,
            Ownership ownership,
            AlarmReconciler alarms,
            HealthCheckReconciler healthChecks,
            RecordReconciler records,
            List<AutoCloseable> clients) {
        this.config = config;
        this.ownership = ownership;
        this.alarms = alarms;
        this.healthChecks = healthChecks;
        this.records = records;
        this.clients = clients;
    }

    /** With SDK clients for the config's region and endpoints; close it when done. */
    public static Reconciliation create(AggregatorConfig config, MeterRegistry registry) {
        AggregatorConfig.CloudWatch cloudWatch = config.cloudwatch();
        CloudWatchAsyncClient cloudWatchClient =
                AwsClients.cloudWatch(cloudWatch.region(), cloudWatch.endpoint(), CALL_TIMEOUT, registry);
        Ownership ownership = new Ownership(cloudWatch.namespace(), config.deployment());
        AlarmReconciler alarms = new AlarmReconciler(cloudWatchClient, ownership, config.alarm());
        if (!config.route53().enabled()) {
            return new Reconciliation(config, ownership, alarms, null, null, List.of(cloudWatchClient));
        }
        URI route53Endpoint =
                config.route53().endpoint() != null ? config.route53().endpoint() : cloudWatch.endpoint();
        Route53AsyncClient route53 = AwsClients.route53(route53Endpoint, CALL_TIMEOUT, registry);
        HealthCheckReconciler healthChecks =
                new HealthCheckReconciler(route53, ownership, cloudWatch.region(), config.alarm(), config.route53());
        return new Reconciliation(
                config,
                ownership,
                alarms,
                healthChecks,
                new RecordReconciler(route53),
                List.of(cloudWatchClient, route53));
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
    }

    /**
     * What apply would do: the alarm, health check (null when Route 53 is off) and record changes, and the warnings:
     * where Route 53 cannot fail over, and resources of an earlier release left alone.
     */
    public record Plan(
            AlarmReconciler.Planned alarms,
            HealthCheckReconciler.State healthChecks,
            RecordReconciler.State records,
            List<String> warnings) {
        public List<Difference> changes() {
            List<Difference> all = new ArrayList<>(alarms.changes());
            if (healthChecks != null) {
                all.addAll(healthChecks.changes());
            }
            if (records != null) {
                all.addAll(records.changes());
            }
            return all;
        }

        /** True when apply would change something (conflicts are reported, never acted on). */
        public boolean pending() {
            return changes().stream()
                    .anyMatch(change -> change.action() != Difference.Action.CONFLICT
                            && change.action() != Difference.Action.ERROR);
        }

        /** What keeps apply from starting: bound records or zones that do not exist. */
        public List<Difference> errors() {
            return changes().stream()
                    .filter(c -> c.action() == Difference.Action.ERROR)
                    .toList();
        }

        /**
         * For each bound target, whether its record carries its check: {@code attached}, {@code pending} (apply would
         * attach it), {@code conflict} (another's check guards the record) or {@code error} (no such record or zone).
         */
        public Map<String, String> recordStates(List<TargetSpec> targets) {
            Map<String, String> states = new LinkedHashMap<>();
            targets.stream().filter(t -> t.route53() != null).forEach(t -> states.put(t.name(), "attached"));
            if (records != null) {
                for (Difference change : records.changes()) {
                    if (states.containsKey(change.target())) {
                        states.put(
                                change.target(),
                                switch (change.action()) {
                                    case CONFLICT -> "conflict";
                                    case ERROR -> "error";
                                    default -> "pending";
                                });
                    }
                }
            }
            return states;
        }

        /** Each bound target's record values (or alias target): what DNS answers when it sends a client there. */
        public Map<String, List<String>> recordValues() {
            return records == null ? Map.of() : records.values();
        }

        public String describe() {
            List<Difference> all = changes();
            StringBuilder text = new StringBuilder(String.format(
                    "Plan: %d to create, %d to update, %d to delete, %d conflicts, %d errors%n",
                    count(all, Difference.Action.CREATE),
                    count(all, Difference.Action.UPDATE),
                    count(all, Difference.Action.DELETE),
                    count(all, Difference.Action.CONFLICT),
                    count(all, Difference.Action.ERROR)));
            all.forEach(change -> text.append(change.describe()).append(System.lineSeparator()));
            warnings()
                    .forEach(warning ->
                            text.append("  warning: ").append(warning).append(System.lineSeparator()));
            return text.toString();
        }

        private static long count(List<Difference> changes, Difference.Action action) {
            return changes.stream().filter(c -> c.action() == action).count();
        }
    }

    /** What apply would change to match the config. */
    public CompletableFuture<Plan> plan() {
        return plan(config.targets());
    }

    /**
     * What removing this deployment from the account takes: the plan for a config with no targets. Every check this
     * deployment owns (and an earlier release's for a target its config lists) is detached from the record it guards,
     * then deleted, then its alarms; nothing another deployment owns is touched. Applied like any plan ({@link #apply}),
     * so records are never left pointing at a deleted check.
     */
    public CompletableFuture<Plan> destroyPlan() {
        return plan(List.of());
    }

    /** The plan for {@code targets}; resources of an earlier release are adopted for the targets the config lists. */
    private CompletableFuture<Plan> plan(List<TargetSpec> targets) {
        Set<String> adoptable = config.targets().stream().map(TargetSpec::name).collect(Collectors.toSet());
        return alarms.plan(targets, adoptable).thenCompose(alarmPlan -> {
            if (healthChecks == null) {
                return CompletableFuture.completedFuture(
                        new Plan(alarmPlan, null, null, leftAlone(alarmPlan.leftAlone(), 0)));
            }
            return healthChecks
                    .plan(targets, adoptable)
                    .thenCompose(checks -> records.plan(targets, checks, alarmPlan.inAlarm())
                            .thenApply(bound -> {
                                List<String> warnings = new ArrayList<>(bound.warnings());
                                warnings.addAll(leftAlone(alarmPlan.leftAlone(), checks.leftAlone()));
                                return new Plan(alarmPlan, checks, bound, warnings);
                            }));
        });
    }

    private List<String> leftAlone(long alarmCount, long healthCheckCount) {
        String warning = ownership.leftAlone(alarmCount, healthCheckCount);
        return warning == null ? List.of() : List.of(warning);
    }

    /**
     * Applies the plan, in the order that never leaves a reference dangling: alarms, then health checks are created
     * or updated, then records are attached and detached (one batch per hosted zone), then health checks and alarms
     * no longer wanted are deleted. Returns each target's health check ID (empty when Route 53 is disabled). Refuses,
     * changing nothing, a plan with errors.
     */
    public CompletableFuture<Map<String, String>> apply(Plan plan) {
        if (!plan.errors().isEmpty()) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("the plan has " + plan.errors().size() + " errors ("
                            + plan.errors().get(0).describe().strip() + "); nothing was changed"));
        }
        AlarmReconciler.Planned alarmDeletes = plan.alarms().only(Set.of(Difference.Action.DELETE));
        CompletableFuture<Void> written =
                alarms.apply(plan.alarms().only(Set.of(Difference.Action.CREATE, Difference.Action.UPDATE)));
        if (healthChecks == null) {
            return written.thenCompose(v -> alarms.apply(alarmDeletes)).thenApply(v -> Map.of());
        }
        return written.thenCompose(v -> healthChecks.apply(
                        plan.healthChecks().only(Set.of(Difference.Action.CREATE, Difference.Action.UPDATE))))
                .thenCompose(ids -> records.apply(plan.records(), ids, healthChecks)
                        .thenCompose(
                                v -> healthChecks.apply(plan.healthChecks().only(Set.of(Difference.Action.DELETE))))
                        .thenCompose(v -> alarms.apply(alarmDeletes))
                        .thenApply(v -> ids));
    }
}
