package io.vantage.agent.metrics;

import static io.vantage.agent.metrics.MetricNames.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * The agent's probe metrics. Per-target series are registered when a target appears and removed when
 * it goes, so label values stay bounded by the target list. Updated from the agent's event loop;
 * values are volatile fields the scrape reads.
 */
public final class AgentMetrics {
    private static final String[] PHASES = {"dns", "connect", "tls", "first_byte", "total"};
    private final MeterRegistry registry;
    private final String region;
    private final Map<String, TargetMeters> targets = new HashMap<>();
    private final Counter probesSucceeded;
    private final Counter probesFailed;
    private final Counter skippedInFlight;
    private final Counter reloadsSucceeded;
    private final Counter reloadsFailed;
    private volatile double lastReloadSuccessful = 1;
    private volatile double lastReloadSuccessSeconds;

    public AgentMetrics(MeterRegistry registry, String region, IntSupplier inFlight, double startSeconds) {
        this.registry = registry;
        this.region = region;
        this.probesSucceeded = Counter.builder(PROBES).description("Probes completed").tag(TAG_OUTCOME, "success").register(registry);
        this.probesFailed = Counter.builder(PROBES).description("Probes completed").tag(TAG_OUTCOME, "failure").register(registry);
        this.skippedInFlight = Counter.builder(PROBES_SKIPPED)
                .description("Probes not started because maxInFlight probes were already running")
                .tag(TAG_REASON, "max_in_flight").register(registry);
        Gauge.builder(PROBES_IN_FLIGHT, inFlight, IntSupplier::getAsInt).strongReference(true)
                .description("Probes running now").register(registry);
        Gauge.builder(TARGETS, targets, Map::size).description("Targets being probed").register(registry);
        this.reloadsSucceeded = Counter.builder(CONFIG_RELOADS).tag(TAG_OUTCOME, "success").description("Config reloads").register(registry);
        this.reloadsFailed = Counter.builder(CONFIG_RELOADS).tag(TAG_OUTCOME, "failure").description("Config reloads").register(registry);
        this.lastReloadSuccessSeconds = startSeconds;
        Gauge.builder(CONFIG_RELOAD_SUCCESS, this, m -> m.lastReloadSuccessful)
                .description("1 if the last config reload was applied, 0 if it was rejected and the previous config kept")
                .register(registry);
        Gauge.builder(CONFIG_RELOAD_TIMESTAMP, this, m -> m.lastReloadSuccessSeconds)
                .description("When the config in force was loaded").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Registers series for new targets and removes those of targets that are gone. */
    public void targets(List<TargetSpec> current) {
        Set<String> names = new HashSet<>();
        for (TargetSpec target : current) {
            names.add(target.name());
            targets.computeIfAbsent(target.name(), name -> new TargetMeters(name));
        }
        targets.keySet().removeIf(name -> {
            if (names.contains(name)) {
                return false;
            }
            targets.get(name).remove();
            return true;
        });
    }

    public void record(ProbeResult result) {
        TargetMeters meters = targets.get(result.target());
        (result.success() ? probesSucceeded : probesFailed).increment();
        if (meters != null) {
            meters.record(result);
        }
    }

    public void overrun(String target) {
        TargetMeters meters = targets.get(target);
        if (meters != null) {
            meters.overruns().increment();
        }
    }

    public void skippedInFlight() {
        skippedInFlight.increment();
    }

    public void reload(boolean applied, double nowSeconds) {
        lastReloadSuccessful = applied ? 1 : 0;
        if (applied) {
            lastReloadSuccessSeconds = nowSeconds;
            reloadsSucceeded.increment();
        } else {
            reloadsFailed.increment();
        }
    }

    private final class TargetMeters {
        private final Tags tags;
        private final List<Meter> meters = new ArrayList<>(10);
        private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
        private final double[] phases = new double[PHASES.length];
        private volatile double success = Double.NaN;
        private volatile double status = Double.NaN;
        private volatile double lastSeconds = Double.NaN;
        private volatile double expirySeconds = Double.NaN;
        private Counter overruns;
        private Meter expiryGauge;
        private Meter statusGauge;

        TargetMeters(String name) {
            this.tags = Tags.of(TAG_TARGET, name, TAG_REGION, region);
            meters.add(Gauge.builder(PROBE_SUCCESS, this, m -> m.success)
                    .description("1 if the last probe succeeded, 0 if it failed").tags(tags).register(registry));
            meters.add(Gauge.builder(PROBE_LAST_TIMESTAMP, this, m -> m.lastSeconds)
                    .description("Start time of the last completed probe").tags(tags).register(registry));
            for (int i = 0; i < PHASES.length; i++) {
                int phase = i;
                meters.add(Gauge.builder(PROBE_DURATION, this, m -> m.phases[phase])
                        .description("Seconds the last probe spent in each phase; first_byte counts from the start")
                        .tags(tags).tag(TAG_PHASE, PHASES[i]).register(registry));
            }
        }

        void record(ProbeResult result) {
            PhaseTimings timings = result.timings();
            phases[0] = orZero(timings.dns());
            phases[1] = orZero(timings.connect());
            phases[2] = orZero(timings.tls());
            phases[3] = orZero(timings.firstByte());
            phases[4] = orZero(timings.total());
            success = result.success() ? 1 : 0;
            lastSeconds = result.timestamp() / 1000.0;
            if (result.statusCode() != null) {
                status = result.statusCode();
                if (statusGauge == null) {
                    statusGauge = Gauge.builder(PROBE_HTTP_STATUS, this, m -> m.status)
                            .description("HTTP status code of the last probe").tags(tags).register(registry);
                    meters.add(statusGauge);
                }
            }
            if (result.tlsNotAfter() != null) {
                expirySeconds = result.tlsNotAfter();
                if (expiryGauge == null) {
                    expiryGauge = Gauge.builder(PROBE_TLS_EXPIRY, this, m -> m.expirySeconds)
                            .description("notAfter of the leaf certificate seen by the last TLS handshake").tags(tags).register(registry);
                    meters.add(expiryGauge);
                }
            }
            if (!result.success()) {
                failures.computeIfAbsent(result.reason(), reason -> {
                    Counter counter = Counter.builder(PROBE_FAILURES).description("Failed probes by reason")
                            .tags(tags).tag(TAG_REASON, reason.label()).register(registry);
                    meters.add(counter);
                    return counter;
                }).increment();
            }
        }

        Counter overruns() {
            if (overruns == null) {
                overruns = Counter.builder(PROBE_OVERRUNS)
                        .description("Probes skipped because the previous probe of the target was still running")
                        .tags(tags).register(registry);
                meters.add(overruns);
            }
            return overruns;
        }

        void remove() {
            meters.forEach(registry::remove);
        }

        private static double orZero(Double seconds) {
            return seconds == null ? 0 : seconds;
        }
    }
}
