package io.vantage.aggregator.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.metrics.AggregatorMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a running aggregator (aws mode, Route 53 on) does with AWS: looks up each target's health check ID, whether its
 * record carries the check and the bound records' values, every 5 minutes; with {@code route53.reconcileEvery} set it
 * also applies the plan at that cadence. Without it the running aggregator only reads: plan / apply do the changes.
 */
public final class RunningReconciliation {
    private static final Logger LOG = LoggerFactory.getLogger(RunningReconciliation.class);

    /** How often a running aggregator looks up its health check IDs when it is not reconciling. */
    private static final long LOOKUP_EVERY_MILLIS = 300_000;

    private final Context context;
    private final Supplier<AggregatorConfig> config;
    private final MeterRegistry registry;
    private final AggregatorMetrics metrics;
    private volatile Map<String, String> healthCheckIds = Map.of();
    /** Bound targets: whether their record carries their check, as the last plan or apply found (see Plan.recordStates). */
    private volatile Map<String, String> recordStates = Map.of();
    /** Bound targets' record values, from the last plan: how observed answers are matched to targets. */
    private volatile Map<String, List<String>> recordValues = Map.of();

    /** {@code config}: the config in force at each lookup (a reload's targets are reconciled at the next one). */
    public RunningReconciliation(
            Context context, Supplier<AggregatorConfig> config, MeterRegistry registry, AggregatorMetrics metrics) {
        this.context = context;
        this.config = config;
        this.registry = registry;
        this.metrics = metrics;
    }

    /** Looks up now and then at the configured cadence, when {@code config} is in aws mode with Route 53 on. */
    public void start(AggregatorConfig config) {
        if (config.cloudwatch().mode() == AggregatorConfig.CloudWatch.Mode.AWS
                && config.route53().enabled()) {
            long every = config.route53().reconcileEvery() != null
                    ? config.route53().reconcileEvery().toMillis()
                    : LOOKUP_EVERY_MILLIS;
            reconcile();
            context.owner().setPeriodic(every, tick -> reconcile());
        }
    }

    public Map<String, String> healthCheckIds() {
        return healthCheckIds;
    }

    public Map<String, String> recordStates() {
        return recordStates;
    }

    public Map<String, List<String>> recordValues() {
        return recordValues;
    }

    private void reconcile() {
        AggregatorConfig current = config.get();
        boolean applying = current.route53().reconcileEvery() != null;
        // Creating the SDK clients loads and initialises a good deal, so it happens on a worker thread.
        context.owner()
                .executeBlocking(() -> Reconciliation.create(current, registry), false)
                .onFailure(error -> LOG.warn("could not create the AWS clients: {}", error.toString()))
                .onSuccess(reconciliation -> reconcile(reconciliation, current, applying));
    }

    private void reconcile(Reconciliation reconciliation, AggregatorConfig current, boolean applying) {
        Future.fromCompletionStage(
                        reconciliation.plan().thenCompose(plan -> {
                            Map<String, String> records = plan.recordStates(current.targets());
                            // What DNS answers for each bound record: how observed answers are matched to targets.
                            recordValues = Map.copyOf(plan.recordValues());
                            if (applying && plan.pending() && plan.errors().isEmpty()) {
                                LOG.info("reconciling alarms and health checks:\n{}", plan.describe());
                                return reconciliation.apply(plan).thenApply(ids -> {
                                    records.replaceAll((target, state) -> state.equals("pending") ? "attached" : state);
                                    recordStates = Map.copyOf(records);
                                    metrics.awsDiffers(false);
                                    return ids;
                                });
                            }
                            recordStates = Map.copyOf(records);
                            metrics.awsDiffers(plan.pending() || !plan.errors().isEmpty());
                            if (plan.pending() || !plan.errors().isEmpty()) {
                                LOG.warn(
                                        "alarms or health checks differ from the config; run vantage-aggregator apply:\n{}",
                                        plan.describe());
                            }
                            return CompletableFuture.completedFuture(
                                    plan.healthChecks().ids());
                        }),
                        context)
                .onComplete(done -> {
                    try {
                        reconciliation.close();
                    } catch (Exception e) {
                        LOG.debug("closing the AWS clients failed", e);
                    }
                    if (done.succeeded()) {
                        healthCheckIds = Map.copyOf(done.result());
                    } else {
                        LOG.warn("could not read alarms and health checks: {}", AwsErrors.describe(done.cause()));
                    }
                });
    }
}
