package io.vantage.aggregator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The aggregator's counters of ingest (results by outcome, requests by status, identity conflicts), and whether AWS
 * differs from the config. The series of a round are its consumer's, {@code gauges.RoundGauges}.
 */
public final class AggregatorMetrics {
    /** How ingested results ended. */
    public enum IngestOutcome {
        ACCEPTED,
        DUPLICATE,
        UNKNOWN_TARGET,
        FUTURE,
        NO_VOTE
    }

    private final MeterRegistry registry;
    private final Map<IngestOutcome, Counter> results = new EnumMap<>(IngestOutcome.class);
    private final Map<Integer, Counter> requests = new ConcurrentHashMap<>();
    private AtomicInteger awsDiffers;

    public AggregatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (IngestOutcome outcome : IngestOutcome.values()) {
            results.put(
                    outcome,
                    Counter.builder(MetricNames.INGEST_RESULTS)
                            .tag("outcome", outcome.name().toLowerCase())
                            .description("Results received, by what became of them")
                            .register(registry));
        }
    }

    public void results(IngestOutcome outcome, int count) {
        if (count > 0) {
            results.get(outcome).increment(count);
        }
    }

    public void request(int status) {
        requests.computeIfAbsent(
                        status,
                        code -> Counter.builder(MetricNames.INGEST_REQUESTS)
                                .tag("code", String.valueOf(code))
                                .description("POST /v1/reports requests by response status")
                                .register(registry))
                .increment();
    }

    /** A report refused because another process reports as the same agent. */
    public void identityConflict(String agentId, String region) {
        Counter.builder(MetricNames.AGENT_IDENTITY_CONFLICTS)
                .tag("agent", agentId)
                .tag("region", region)
                .description("Reports refused (409) because another process reports as the same agent at the same time")
                .register(registry)
                .increment();
    }

    /**
     * Whether the alarms and health checks in AWS differ from the config, as the latest lookup found (apply not run, or
     * failed); the series appears with the first lookup (aws mode only).
     */
    public void awsDiffers(boolean differs) {
        if (awsDiffers == null) {
            awsDiffers = new AtomicInteger();
            Gauge.builder(MetricNames.AWS_DIFFERS, awsDiffers, AtomicInteger::get)
                    .description("1 while the alarms and health checks in AWS differ from the config (run apply; "
                            + "a failed apply leaves it 1), 0 when they match")
                    .register(registry);
        }
        awsDiffers.set(differs ? 1 : 0);
    }
}
