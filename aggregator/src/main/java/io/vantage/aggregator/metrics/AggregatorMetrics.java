package io.vantage.aggregator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vantage.aggregator.round.Round;
import io.vantage.aggregator.round.RoundConsumer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The aggregator's metric names, its counters and its per-agent gauges (the per-target series of a round are written
 * at scrape time by {@link RoundSeries}).
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
    private final Map<String, Long> lastReport = new ConcurrentHashMap<>();
    private final Map<String, Gauge> ageGauges = new HashMap<>();
    /** When each agent was configured: its report age counts from then until it first reports. */
    private final Map<String, Long> configuredAt = new ConcurrentHashMap<>();

    private final Map<String, Gauge> reportedGauges = new HashMap<>();
    private final Map<String, Gauge> blindGauges = new HashMap<>();
    private volatile Set<String> blind = Set.of();
    private final Timer evaluation;
    private static final java.time.Duration[] EVALUATION_BUCKETS = java.util.stream.LongStream.of(
                    2, 5, 10, 15, 20, 30, 50, 75, 100, 150, 250, 500, 1000)
            .mapToObj(java.time.Duration::ofMillis)
            .toArray(java.time.Duration[]::new);
    private final LongSupplier clock;
    private java.util.concurrent.atomic.AtomicInteger awsDiffers;

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

    /** Each round: the agents it found blind, and what evaluating took (the targets' series: {@link RoundSeries}). */
    @Override
    public void accept(Round round) {
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
}
