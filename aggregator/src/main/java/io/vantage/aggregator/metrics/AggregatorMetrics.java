package io.vantage.aggregator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.round.Round;
import io.vantage.aggregator.round.RoundConsumer;
import io.vantage.wire.target.TargetSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The aggregator's metrics. {@code vantage_target_healthy} exists only while a target has a verdict:
 * it is removed while the target has insufficient data, so that alerting on it cannot mistake a blind
 * fleet for a failure.
 */
public final class AggregatorMetrics implements RoundConsumer {
    public static final String TARGET_HEALTHY = "vantage.target.healthy";
    public static final String TARGET_VANTAGES = "vantage.target.vantages";
    public static final String TARGET_RECORD = "vantage.target.record";
    public static final String AWS_DIFFERS = "vantage.aws.config.differs";
    public static final String OBSERVED_FAILOVER = "vantage.observed.failover.seconds";
    public static final String OBSERVED_FAILOVER_SLOWER = "vantage.observed.failover.slower.than.predicted";
    public static final String ROUTE_VANTAGES = "vantage.route.vantages";
    public static final String AWS_ATTEMPTS = "vantage.aws.attempts";
    public static final String TARGET_DRILL = "vantage.target.drill";
    public static final String API_CONNECTIONS_CLOSED = "vantage.api.connections.closed";
    public static final String API_ANSWERS_REFUSED = "vantage.api.answers.refused";
    public static final String AGENT_REPORT_AGE = "vantage.agent.report.age.seconds";
    public static final String AGENT_BLIND = "vantage.agent.blind";
    public static final String AGENT_REPORTED = "vantage.agent.reported";
    public static final String AGENT_IDENTITY_CONFLICTS = "vantage.agent.identity.conflicts";
    public static final String FAILOVER_PREDICTED = "vantage.failover.predicted.seconds";
    public static final String INGEST_RESULTS = "vantage.ingest.results";
    public static final String INGEST_REQUESTS = "vantage.ingest.requests";
    public static final String EVALUATION_DURATION = "vantage.evaluation.duration";
    public static final String CLOUDWATCH_PUBLISH = "vantage.cloudwatch.publish";

    /** How ingested results ended. */
    public enum IngestOutcome {
        ACCEPTED,
        DUPLICATE,
        UNKNOWN_TARGET,
        FUTURE,
        NO_VOTE
    }

    private final MeterRegistry registry;
    private final Map<IngestOutcome, Counter> results = new HashMap<>();
    private final Map<Integer, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, TargetMeters> targets = new HashMap<>();
    private final Map<String, Long> lastReport = new ConcurrentHashMap<>();
    private final Map<String, Gauge> ageGauges = new HashMap<>();
    /** When each agent was configured: its report age counts from then until it first reports. */
    private final Map<String, Long> configuredAt = new ConcurrentHashMap<>();

    private final Map<String, Gauge> reportedGauges = new HashMap<>();
    private final Map<String, Gauge> blindGauges = new HashMap<>();
    private volatile Set<String> blind = Set.of();
    private final Timer evaluation;
    private final io.micrometer.core.instrument.MultiGauge predicted;
    private static final java.time.Duration[] EVALUATION_BUCKETS = java.util.stream.LongStream.of(
                    2, 5, 10, 15, 20, 30, 50, 75, 100, 150, 250, 500, 1000)
            .mapToObj(java.time.Duration::ofMillis)
            .toArray(java.time.Duration[]::new);
    private final LongSupplier clock;
    private java.util.concurrent.atomic.AtomicInteger awsDiffers;
    /** The config the rounds' target series were laid out for, and those series in its target order. */
    private AggregatorConfig metered;

    private TargetMeters[] roundMeters = new TargetMeters[0];

    public AggregatorMetrics(MeterRegistry registry, LongSupplier clockMillis) {
        this.registry = registry;
        this.clock = clockMillis;
        for (IngestOutcome outcome : IngestOutcome.values()) {
            results.put(
                    outcome,
                    Counter.builder(INGEST_RESULTS)
                            .tag("outcome", outcome.name().toLowerCase())
                            .description("Results received, by what became of them")
                            .register(registry));
        }
        // Buckets around the evaluation budget (20 ms p99, 100 ms max at 10,000 targets x 10 agents), so its tail is
        // visible.
        this.evaluation = Timer.builder(EVALUATION_DURATION)
                .description("Time to evaluate every target once")
                .serviceLevelObjectives(EVALUATION_BUCKETS)
                .register(registry);
        this.predicted = io.micrometer.core.instrument.MultiGauge.builder(FAILOVER_PREDICTED)
                .description(
                        "The model's time from an endpoint failing until clients are sent elsewhere (best, typical, "
                                + "worst), to put beside vantage_observed_failover_seconds")
                .baseUnit("seconds")
                .register(registry);
    }

    /** The model's predictions per target: seconds until clients re-resolve elsewhere, best, typical and worst. */
    public void predictedFailover(Map<String, double[]> byTarget) {
        List<io.micrometer.core.instrument.MultiGauge.Row<?>> rows = new ArrayList<>();
        String[] bounds = {"best", "typical", "worst"};
        byTarget.forEach((target, values) -> {
            for (int i = 0; i < bounds.length; i++) {
                if (!Double.isNaN(values[i])) {
                    rows.add(io.micrometer.core.instrument.MultiGauge.Row.of(
                            io.micrometer.core.instrument.Tags.of("target", target, "bound", bounds[i]), values[i]));
                }
            }
        });
        predicted.register(rows, true);
    }

    public void results(IngestOutcome outcome, int count) {
        if (count > 0) {
            results.get(outcome).increment(count);
        }
    }

    public void request(int status) {
        requests.computeIfAbsent(
                        status,
                        code -> Counter.builder(INGEST_REQUESTS)
                                .tag("code", String.valueOf(code))
                                .description("POST /v1/reports requests by response status")
                                .register(registry))
                .increment();
    }

    /**
     * The configured agents: report-age, reported and blind gauges for each, and none left for agents a reload removed
     * (or moved). An agent not heard yet ages from when it was configured (the aggregator's start, or the reload that
     * added it), so the silent-agent alert also fires for one never heard since the start.
     */
    public void agents(Map<String, String> regionByAgent) {
        ageGauges.entrySet().removeIf(entry -> {
            boolean gone = !entry.getValue().getId().getTag("region").equals(regionByAgent.get(entry.getKey()));
            if (gone) {
                registry.remove(entry.getValue());
                registry.remove(blindGauges.remove(entry.getKey()));
                registry.remove(reportedGauges.remove(entry.getKey()));
                lastReport.remove(entry.getKey());
                configuredAt.remove(entry.getKey());
            }
            return gone;
        });
        long now = clock.getAsLong();
        regionByAgent.keySet().forEach(agent -> configuredAt.putIfAbsent(agent, now));
        regionByAgent.forEach((agent, region) -> reportedGauges.computeIfAbsent(
                agent,
                id -> Gauge.builder(AGENT_REPORTED, this, m -> m.lastReport.containsKey(id) ? 1 : 0)
                        .tag("agent", id)
                        .tag("region", region)
                        .description("1 once the agent's first report was accepted since this aggregator started")
                        .register(registry)));
        regionByAgent.forEach((agent, region) -> blindGauges.computeIfAbsent(
                agent,
                id -> Gauge.builder(AGENT_BLIND, this, m -> m.blind.contains(id) ? 1 : 0)
                        .tag("agent", id)
                        .tag("region", region)
                        .description("1 while the agent is blind (fails nearly every target the others see healthy): "
                                + "its unhealthy votes are set aside")
                        .register(registry)));
        regionByAgent.forEach((agent, region) -> ageGauges.computeIfAbsent(
                agent,
                id -> Gauge.builder(AGENT_REPORT_AGE, this, m -> m.age(id))
                        .tag("agent", id)
                        .tag("region", region)
                        .description("Seconds since the agent's last accepted report (since it was configured, while "
                                + "it has not reported)")
                        .register(registry)));
    }

    /** A report refused because another process reports as the same agent. */
    public void identityConflict(String agentId) {
        Gauge age = ageGauges.get(agentId);
        Counter.builder(AGENT_IDENTITY_CONFLICTS)
                .tag("agent", agentId)
                .tag("region", age == null ? "unknown" : age.getId().getTag("region"))
                .description("Reports refused (409) because another process reports as the same agent at the same time")
                .register(registry)
                .increment();
    }

    /**
     * Each round: the targets' series (registered when a config brings a target or changes its record, removed with
     * it), the agents the round found blind, and what evaluating took.
     */
    @Override
    public void accept(Round round) {
        if (round.config() != metered) {
            List<TargetSpec> specs = round.targets();
            roundMeters = new TargetMeters[specs.size()];
            Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < roundMeters.length; i++) {
                TargetSpec spec = specs.get(i);
                roundMeters[i] = target(
                        spec.name(),
                        spec.route53() == null ? null : spec.route53().group());
                names.add(spec.name());
            }
            retainTargets(names);
            metered = round.config();
        }
        for (int i = 0; i < roundMeters.length; i++) {
            roundMeters[i].update(round.evaluations().get(i));
        }
        blind = round.agents().stream()
                .filter(Round.Agent::blind)
                .map(Round.Agent::id)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        evaluation.record(round.durationNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void reported(String agentId, long nowMillis) {
        lastReport.put(agentId, nowMillis);
    }

    public Long lastReport(String agentId) {
        return lastReport.get(agentId);
    }

    private double age(String agent) {
        Long last = lastReport.get(agent);
        long since = last != null ? last : configuredAt.getOrDefault(agent, clock.getAsLong());
        return (clock.getAsLong() - since) / 1000.0;
    }

    /**
     * Whether the alarms and health checks in AWS differ from the config, as the latest lookup found (apply not run, or
     * failed); the series appears with the first lookup (aws mode only).
     */
    public void awsDiffers(boolean differs) {
        if (awsDiffers == null) {
            awsDiffers = new java.util.concurrent.atomic.AtomicInteger();
            Gauge.builder(AWS_DIFFERS, awsDiffers, java.util.concurrent.atomic.AtomicInteger::get)
                    .description("1 while the alarms and health checks in AWS differ from the config (run apply; "
                            + "a failed apply leaves it 1), 0 when they match")
                    .register(registry);
        }
        awsDiffers.set(differs ? 1 : 0);
    }

    /**
     * A target's series, registered on first use (again when its record changed); {@code record} is the record group it
     * guards (RecordBinding.group(): zone, name and type), or null. Called from the evaluator's thread only.
     */
    private TargetMeters target(String name, String record) {
        TargetMeters meters = targets.get(name);
        if (meters != null && !java.util.Objects.equals(meters.record, record)) {
            meters.remove();
            meters = null;
        }
        if (meters == null) {
            meters = new TargetMeters(name, record);
            targets.put(name, meters);
        }
        return meters;
    }

    private void retainTargets(Set<String> names) {
        targets.keySet().removeIf(name -> {
            if (names.contains(name)) {
                return false;
            }
            targets.get(name).remove();
            return true;
        });
    }

    /** One target's series; updated from the evaluator's thread only. */
    private final class TargetMeters {
        private final String target;
        private final String record;
        private final List<Meter> meters = new ArrayList<>(4);
        private volatile double healthyVantages;
        private volatile double unhealthyVantages;
        private volatile double staleVantages;
        private volatile double healthy;
        private Meter healthyGauge;

        TargetMeters(String target, String record) {
            this.target = target;
            this.record = record;
            if (record != null) {
                meters.add(Gauge.builder(TARGET_RECORD, () -> 1)
                        .tag("target", target)
                        .tag("record", record)
                        .description("1 for the record group (name and type) whose health check this target guards")
                        .register(registry));
            }
            meters.add(vantages("healthy", m -> m.healthyVantages));
            meters.add(vantages("unhealthy", m -> m.unhealthyVantages));
            meters.add(vantages("stale", m -> m.staleVantages));
        }

        private Meter vantages(String state, java.util.function.ToDoubleFunction<TargetMeters> value) {
            return Gauge.builder(TARGET_VANTAGES, this, value)
                    .tag("target", target)
                    .tag("state", state)
                    .description(
                            "Vantage points by what their latest result says (stale: older than the freshness window)")
                    .register(registry);
        }

        /** Updates the series after an evaluation. */
        void update(Evaluation result) {
            healthyVantages = result.healthy();
            unhealthyVantages = result.fresh() - result.healthy();
            staleVantages = result.stale();
            Verdict verdict = result.verdict();
            if (verdict == Verdict.INSUFFICIENT_DATA) {
                if (healthyGauge != null) {
                    registry.remove(healthyGauge);
                    healthyGauge = null;
                }
                return;
            }
            healthy = verdict == Verdict.HEALTHY ? 1 : 0;
            if (healthyGauge == null) {
                healthyGauge = Gauge.builder(TARGET_HEALTHY, this, m -> m.healthy)
                        .tag("target", target)
                        .description("1 healthy, 0 unhealthy by quorum; absent while there is insufficient data")
                        .register(registry);
            }
        }

        void remove() {
            meters.forEach(registry::remove);
            if (healthyGauge != null) {
                registry.remove(healthyGauge);
            }
        }
    }
}
