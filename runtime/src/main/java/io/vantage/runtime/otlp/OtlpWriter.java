package io.vantage.runtime.otlp;

import java.util.List;

/**
 * Writes one OTLP {@code ExportMetricsServiceRequest}: one resource, one instrumentation scope, then metrics, each with
 * its data points, streamed as a process walks its series: no message objects, one growing byte array that an export
 * reuses for each of its requests. Every point of a request has the same time (the export's). A metric without points
 * and a point whose value is NaN (not measured yet, as the Prometheus exposition leaves it out) are dropped.
 *
 * <p>Use: {@link #gauge}, {@link #sum}, {@link #histogram} or {@link #summary} start a metric (ending the one before);
 * {@link #point()} starts a data point, {@link #attribute} adds to it, and a {@code value} method ends it.
 */
public final class OtlpWriter {
    /**
     * About how many bytes one part holds: a process's parts ({@link OtlpParts}) end once past this. Small, as the
     * parts of a {@code /metrics} answer are: an export holds one part at a time, and parts this size stay in the young
     * generation (megabyte arrays went to the old one, which the serial collector grew rather than collected).
     */
    public static final int PART_BYTES = 64 * 1024;

    private static final int NUMBER = 0;
    private static final int HISTOGRAM = 1;
    private static final int SUMMARY = 2;
    // ExportMetricsServiceRequest.resource_metrics, ResourceMetrics.resource / scope_metrics, ScopeMetrics.scope /
    // metrics, Resource.attributes, InstrumentationScope.name / version.
    private static final int RESOURCE_METRICS = 1;
    private static final int RESOURCE = 1;
    private static final int SCOPE_METRICS = 2;
    private static final int SCOPE = 1;
    private static final int METRICS = 2;
    private static final int ATTRIBUTES = 1;

    private final Protobuf out = new Protobuf();
    private final List<String> resource;
    private final String scopeName;
    private final String scopeVersion;
    private long nowNanos;
    private int request;
    private int scopeMetrics;
    // The open metric: where its field began, its mark, its data's mark, its points, the kind and start of its points.
    private int metricAt = -1;
    private int metric;
    private int data;
    private int points;
    private int kind;
    private long startNanos;
    // The open point: where its field began and its mark.
    private int pointAt = -1;
    private int point;

    /**
     * {@code resource}: the resource's attributes as key, value pairs (service.name first); {@code scopeName} and
     * {@code scopeVersion}: the instrumentation scope (this program).
     */
    public OtlpWriter(List<String> resource, String scopeName, String scopeVersion) {
        if (resource.size() % 2 != 0) {
            throw new IllegalArgumentException("resource attributes come in key, value pairs");
        }
        this.resource = List.copyOf(resource);
        this.scopeName = scopeName;
        this.scopeVersion = scopeVersion;
    }

    /** Starts a new request whose points are measured at {@code nowNanos} (Unix epoch nanoseconds). */
    void start(long nowNanos) {
        this.nowNanos = nowNanos;
        out.clear();
        metricAt = -1;
        pointAt = -1;
        request = out.begin(RESOURCE_METRICS);
        int attributes = out.begin(RESOURCE);
        for (int i = 0; i < resource.size(); i += 2) {
            keyValue(ATTRIBUTES, resource.get(i), resource.get(i + 1));
        }
        out.end(attributes);
        scopeMetrics = out.begin(SCOPE_METRICS);
        int scope = out.begin(SCOPE);
        out.string(1, scopeName);
        if (scopeVersion != null) {
            out.string(2, scopeVersion);
        }
        out.end(scope);
    }

    /** The request's bytes so far. */
    public int size() {
        return out.size();
    }

    /** Ends the request and returns its bytes. */
    byte[] finish() {
        endMetric();
        out.end(scopeMetrics);
        out.end(request);
        return out.toByteArray();
    }

    /** Starts a gauge: a value as of now. */
    public void gauge(String name, String description, String unit) {
        startMetric(name, description, unit, 5, NUMBER, 0);
    }

    /**
     * Starts a cumulative sum counted since {@code startNanos} (a point may give its own start): a counter when
     * {@code monotonic}.
     */
    public void sum(String name, String description, String unit, boolean monotonic, long startNanos) {
        startMetric(name, description, unit, 7, NUMBER, startNanos);
        out.varint(2, 2); // AGGREGATION_TEMPORALITY_CUMULATIVE
        if (monotonic) {
            out.varint(3, 1);
        }
    }

    /** Starts a cumulative histogram with explicit bucket bounds, counted since {@code startNanos}. */
    public void histogram(String name, String description, String unit, long startNanos) {
        startMetric(name, description, unit, 9, HISTOGRAM, startNanos);
        out.varint(2, 2);
    }

    /** Starts a summary (count, sum and quantiles), counted since {@code startNanos}. */
    public void summary(String name, String description, String unit, long startNanos) {
        startMetric(name, description, unit, 11, SUMMARY, startNanos);
    }

    /** Starts a data point of the current metric, counted (a sum's) since the metric's start. */
    public OtlpWriter point() {
        return point(startNanos);
    }

    /** Starts a data point of the current metric, counted (a sum's) since {@code startNanos}. */
    public OtlpWriter point(long startNanos) {
        if (metricAt < 0) {
            throw new IllegalStateException("a point belongs to a metric: start one first");
        }
        endPoint();
        pointAt = out.size();
        point = out.begin(1);
        if (startNanos > 0) {
            out.fixed64(2, startNanos);
        }
        out.fixed64(3, nowNanos);
        return this;
    }

    public OtlpWriter attribute(String key, String value) {
        keyValue(attributesField(), key, value);
        return this;
    }

    public OtlpWriter attribute(String key, long value) {
        int keyValue = out.begin(attributesField());
        out.string(1, key);
        int any = out.begin(2);
        out.varint(3, value); // AnyValue.int_value
        out.end(any);
        out.end(keyValue);
        return this;
    }

    /** Ends the point with a double value; a NaN drops the point. */
    public void value(double value) {
        if (Double.isNaN(value)) {
            out.truncate(pointAt);
            pointAt = -1;
            return;
        }
        out.double64(4, value); // NumberDataPoint.as_double
        endPoint();
    }

    /** Ends the point with an integer value. */
    public void value(long value) {
        out.fixed64(6, value); // NumberDataPoint.as_int
        endPoint();
    }

    /**
     * Ends a histogram point: {@code counts} are per bucket (not cumulative), one more than {@code bounds} (the last
     * counts what is above every bound).
     */
    public void histogramValue(long count, double sum, double[] bounds, long[] counts) {
        out.fixed64(4, count);
        out.double64(5, sum);
        if (bounds.length > 0) {
            out.packedFixed64(6, counts);
            out.packedDouble(7, bounds);
        }
        endPoint();
    }

    /** Ends a summary point: its count, sum and each quantile's value. */
    public void summaryValue(long count, double sum, double[] quantiles, double[] values) {
        out.fixed64(4, count);
        out.double64(5, sum);
        for (int i = 0; i < quantiles.length; i++) {
            int quantile = out.begin(6);
            out.double64(1, quantiles[i]);
            out.double64(2, values[i]);
            out.end(quantile);
        }
        endPoint();
    }

    private void startMetric(String name, String description, String unit, int dataField, int kind, long startNanos) {
        endMetric();
        metricAt = out.size();
        metric = out.begin(METRICS);
        out.string(1, name);
        if (description != null && !description.isEmpty()) {
            out.string(2, description);
        }
        if (unit != null && !unit.isEmpty()) {
            out.string(3, unit);
        }
        data = out.begin(dataField);
        points = 0;
        this.kind = kind;
        this.startNanos = startNanos;
    }

    private void endMetric() {
        endPoint();
        if (metricAt < 0) {
            return;
        }
        if (points == 0) {
            out.truncate(metricAt);
        } else {
            out.end(data);
            out.end(metric);
        }
        metricAt = -1;
    }

    private void endPoint() {
        if (pointAt < 0) {
            return;
        }
        out.end(point);
        points++;
        pointAt = -1;
    }

    /** NumberDataPoint and SummaryDataPoint keep attributes in field 7, HistogramDataPoint in 9. */
    private int attributesField() {
        if (pointAt < 0) {
            throw new IllegalStateException("an attribute belongs to a point: start one first");
        }
        return kind == HISTOGRAM ? 9 : 7;
    }

    private void keyValue(int field, String key, String value) {
        int keyValue = out.begin(field);
        out.string(1, key);
        int any = out.begin(2);
        out.string(1, value); // AnyValue.string_value
        out.end(any);
        out.end(keyValue);
    }
}
