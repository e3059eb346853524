package io.vantage.agent.metrics;

import static io.vantage.agent.metrics.MetricNames.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vantage.agent.schedule.LoopLag;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The agent's probe metrics. Per-target series live as fields of one object per target, added when a target
 * appears and dropped when it goes (so label values stay bounded by the target list), and are rendered by a
 * collector at scrape time; the fleet-wide ones are Micrometer meters. Updated from the agent's event loop.
 */
public final class AgentMetrics {
    private static final String[] PHASES = {"dns", "connect", "tls", "first_byte", "total"};
    private final PrometheusMeterRegistry registry;
    private final String region;
    private final Map<String, TargetSeries> targets = new ConcurrentHashMap<>();
    private final Counter probesSucceeded;
    private final Counter probesFailed;
    private final Counter probesNoVote;
    private final Counter skippedInFlight;
    private final Counter reloadsSucceeded;
    private final Counter reloadsFailed;
    private volatile double lastReloadSuccessful = 1;
    private volatile double lastReloadSuccessSeconds;

    public AgentMetrics(PrometheusMeterRegistry registry, String region, IntSupplier inFlight, double startSeconds) {
        this.registry = registry;
        this.region = region;
        registry.getPrometheusRegistry().register(new PerTargetCollector());
        this.probesSucceeded = Counter.builder(PROBES).description("Probes completed").tag(TAG_OUTCOME, "success").register(registry);
        this.probesFailed = Counter.builder(PROBES).description("Probes completed").tag(TAG_OUTCOME, "failure").register(registry);
        this.probesNoVote = Counter.builder(PROBES).description("Probes completed").tag(TAG_OUTCOME, "no_vote").register(registry);
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

    /** Registers series for new targets and removes those of targets that are gone. */
    public void targets(List<TargetSpec> current) {
        Set<String> names = new HashSet<>();
        for (TargetSpec target : current) {
            names.add(target.name());
            targets.computeIfAbsent(target.name(), name -> new TargetSeries(name, region));
        }
        targets.keySet().retainAll(names);
    }

    /**
     * Records a result. One that is no vote (measured while this agent ran late) counts only as a failure
     * with reason agent_overloaded: the target's success, timings and last timestamp keep the last real
     * measurement, which therefore ages visibly.
     */
    public void record(ProbeResult result) {
        TargetSeries series = targets.get(result.target());
        (result.success() ? probesSucceeded : result.isVote() ? probesFailed : probesNoVote).increment();
        if (series == null) {
            return;
        }
        if (result.isVote()) {
            series.record(result);
        } else {
            series.failures[result.reason().ordinal()]++;
        }
    }

    /** How late probe loop {@code index} runs (see {@link LoopLag}). */
    public void loopLag(int index, LoopLag lag) {
        Gauge.builder(EVENT_LOOP_LAG, lag, LoopLag::lastLagSeconds).tag(TAG_LOOP, String.valueOf(index))
                .description("How late the probe loop ran its latest lag sample (sampled every 100 ms)").register(registry);
        FunctionCounter.builder(EVENT_LOOP_OVERLOADED, lag, LoopLag::overloadedSamples).tag(TAG_LOOP, String.valueOf(index))
                .description("Lag samples of 100 ms or more: timeouts measured around them are no vote").register(registry);
    }

    /** The TLS engine and network transport in use, and how many probe loops run. */
    public void runtime(String tlsEngine, String transport, int loops) {
        Gauge.builder(RUNTIME_INFO, () -> 1).tag("tls_engine", tlsEngine).tag("transport", transport)
                .description("The agent's TLS engine (openssl or jdk) and network transport (epoll or nio); always 1").register(registry);
        Gauge.builder(PROBE_LOOPS, () -> loops).description("Event loops running probes").register(registry);
    }

    public void overrun(String target) {
        TargetSeries series = targets.get(target);
        if (series != null) {
            series.overruns++;
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

    /**
     * One target's series, as plain fields: written by the agent's event loop, read by the scrape. There
     * are no per-target meter objects: at 10,000 targets, 90,000 Micrometer meters cost about 66 MB of heap
     * and most of a scrape's CPU, which this collector does not.
     */
    private static final class TargetSeries {
        final Labels labels;
        final Labels[] phaseLabels = new Labels[PHASES.length];
        final double[] phases = new double[PHASES.length];
        final long[] failures = new long[FailureReason.values().length];
        volatile double success = Double.NaN;
        volatile double status = Double.NaN;
        volatile double lastSeconds = Double.NaN;
        volatile double expirySeconds = Double.NaN;
        volatile long overruns;

        TargetSeries(String name, String region) {
            this.labels = Labels.of(TAG_REGION, region, TAG_TARGET, name);
            for (int i = 0; i < PHASES.length; i++) {
                phaseLabels[i] = Labels.of(TAG_PHASE, PHASES[i], TAG_REGION, region, TAG_TARGET, name);
            }
        }

        void record(ProbeResult result) {
            PhaseTimings timings = result.timings();
            phases[0] = orZero(timings.dns());
            phases[1] = orZero(timings.connect());
            phases[2] = orZero(timings.tls());
            phases[3] = orZero(timings.firstByte());
            phases[4] = orZero(timings.total());
            if (result.statusCode() != null) {
                status = result.statusCode();
            }
            if (result.tlsNotAfter() != null) {
                expirySeconds = result.tlsNotAfter();
            }
            if (!result.success()) {
                failures[result.reason().ordinal()]++;
            }
            lastSeconds = result.timestamp() / 1000.0;
            success = result.success() ? 1 : 0; // written last: the scrape shows a target once this is set
        }

        private static double orZero(Double seconds) {
            return seconds == null ? 0 : seconds;
        }
    }

    /** Renders every target's series at scrape time, straight from the fields above. */
    private final class PerTargetCollector implements MultiCollector {
        private static final String SUCCESS = PROBE_SUCCESS;
        private static final String DURATION = PROBE_DURATION;
        private static final String STATUS = PROBE_HTTP_STATUS;
        private static final String EXPIRY = PROBE_TLS_EXPIRY;
        private static final String LAST = PROBE_LAST_TIMESTAMP;
        private static final String FAILURES = PROBE_FAILURES;
        private static final String OVERRUNS = PROBE_OVERRUNS;

        @Override
        public MetricSnapshots collect() {
            GaugeSnapshot.Builder success = GaugeSnapshot.builder().name(SUCCESS).help("1 if the last probe succeeded, 0 if it failed");
            GaugeSnapshot.Builder duration = GaugeSnapshot.builder().name(DURATION)
                    .help("Seconds the last probe spent in each phase; first_byte counts from the start");
            GaugeSnapshot.Builder status = GaugeSnapshot.builder().name(STATUS).help("HTTP status code of the last probe");
            GaugeSnapshot.Builder expiry = GaugeSnapshot.builder().name(EXPIRY).help("notAfter of the leaf certificate seen by the last TLS handshake");
            GaugeSnapshot.Builder last = GaugeSnapshot.builder().name(LAST).help("Start time of the last completed probe");
            CounterSnapshot.Builder failures = CounterSnapshot.builder().name(FAILURES).help("Failed probes by reason");
            CounterSnapshot.Builder overruns = CounterSnapshot.builder().name(OVERRUNS)
                    .help("Probes skipped because the previous probe of the target was still running");
            FailureReason[] reasons = FailureReason.values();
            for (TargetSeries series : targets.values()) {
                double ok = series.success;
                if (Double.isNaN(ok)) {
                    continue; // no result yet
                }
                success.dataPoint(GaugeDataPointSnapshot.builder().value(ok).labels(series.labels).build());
                last.dataPoint(GaugeDataPointSnapshot.builder().value(series.lastSeconds).labels(series.labels).build());
                for (int i = 0; i < PHASES.length; i++) {
                    duration.dataPoint(GaugeDataPointSnapshot.builder().value(series.phases[i]).labels(series.phaseLabels[i]).build());
                }
                if (!Double.isNaN(series.status)) {
                    status.dataPoint(GaugeDataPointSnapshot.builder().value(series.status).labels(series.labels).build());
                }
                if (!Double.isNaN(series.expirySeconds)) {
                    expiry.dataPoint(GaugeDataPointSnapshot.builder().value(series.expirySeconds).labels(series.labels).build());
                }
                for (int r = 0; r < reasons.length; r++) {
                    long count = series.failures[r];
                    if (count > 0) {
                        failures.dataPoint(CounterDataPointSnapshot.builder().value(count)
                                .labels(series.labels.add(TAG_REASON, reasons[r].label())).build());
                    }
                }
                if (series.overruns > 0) {
                    overruns.dataPoint(CounterDataPointSnapshot.builder().value(series.overruns).labels(series.labels).build());
                }
            }
            return MetricSnapshots.of(success.build(), duration.build(), status.build(), expiry.build(), last.build(), failures.build(), overruns.build());
        }

        @Override
        public List<String> getPrometheusNames() {
            return List.of(SUCCESS, DURATION, STATUS, EXPIRY, LAST, FAILURES, OVERRUNS);
        }
    }
}
