package io.vantage.agent.metrics;

/**
 * Metric names. The per-target series are rendered directly in Prometheus form (counters get {@code _total}
 * on exposition); the others are Micrometer names, which the Prometheus registry turns into the same form
 * (dots to underscores, {@code _total} on counters). docs/operations.md lists them all (MetricsReferenceTest).
 */
public final class MetricNames {
    public static final String PROBE_SUCCESS = "vantage_probe_success";
    public static final String PROBE_DURATION = "vantage_probe_duration_seconds";
    public static final String PROBE_HTTP_STATUS = "vantage_probe_http_status_code";
    public static final String PROBE_TLS_EXPIRY = "vantage_probe_tls_cert_expiry_timestamp_seconds";
    public static final String PROBE_LAST_TIMESTAMP = "vantage_probe_last_timestamp_seconds";
    public static final String PROBE_FAILURES = "vantage_probe_failures";
    public static final String PROBE_OVERRUNS = "vantage_probe_overruns";
    public static final String PROBES = "vantage.probes";
    public static final String PROBES_IN_FLIGHT = "vantage.probes.in.flight";
    public static final String PROBES_SKIPPED = "vantage.probes.skipped";
    public static final String TARGETS = "vantage.targets";
    public static final String EVENT_LOOP_LAG = "vantage.agent.event.loop.lag.seconds";
    public static final String EVENT_LOOP_OVERLOADED = "vantage.agent.event.loop.overloaded.samples";
    public static final String RUNTIME_INFO = "vantage.agent.runtime.info";
    public static final String PROBE_LOOPS = "vantage.agent.probe.loops";
    public static final String REPORT_PUSH = "vantage.report.push";
    public static final String REPORT_BUFFERED = "vantage.report.buffered.results";
    public static final String REPORT_SUPERSEDED = "vantage.report.superseded.results";
    public static final String REPORT_DROPPED = "vantage.report.dropped.results";
    public static final String TARGETS_FETCH = "vantage.targets.fetch";
    public static final String TARGETS_ASSIGNED = "vantage.targets.assigned";
    public static final String AGGREGATOR_REPLICA_CHANGES = "vantage.agent.aggregator.replica.changes";
    public static final String SERVER_REFUSED = "vantage.agent.server.refused";
    public static final String PROBE_REQUESTS = "vantage.agent.probe.requests";

    public static final String TAG_TARGET = "target";
    public static final String TAG_REGION = "region";
    public static final String TAG_PHASE = "phase";
    public static final String TAG_REASON = "reason";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_AGGREGATOR = "aggregator";
    public static final String TAG_LOOP = "loop";
    public static final String TAG_MODULE = "module";

    private MetricNames() {}
}
