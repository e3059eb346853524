package io.vantage.agent.metrics;

/**
 * Metric names as Micrometer sees them; the Prometheus registry turns dots into underscores and adds
 * {@code _total} to counters, giving the names documented in docs/architecture.md.
 */
public final class MetricNames {
    public static final String PROBE_SUCCESS = "vantage.probe.success";
    public static final String PROBE_DURATION = "vantage.probe.duration.seconds";
    public static final String PROBE_HTTP_STATUS = "vantage.probe.http.status.code";
    public static final String PROBE_TLS_EXPIRY = "vantage.probe.tls.cert.expiry.timestamp.seconds";
    public static final String PROBE_LAST_TIMESTAMP = "vantage.probe.last.timestamp.seconds";
    public static final String PROBE_FAILURES = "vantage.probe.failures";
    public static final String PROBE_OVERRUNS = "vantage.probe.overruns";
    public static final String PROBES = "vantage.probes";
    public static final String PROBES_IN_FLIGHT = "vantage.probes.in.flight";
    public static final String PROBES_SKIPPED = "vantage.probes.skipped";
    public static final String TARGETS = "vantage.targets";
    public static final String REPORT_PUSH = "vantage.report.push";
    public static final String REPORT_BUFFERED = "vantage.report.buffered.results";
    public static final String REPORT_SUPERSEDED = "vantage.report.superseded.results";
    public static final String REPORT_DROPPED = "vantage.report.dropped.results";
    public static final String TARGETS_FETCH = "vantage.targets.fetch";
    public static final String CONFIG_RELOAD_SUCCESS = "vantage.config.last.reload.successful";
    public static final String CONFIG_RELOAD_TIMESTAMP = "vantage.config.last.reload.success.timestamp.seconds";
    public static final String CONFIG_RELOADS = "vantage.config.reloads";

    public static final String TAG_TARGET = "target";
    public static final String TAG_REGION = "region";
    public static final String TAG_PHASE = "phase";
    public static final String TAG_REASON = "reason";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_AGGREGATOR = "aggregator";

    private MetricNames() {}
}
