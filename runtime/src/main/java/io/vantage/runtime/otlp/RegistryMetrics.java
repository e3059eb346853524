package io.vantage.runtime.otlp;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

/**
 * The meters of a Prometheus registry (the JVM's, Vert.x's and vantage's fleet-wide ones) as OTLP metrics: the families
 * of the registry's own snapshot, the one {@code /metrics} writes, named by {@link OtlpNames} and with their labels as
 * attributes. Counters become monotonic sums, gauges and info families gauges, histograms explicit-bucket histograms,
 * summaries summaries; state sets are left out (the registry makes none).
 */
public final class RegistryMetrics {
    private RegistryMetrics() {}

    /** Writes every family of {@code registry}; counters count since {@code startNanos} (the process's start). */
    public static void write(OtlpWriter out, PrometheusMeterRegistry registry, long startNanos) {
        for (MetricSnapshot family : registry.getPrometheusRegistry().scrape()) {
            OtlpNames names = OtlpNames.of(family.getMetadata().getPrometheusName());
            String help = family.getMetadata().getHelp();
            if (family instanceof CounterSnapshot counter) {
                out.sum(names.name(), help, names.unit(), true, startNanos);
                for (CounterSnapshot.CounterDataPointSnapshot point : counter.getDataPoints()) {
                    attributes(out.point(start(point, startNanos)), point.getLabels())
                            .value(point.getValue());
                }
            } else if (family instanceof GaugeSnapshot gauge) {
                out.gauge(names.name(), help, names.unit());
                for (GaugeSnapshot.GaugeDataPointSnapshot point : gauge.getDataPoints()) {
                    attributes(out.point(), point.getLabels()).value(point.getValue());
                }
            } else if (family instanceof UnknownSnapshot unknown) {
                out.gauge(names.name(), help, names.unit());
                for (UnknownSnapshot.UnknownDataPointSnapshot point : unknown.getDataPoints()) {
                    attributes(out.point(), point.getLabels()).value(point.getValue());
                }
            } else if (family instanceof InfoSnapshot info) {
                out.gauge(names.name(), help, names.unit());
                for (InfoSnapshot.InfoDataPointSnapshot point : info.getDataPoints()) {
                    attributes(out.point(), point.getLabels()).value(1L);
                }
            } else if (family instanceof HistogramSnapshot histogram && !histogram.isGaugeHistogram()) {
                out.histogram(names.name(), help, names.unit(), startNanos);
                for (HistogramSnapshot.HistogramDataPointSnapshot point : histogram.getDataPoints()) {
                    ClassicHistogramBuckets buckets = point.getClassicBuckets();
                    // Prometheus' last bucket is +Inf; OTLP's bounds leave it implicit.
                    double[] bounds = new double[Math.max(0, buckets.size() - 1)];
                    long[] counts = new long[bounds.length + 1];
                    for (int i = 0; i < buckets.size(); i++) {
                        if (i < bounds.length) {
                            bounds[i] = buckets.getUpperBound(i);
                        }
                        counts[Math.min(i, bounds.length)] += buckets.getCount(i);
                    }
                    attributes(out.point(start(point, startNanos)), point.getLabels())
                            .histogramValue(point.getCount(), point.getSum(), bounds, counts);
                }
            } else if (family instanceof SummarySnapshot summary) {
                out.summary(names.name(), help, names.unit(), startNanos);
                for (SummarySnapshot.SummaryDataPointSnapshot point : summary.getDataPoints()) {
                    Quantiles quantiles = point.getQuantiles();
                    double[] at = new double[quantiles.size()];
                    double[] values = new double[quantiles.size()];
                    for (int i = 0; i < at.length; i++) {
                        at[i] = quantiles.get(i).getQuantile();
                        values[i] = quantiles.get(i).getValue();
                    }
                    attributes(out.point(start(point, startNanos)), point.getLabels())
                            .summaryValue(point.getCount(), point.getSum(), at, values);
                }
            }
        }
    }

    private static OtlpWriter attributes(OtlpWriter point, Labels labels) {
        for (int i = 0; i < labels.size(); i++) {
            point.attribute(labels.getPrometheusName(i), labels.getValue(i));
        }
        return point;
    }

    /** The point's own start when the registry knows it, else the process's. */
    private static long start(DataPointSnapshot point, long startNanos) {
        return point.hasCreatedTimestamp() ? point.getCreatedTimestampMillis() * 1_000_000 : startNanos;
    }
}
