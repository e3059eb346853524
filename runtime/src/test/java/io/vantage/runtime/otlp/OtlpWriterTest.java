package io.vantage.runtime.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.vantage.testing.OtlpReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The hand-written protobuf against the official decoder (opentelemetry-proto's generated classes): every message and
 * field the writer makes reads back as written, including long and non-ASCII strings, lengths of one to three bytes,
 * histograms, summaries, NaN values (dropped) and metrics left without points (dropped).
 */
class OtlpWriterTest {
    private static final long NOW = 1_765_000_000_000_000_000L;

    private static ExportMetricsServiceRequest decode(OtlpWriter writer) throws Exception {
        return ExportMetricsServiceRequest.parseFrom(writer.finish());
    }

    private static Map<String, Metric> metrics(ExportMetricsServiceRequest request) {
        return request.getResourceMetrics(0).getScopeMetrics(0).getMetricsList().stream()
                .collect(Collectors.toMap(Metric::getName, metric -> metric));
    }

    @Test
    void everyFieldReadsBackWithTheOfficialDecoder() throws Exception {
        String longValue = "x".repeat(20_000); // a three-byte length, and messages around it that must move
        OtlpWriter writer = new OtlpWriter(
                List.of("service.name", "vantage-agent", "cloud.region", "eu-west-1"), "io.vantage.test", "1.0");
        writer.start(NOW);
        writer.gauge("vantage.probe.success", "1 if the last probe succeeded", "");
        writer.point().attribute("target", "web").value(1.0);
        writer.point().attribute("target", "zürich-ünïcode").value(0.0);
        writer.point().attribute("target", "not-yet").value(Double.NaN);
        writer.point().attribute("target", longValue).attribute("code", 503L).value(-7L);
        writer.gauge("vantage.nothing", "a metric without points is left out", "s");
        writer.point().attribute("target", "nan").value(Double.NaN);
        writer.sum("vantage.probe.failures", "Failed probes by reason", "", true, NOW - 5);
        writer.point().attribute("reason", "timeout").value(3L);
        writer.point(NOW - 9).attribute("reason", "refused").value(4L);
        writer.histogram("vantage.evaluation.duration", "", "s", NOW - 1);
        writer.point().histogramValue(6, 0.5, new double[] {0.01, 0.1}, new long[] {1, 2, 3});
        writer.summary("vantage.summary", "", "s", NOW - 1);
        writer.point().attribute("k", "v").summaryValue(2, 0.3, new double[] {0.5, 0.99}, new double[] {0.1, 0.2});
        ExportMetricsServiceRequest request = decode(writer);

        ResourceMetrics resource = request.getResourceMetrics(0);
        assertThat(OtlpReceiver.attributes(resource.getResource().getAttributesList()))
                .containsExactly(Map.entry("service.name", "vantage-agent"), Map.entry("cloud.region", "eu-west-1"));
        assertThat(resource.getScopeMetrics(0).getScope().getName()).isEqualTo("io.vantage.test");
        assertThat(resource.getScopeMetrics(0).getScope().getVersion()).isEqualTo("1.0");
        Map<String, Metric> metrics = metrics(request);
        assertThat(metrics)
                .containsOnlyKeys(
                        "vantage.probe.success",
                        "vantage.probe.failures",
                        "vantage.evaluation.duration",
                        "vantage.summary");

        Metric success = metrics.get("vantage.probe.success");
        assertThat(success.getDescription()).isEqualTo("1 if the last probe succeeded");
        List<NumberDataPoint> points = success.getGauge().getDataPointsList();
        assertThat(points).hasSize(3);
        assertThat(points.get(0).getAsDouble()).isEqualTo(1.0);
        assertThat(points.get(0).getTimeUnixNano()).isEqualTo(NOW);
        assertThat(points.get(0).getStartTimeUnixNano()).isZero();
        assertThat(OtlpReceiver.attributes(points.get(1).getAttributesList()))
                .containsEntry("target", "zürich-ünïcode");
        assertThat(OtlpReceiver.attributes(points.get(2).getAttributesList()))
                .containsEntry("target", longValue)
                .containsEntry("code", "503");
        assertThat(points.get(2).getAsInt()).isEqualTo(-7);

        Metric failures = metrics.get("vantage.probe.failures");
        assertThat(failures.getSum().getIsMonotonic()).isTrue();
        assertThat(failures.getSum().getDataPoints(0).getStartTimeUnixNano()).isEqualTo(NOW - 5);
        assertThat(failures.getSum().getDataPoints(1).getStartTimeUnixNano()).isEqualTo(NOW - 9);
        assertThat(failures.getSum().getDataPoints(1).getAsInt()).isEqualTo(4);

        HistogramDataPoint histogram =
                metrics.get("vantage.evaluation.duration").getHistogram().getDataPoints(0);
        assertThat(histogram.getCount()).isEqualTo(6);
        assertThat(histogram.getSum()).isEqualTo(0.5);
        assertThat(histogram.getExplicitBoundsList()).containsExactly(0.01, 0.1);
        assertThat(histogram.getBucketCountsList()).containsExactly(1L, 2L, 3L);
        assertThat(metrics.get("vantage.evaluation.duration").getUnit()).isEqualTo("s");

        SummaryDataPoint summary = metrics.get("vantage.summary").getSummary().getDataPoints(0);
        assertThat(summary.getCount()).isEqualTo(2);
        assertThat(summary.getQuantileValues(1).getQuantile()).isEqualTo(0.99);
        assertThat(summary.getQuantileValues(1).getValue()).isEqualTo(0.2);
    }

    @Test
    void aWriterStartsEachRequestAfresh() throws Exception {
        OtlpWriter writer = new OtlpWriter(List.of("service.name", "s"), "scope", null);
        writer.start(NOW);
        writer.gauge("first", "", "");
        writer.point().value(1.0);
        decode(writer);
        writer.start(NOW + 1);
        writer.gauge("second", "", "");
        writer.point().value(2.0);
        ExportMetricsServiceRequest second = decode(writer);
        assertThat(metrics(second)).containsOnlyKeys("second");
        assertThat(second.getResourceMetrics(0).getScopeMetrics(0).getScope().getVersion())
                .isEmpty();
    }

    @Test
    void registryMetersKeepTheirValuesTypesAndBuckets() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("vantage.ingest.results")
                .tag("outcome", "accepted")
                .register(registry)
                .increment(5);
        Gauge.builder("vantage.agent.event.loop.lag.seconds", () -> 0.25).register(registry);
        Gauge.builder("vantage.not.measured", () -> Double.NaN).register(registry);
        Timer timer = Timer.builder("vantage.evaluation.duration")
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100))
                .register(registry);
        timer.record(Duration.ofMillis(5));
        timer.record(Duration.ofMillis(50));
        timer.record(Duration.ofMillis(50));
        timer.record(Duration.ofSeconds(1));
        Timer.builder("vantage.plain.timer").register(registry).record(Duration.ofMillis(20));
        OtlpWriter writer = new OtlpWriter(List.of(), "scope", null);
        writer.start(NOW);
        RegistryMetrics.write(writer, registry, NOW - 100);
        Map<String, Metric> metrics = metrics(decode(writer));

        Metric results = metrics.get("vantage.ingest.results");
        assertThat(results.getSum().getIsMonotonic()).isTrue();
        assertThat(results.getSum().getDataPoints(0).getAsDouble()).isEqualTo(5.0);
        assertThat(OtlpReceiver.attributes(results.getSum().getDataPoints(0).getAttributesList()))
                .containsEntry("outcome", "accepted");
        Metric lag = metrics.get("vantage.agent.event.loop.lag");
        assertThat(lag.getUnit()).isEqualTo("s");
        assertThat(lag.getGauge().getDataPoints(0).getAsDouble()).isEqualTo(0.25);
        assertThat(Optional.ofNullable(metrics.get("vantage.not.measured"))).isEmpty();

        HistogramDataPoint evaluation =
                metrics.get("vantage.evaluation.duration").getHistogram().getDataPoints(0);
        assertThat(evaluation.getCount()).isEqualTo(4);
        assertThat(evaluation.getSum()).isCloseTo(1.105, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(evaluation.getExplicitBoundsList()).containsExactly(0.01, 0.1);
        assertThat(evaluation.getBucketCountsList()).containsExactly(1L, 2L, 1L);
        assertThat(metrics.get("vantage.plain.timer")
                        .getSummary()
                        .getDataPoints(0)
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void prometheusNamesMapByOneRule() {
        assertThat(OtlpNames.of("vantage_probe_duration_seconds"))
                .isEqualTo(new OtlpNames("vantage.probe.duration", "s"));
        assertThat(OtlpNames.of("vantage_probes_total")).isEqualTo(new OtlpNames("vantage.probes", ""));
        assertThat(OtlpNames.of("jvm_memory_used_bytes")).isEqualTo(new OtlpNames("jvm.memory.used", "By"));
        assertThat(OtlpNames.of("vantage_target_healthy")).isEqualTo(new OtlpNames("vantage.target.healthy", ""));
    }
}
