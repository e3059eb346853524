package io.vantage.agent.metrics;

import static io.vantage.agent.metrics.MetricNames.*;
import static io.vantage.runtime.Exposition.family;
import static io.vantage.runtime.Exposition.labels;
import static io.vantage.runtime.Exposition.sample;
import static io.vantage.runtime.Exposition.value;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.agent.overload.LoopLag;
import io.vantage.runtime.Answers;
import io.vantage.runtime.ReloadMetrics;
import io.vantage.runtime.otlp.OtlpNames;
import io.vantage.runtime.otlp.OtlpParts;
import io.vantage.runtime.otlp.OtlpWriter;
import io.vantage.runtime.otlp.RegistryMetrics;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.HttpSpec;
import io.vantage.wire.target.TargetSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The agent's probe metrics. Per-target series live as fields of one object per target, added when a target
 * appears and dropped when it goes (so label values stay bounded by the target list), and are rendered by
 * {@link #scrape()} at scrape time and by {@link #otlp()} at each OTLP export; the fleet-wide ones are Micrometer
 * meters. Results, targets and reloads are
 * recorded from the agent's event loop; {@link #overrun} and {@link #skippedInFlight} from the probe loops (a target's
 * overruns only from the one loop that runs it, so each series still has one writer).
 */
public final class AgentMetrics {
    private static final String[] PHASES = {"dns", "connect", "tls", "first_byte", "total"};
    private static final FailureReason[] REASONS = FailureReason.values();
    private final PrometheusMeterRegistry registry;
    private final String region;
    private final Map<String, TargetSeries> targets = new ConcurrentHashMap<>();
    private final Counter probesSucceeded;
    private final Counter probesFailed;
    private final Counter probesNoVote;
    private final Counter skippedInFlight;
    private final ReloadMetrics reloads;
    private final long startNanos;

    public AgentMetrics(PrometheusMeterRegistry registry, String region, IntSupplier inFlight, double startSeconds) {
        this.registry = registry;
        this.region = region;
        this.startNanos = Math.round(startSeconds * 1e9);
        this.probesSucceeded = Counter.builder(PROBES)
                .description("Probes completed")
                .tag(TAG_OUTCOME, "success")
                .register(registry);
        this.probesFailed = Counter.builder(PROBES)
                .description("Probes completed")
                .tag(TAG_OUTCOME, "failure")
                .register(registry);
        this.probesNoVote = Counter.builder(PROBES)
                .description("Probes completed")
                .tag(TAG_OUTCOME, "no_vote")
                .register(registry);
        this.skippedInFlight = Counter.builder(PROBES_SKIPPED)
                .description("Probes not started because maxInFlight probes were already running")
                .tag(TAG_REASON, "max_in_flight")
                .register(registry);
        Gauge.builder(PROBES_IN_FLIGHT, inFlight, IntSupplier::getAsInt)
                .strongReference(true)
                .description("Probes running now")
                .register(registry);
        Gauge.builder(TARGETS, targets, Map::size)
                .description("Targets being probed")
                .register(registry);
        this.reloads = new ReloadMetrics(registry, startSeconds);
    }

    /** Registers series for new targets and removes those of targets that are gone. */
    public void targets(List<TargetSpec> current) {
        Set<String> names = new HashSet<>();
        long nowNanos = System.currentTimeMillis() * 1_000_000;
        for (TargetSpec target : current) {
            names.add(target.name());
            targets.computeIfAbsent(target.name(), name -> new TargetSeries(name, region, nowNanos)).http =
                    target.http();
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
            series.failed(result.reason());
        }
    }

    /** How late probe loop {@code index} runs (see {@link LoopLag}). */
    public void loopLag(int index, LoopLag lag) {
        Gauge.builder(EVENT_LOOP_LAG, lag, LoopLag::lastLagSeconds)
                .tag(TAG_LOOP, String.valueOf(index))
                .description("How late the probe loop ran its latest lag sample (sampled every 100 ms)")
                .register(registry);
        FunctionCounter.builder(EVENT_LOOP_OVERLOADED, lag, LoopLag::overloadedSamples)
                .tag(TAG_LOOP, String.valueOf(index))
                .description("Lag samples of 100 ms or more: timeouts measured around them are no vote")
                .register(registry);
    }

    /** The TLS engine and network transport in use, and how many probe loops run. */
    public void runtime(String tlsEngine, String transport, int loops) {
        Gauge.builder(RUNTIME_INFO, () -> 1)
                .tag("tls_engine", tlsEngine)
                .tag("transport", transport)
                .description("The agent's TLS engine (openssl or jdk) and network transport (epoll or nio); always 1")
                .register(registry);
        Gauge.builder(PROBE_LOOPS, () -> loops)
                .description("Event loops running probes")
                .register(registry);
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
        reloads.reload(applied, nowSeconds);
    }

    /**
     * One target's series, as plain fields: written by the agent's event loop (overruns: by its probe loop), read by
     * the scrape. There are no per-target meter objects: at 10,000 targets, 90,000 Micrometer meters cost about 66 MB
     * of heap and most of a scrape's CPU.
     */
    private static final class TargetSeries {
        /** {@code {region="…",target="…"}}: the one string a target keeps; other label sets are written around it. */
        final String labels;
        /** The target's name (the map's key), for OTLP's attributes. */
        final String name;
        /** When its counts started (Unix epoch nanoseconds): the start of its OTLP sums. */
        final long startNanos;
        /** The target's HTTP settings (its URL and method for OTLP's httpcheck metrics); null for other probes. */
        volatile HttpSpec http;
        /** Why the latest probe failed; null while it succeeded. */
        volatile FailureReason lastFailure;

        final double[] phases = new double[PHASES.length];
        /** Failures by reason; allocated at the first failure (most targets never fail). */
        long[] failures;

        volatile double success = Double.NaN;
        volatile double status = Double.NaN;
        volatile double lastSeconds = Double.NaN;
        volatile double expirySeconds = Double.NaN;
        volatile long overruns;

        TargetSeries(String name, String region, long startNanos) {
            this.labels = labels(TAG_REGION, region, TAG_TARGET, name);
            this.name = name;
            this.startNanos = startNanos;
        }

        void failed(FailureReason reason) {
            if (failures == null) {
                failures = new long[REASONS.length];
            }
            failures[reason.ordinal()]++;
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
                failed(result.reason());
            }
            lastFailure = result.success() ? null : result.reason();
            lastSeconds = result.timestamp() / 1000.0;
            success = result.success() ? 1 : 0; // written last: the scrape shows a target once this is set
        }

        private static double orZero(Double seconds) {
            return seconds == null ? 0 : seconds;
        }
    }

    /**
     * The exposition, in parts ({@link Answers.Parts}): the registry's meters, then every target's series written
     * straight from the fields above in the text format (0.0.4), family by family. Writing the text directly, rather
     * than building Prometheus snapshot objects per series, is what keeps a scrape of 10,000 targets (90,000 series)
     * cheap; writing it in parts is what keeps it from growing the heap (docs/benchmarks.md). The parts are built on
     * worker threads; the targets are those with a result when the first part is built, their fields read without
     * locks (a scrape may see one probe's timings half updated).
     */
    public Answers.Parts scrape() {
        return new Answers.Parts() {
            private TargetSeries[] all;
            private int at; // the family being written
            private int next; // its next target

            @Override
            public boolean next(StringBuilder out) {
                if (all == null) {
                    out.append(registry.scrape());
                    all = targets.values().stream()
                            .filter(series -> !Double.isNaN(series.success))
                            .toArray(TargetSeries[]::new);
                }
                for (; at < FAMILIES.length; at++, next = 0) {
                    Family written = FAMILIES[at];
                    if (next == 0) {
                        family(out, written.name, written.type, written.help);
                    }
                    while (next < all.length) {
                        if (out.length() >= Answers.PART_CHARS) {
                            return true;
                        }
                        written.samples.accept(out, all[next++]);
                    }
                }
                return false;
            }
        };
    }

    /** A family of per-target series: its name, type and help, and how one target's samples are written. */
    private record Family(String name, String type, String help, BiConsumer<StringBuilder, TargetSeries> samples) {}

    private static final Family[] FAMILIES = {
        new Family(
                PROBE_SUCCESS,
                "gauge",
                "1 if the last probe succeeded, 0 if it failed",
                (out, series) -> sample(out, PROBE_SUCCESS, series.labels, series.success)),
        new Family(
                PROBE_DURATION,
                "gauge",
                "Seconds the last probe spent in each phase; first_byte counts from the start",
                (out, series) -> {
                    for (int i = 0; i < PHASES.length; i++) {
                        out.append(PROBE_DURATION)
                                .append("{phase=\"")
                                .append(PHASES[i])
                                .append("\",");
                        value(out, series.labels, 1, series.phases[i]);
                    }
                }),
        new Family(
                PROBE_HTTP_STATUS,
                "gauge",
                "HTTP status code of the last probe",
                (out, series) -> sample(out, PROBE_HTTP_STATUS, series.labels, series.status)),
        new Family(
                PROBE_TLS_EXPIRY,
                "gauge",
                "notAfter of the leaf certificate seen by the last TLS handshake",
                (out, series) -> sample(out, PROBE_TLS_EXPIRY, series.labels, series.expirySeconds)),
        new Family(
                PROBE_LAST_TIMESTAMP,
                "gauge",
                "Start time of the last completed probe",
                (out, series) -> sample(out, PROBE_LAST_TIMESTAMP, series.labels, series.lastSeconds)),
        new Family(PROBE_FAILURES + "_total", "counter", "Failed probes by reason", (out, series) -> {
            long[] counts = series.failures;
            for (int r = 0; counts != null && r < REASONS.length; r++) {
                if (counts[r] > 0) {
                    out.append(PROBE_FAILURES)
                            .append("_total{reason=\"")
                            .append(REASONS[r].label())
                            .append("\",")
                            .append(series.labels, 1, series.labels.length())
                            .append(' ')
                            .append(counts[r])
                            .append(".0\n");
                }
            }
        }),
        new Family(
                PROBE_OVERRUNS + "_total",
                "counter",
                "Probes skipped because the previous probe of the target was still running",
                (out, series) -> {
                    if (series.overruns > 0) {
                        out.append(PROBE_OVERRUNS)
                                .append("_total")
                                .append(series.labels)
                                .append(' ')
                                .append(series.overruns)
                                .append(".0\n");
                    }
                }),
    };

    /**
     * The OTLP export, in parts ({@link OtlpParts}): the registry's meters, then every target's series written into the
     * request straight from the same fields as {@link #scrape()}, metric by metric, each part about
     * {@link OtlpWriter#PART_BYTES}. The names are the Prometheus ones by {@link OtlpNames}' rule, the labels
     * attributes ({@code region} is the resource's {@code cloud.region}); HTTP targets also have the OpenTelemetry
     * Collector's httpcheck receiver's metrics (docs/operations.md, "OpenTelemetry (OTLP) export").
     */
    public OtlpParts otlp() {
        return new OtlpParts() {
            private TargetSeries[] all;
            private int at; // the metric being written
            private int next; // its next target

            @Override
            public boolean next(OtlpWriter out) {
                if (all == null) {
                    RegistryMetrics.write(out, registry, startNanos);
                    all = targets.values().stream()
                            .filter(series -> !Double.isNaN(series.success))
                            .toArray(TargetSeries[]::new);
                }
                for (; at < OTLP.length; at++, next = 0) {
                    OtlpMetric written = OTLP[at];
                    written.start().accept(out);
                    while (next < all.length) {
                        if (out.size() >= OtlpWriter.PART_BYTES) {
                            return true;
                        }
                        written.points().accept(out, all[next++]);
                    }
                }
                return false;
            }
        };
    }

    /** An OTLP metric of per-target series: how it starts in a request, and how one target's points are written. */
    private record OtlpMetric(Consumer<OtlpWriter> start, BiConsumer<OtlpWriter, TargetSeries> points) {}

    private static final OtlpNames SUCCESS = OtlpNames.of(PROBE_SUCCESS);
    private static final OtlpNames DURATION = OtlpNames.of(PROBE_DURATION);
    private static final OtlpNames TLS_EXPIRY = OtlpNames.of(PROBE_TLS_EXPIRY);
    private static final OtlpNames LAST_TIMESTAMP = OtlpNames.of(PROBE_LAST_TIMESTAMP);
    private static final OtlpNames FAILURES = OtlpNames.of(PROBE_FAILURES);
    private static final OtlpNames OVERRUNS = OtlpNames.of(PROBE_OVERRUNS);
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private static final OtlpMetric[] OTLP = {
        new OtlpMetric(
                out -> out.gauge(SUCCESS.name(), "1 if the last probe succeeded, 0 if it failed", SUCCESS.unit()),
                (out, series) -> out.point().attribute(TAG_TARGET, series.name).value(series.success)),
        new OtlpMetric(
                out -> out.gauge(
                        DURATION.name(),
                        "Seconds the last probe spent in each phase; first_byte counts from the start",
                        DURATION.unit()),
                (out, series) -> {
                    for (int i = 0; i < PHASES.length; i++) {
                        out.point()
                                .attribute(TAG_PHASE, PHASES[i])
                                .attribute(TAG_TARGET, series.name)
                                .value(series.phases[i]);
                    }
                }),
        new OtlpMetric(
                out -> out.gauge(
                        TLS_EXPIRY.name(),
                        "notAfter of the leaf certificate seen by the last TLS handshake",
                        TLS_EXPIRY.unit()),
                (out, series) -> out.point().attribute(TAG_TARGET, series.name).value(series.expirySeconds)),
        new OtlpMetric(
                out -> out.gauge(
                        LAST_TIMESTAMP.name(), "Start time of the last completed probe", LAST_TIMESTAMP.unit()),
                (out, series) -> out.point().attribute(TAG_TARGET, series.name).value(series.lastSeconds)),
        new OtlpMetric(
                out -> out.sum(FAILURES.name(), "Failed probes by reason", FAILURES.unit(), true, 0), (out, series) -> {
                    long[] counts = series.failures;
                    for (int r = 0; counts != null && r < REASONS.length; r++) {
                        if (counts[r] > 0) {
                            out.point(series.startNanos)
                                    .attribute(TAG_REASON, REASONS[r].label())
                                    .attribute(TAG_TARGET, series.name)
                                    .value(counts[r]);
                        }
                    }
                }),
        new OtlpMetric(
                out -> out.sum(
                        OVERRUNS.name(),
                        "Probes skipped because the previous probe of the target was still running",
                        OVERRUNS.unit(),
                        true,
                        0),
                (out, series) -> {
                    if (series.overruns > 0) {
                        out.point(series.startNanos)
                                .attribute(TAG_TARGET, series.name)
                                .value(series.overruns);
                    }
                }),
        // The httpcheck receiver's metrics (its metadata.yaml): status by class, duration in ms, the latest error.
        new OtlpMetric(
                out -> out.sum(
                        "httpcheck.status",
                        "1 if the check resulted in status_code matching the status_class, otherwise 0.",
                        "1",
                        false,
                        0),
                (out, series) -> {
                    HttpSpec http = series.http;
                    double status = series.status;
                    if (http == null || Double.isNaN(status)) {
                        return;
                    }
                    String matching = (int) status / 100 + "xx";
                    for (String statusClass : STATUS_CLASSES) {
                        out.point(series.startNanos)
                                .attribute("http.url", http.url().toString())
                                .attribute("http.status_code", (long) status)
                                .attribute("http.method", http.method())
                                .attribute("http.status_class", statusClass)
                                .attribute(TAG_TARGET, series.name)
                                .value(statusClass.equals(matching) ? 1L : 0L);
                    }
                }),
        new OtlpMetric(
                out -> out.gauge("httpcheck.duration", "Measures the duration of the HTTP check.", "ms"),
                (out, series) -> {
                    HttpSpec http = series.http;
                    if (http != null) {
                        out.point()
                                .attribute("http.url", http.url().toString())
                                .attribute(TAG_TARGET, series.name)
                                .value(Math.round(series.phases[4] * 1000));
                    }
                }),
        new OtlpMetric(
                out -> out.sum("httpcheck.error", "Records errors occurring during HTTP check.", "{error}", false, 0),
                (out, series) -> {
                    HttpSpec http = series.http;
                    FailureReason reason = series.lastFailure;
                    if (http != null && reason != null) {
                        out.point(series.startNanos)
                                .attribute("http.url", http.url().toString())
                                .attribute("error.message", reason.label())
                                .attribute(TAG_TARGET, series.name)
                                .value(1L);
                    }
                }),
    };
}
