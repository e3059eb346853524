package io.vantage.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.vantage.agent.config.AgentConfig;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.runtime.Startup;
import io.vantage.runtime.otlp.OtlpExporter;
import io.vantage.runtime.otlp.OtlpWriter;
import io.vantage.testing.OtlpReceiver;
import io.vantage.testing.Ports;
import io.vantage.testing.TestHttpServer;
import io.vantage.wire.Documents;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's OTLP export against a real receiver on loopback that decodes each request with the official OTLP classes:
 * a running agent probing a real HTTP server (success and failures) exports its series under the documented names,
 * with the resource, attributes and headers configured; a receiver that refuses or is gone is counted and never stops
 * the agent; thousands of targets go out in requests of bounded size, each target once.
 */
class OtlpExportTest {
    @TempDir
    static Path directory;

    static Vertx vertx;
    static TestHttpServer http;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void servers() {
        vertx = Vertx.vertx();
        http = TestHttpServer.plain(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private Path config(String endpoint) throws Exception {
        Files.writeString(directory.resolve("otlp-key"), "key-from-a-file\n");
        return Files.writeString(directory.resolve("agent.yaml"), """
                agent: {id: a1, region: eu-west-1}
                server: {host: 127.0.0.1, port: 0}
                otlp:
                  endpoint: '%s'
                  interval: 1s
                  headers:
                    Authorization: {env: OTLP_AUTHORIZATION}
                    X-Scope-OrgID: {value: team-a}
                    X-Api-Key: {file: otlp-key}
                targets:
                  - {name: web, interval: 1s, timeout: 500ms, http: {url: '%s'}}
                  - {name: broken, interval: 1s, timeout: 500ms, http: {url: '%s'}}
                  - {name: down, interval: 1s, timeout: 500ms, http: {url: 'http://127.0.0.1:%d/'}}
                  - {name: port, interval: 1s, timeout: 500ms, tcp: {host: 127.0.0.1, port: %d}}
                """.formatted(
                        endpoint, http.url("/ok"), http.url("/status/503"), Ports.free(), http.port()));
    }

    private static final Map<String, String> ENVIRONMENT =
            Map.of("OTLP_AUTHORIZATION", "Bearer otlp-secret-0123", "VANTAGE_INSTANCE", "member-1");

    @Test
    void aRunningAgentExportsItsProbesUnderTheDocumentedNames() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start(vertx);
                RunningAgent agent = RunningAgent.start(config(receiver.endpoint()), ENVIRONMENT)) {
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.latest("httpcheck.status", "target", "broken")
                                    .isPresent()
                            && receiver.latest("httpcheck.error", "target", "down")
                                    .isPresent()
                            && receiver.latest("vantage.probe.success", "target", "web")
                                    .isPresent()
                            && receiver.latest("vantage.probe.success", "target", "port")
                                    .isPresent()
                            && receiver.latest("httpcheck.status", "target", "broken")
                                    .isPresent());
            assertThat(receiver.malformed()).isZero();
            OtlpReceiver.Received last =
                    receiver.received().get(receiver.received().size() - 1);

            assertThat(last.headers())
                    .containsEntry("content-type", "application/x-protobuf")
                    .containsEntry("authorization", "Bearer otlp-secret-0123")
                    .containsEntry("x-scope-orgid", "team-a")
                    .containsEntry("x-api-key", "key-from-a-file");
            assertThat(last.resource())
                    .containsEntry("service.name", "vantage-agent")
                    .containsEntry("service.instance.id", "member-1")
                    .containsEntry("cloud.region", "eu-west-1")
                    .containsEntry("vantage.agent.id", "a1");

            // vantage's own names: the Prometheus ones by the rule, labels as attributes, region on the resource.
            assertThat(value(receiver, "vantage.probe.success", "target", "web"))
                    .isEqualTo(1.0);
            assertThat(value(receiver, "vantage.probe.success", "target", "broken"))
                    .isEqualTo(0.0);
            assertThat(receiver.latest("vantage.probe.success", "target", "web")
                            .orElseThrow()
                            .getAttributesList())
                    .noneMatch(attribute -> attribute.getKey().equals("region"));
            Metric duration = receiver.metric("vantage.probe.duration").orElseThrow();
            assertThat(duration.getUnit()).isEqualTo("s");
            assertThat(duration.hasGauge()).isTrue();
            assertThat(value(receiver, "vantage.probe.duration", "phase", "total", "target", "web"))
                    .isGreaterThan(0);
            Metric failures = receiver.metric("vantage.probe.failures").orElseThrow();
            assertThat(failures.getSum().getIsMonotonic()).isTrue();
            assertThat(failures.getSum().getAggregationTemporality())
                    .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
            NumberDataPoint broken = receiver.latest(
                            "vantage.probe.failures", "reason", "http_status", "target", "broken")
                    .orElseThrow();
            assertThat(broken.getAsInt()).isPositive();
            assertThat(broken.getStartTimeUnixNano()).isPositive().isLessThan(broken.getTimeUnixNano());
            assertThat(receiver.latest("vantage.probe.failures", "reason", "refused", "target", "down"))
                    .isPresent();

            // The httpcheck receiver's names for HTTP targets, and only for them.
            Metric status = receiver.metric("httpcheck.status").orElseThrow();
            assertThat(status.getUnit()).isEqualTo("1");
            assertThat(status.getSum().getIsMonotonic()).isFalse();
            assertThat(OtlpReceiver.attributes(
                            receiver.latest("httpcheck.status", "target", "broken", "http.status_class", "5xx")
                                    .orElseThrow()
                                    .getAttributesList()))
                    .containsEntry("http.url", http.url("/status/503"))
                    .containsEntry("http.status_code", "503")
                    .containsEntry("http.method", "GET");
            assertThat(value(receiver, "httpcheck.status", "target", "broken", "http.status_class", "5xx"))
                    .isEqualTo(1.0);
            assertThat(value(receiver, "httpcheck.status", "target", "broken", "http.status_class", "2xx"))
                    .isEqualTo(0.0);
            assertThat(value(receiver, "httpcheck.status", "target", "web", "http.status_class", "2xx"))
                    .isEqualTo(1.0);
            Metric httpDuration = receiver.metric("httpcheck.duration").orElseThrow();
            assertThat(httpDuration.getUnit()).isEqualTo("ms");
            assertThat(receiver.latest("httpcheck.duration", "http.url", http.url("/ok"))
                            .orElseThrow()
                            .hasAsInt())
                    .isTrue();
            assertThat(OtlpReceiver.attributes(receiver.latest("httpcheck.error", "target", "down")
                            .orElseThrow()
                            .getAttributesList()))
                    .containsEntry("error.message", "refused");
            assertThat(receiver.latest("httpcheck.error", "target", "web")).isEmpty();
            assertThat(receiver.latest("httpcheck.duration", "target", "port")).isEmpty();

            // The registry's meters too: counters as monotonic sums, units from the Prometheus suffix.
            assertThat(receiver.metric("vantage.probes").orElseThrow().getSum().getIsMonotonic())
                    .isTrue();
            assertThat(value(receiver, "vantage.probes", "outcome", "success")).isPositive();
            assertThat(receiver.metric("jvm.memory.used").orElseThrow().getUnit())
                    .isEqualTo("By");
            assertThat(agent.value(OtlpExporter.EXPORTS, "outcome", "success")).isPositive();
            assertThat(agent.value(OtlpExporter.EXPORTS, "outcome", "failure")).isZero();
        }
    }

    @Test
    void aReceiverThatRefusesOrIsGoneIsCountedAndTheAgentKeepsProbing() throws Exception {
        OtlpReceiver receiver = OtlpReceiver.start(vertx);
        try (RunningAgent agent = RunningAgent.start(config(receiver.endpoint()), ENVIRONMENT)) {
            receiver.answer(500);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> agent.value(OtlpExporter.EXPORTS, "outcome", "failure") >= 2);
            receiver.answer(200);
            double succeeded = agent.value(OtlpExporter.EXPORTS, "outcome", "success");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> agent.value(OtlpExporter.EXPORTS, "outcome", "success") > succeeded);

            receiver.close();
            double failed = agent.value(OtlpExporter.EXPORTS, "outcome", "failure");
            double probes = agent.value("vantage.probes", "outcome", "success");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> agent.value(OtlpExporter.EXPORTS, "outcome", "failure") >= failed + 2);
            assertThat(agent.value("vantage.probes", "outcome", "success")).isGreaterThan(probes);
            HttpResponse<String> scrape = client.send(
                    HttpRequest.newBuilder(URI.create(agent.url("/metrics"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.body()).contains("vantage_otlp_exports_total{outcome=\"failure\"}");
        } finally {
            receiver.close();
        }
    }

    @Test
    void tenThousandTargetsGoOutInBoundedRequestsEachTargetOnce() {
        int count = 10_000;
        var registry = Startup.newRegistry();
        AgentMetrics metrics = new AgentMetrics(registry, "eu-west-1", () -> 0, System.currentTimeMillis() / 1000.0);
        StringBuilder file = new StringBuilder("targets:\n");
        for (int i = 0; i < count; i++) {
            file.append("  - {name: target-")
                    .append(i)
                    .append(", http: {url: 'http://127.0.0.1:1/")
                    .append(i)
                    .append("'}}\n");
        }
        metrics.targets(Documents.readYaml(file.toString(), AgentConfig.class).targets());
        for (int i = 0; i < count; i++) {
            boolean success = i % 2 == 0;
            metrics.record(new ProbeResult(
                    "target-" + i,
                    System.currentTimeMillis(),
                    success,
                    success ? null : FailureReason.TIMEOUT,
                    success ? 200 : null,
                    new PhaseTimings(0.001, 0.002, null, 0.004, 0.005),
                    null,
                    success ? null : "no answer",
                    null,
                    null,
                    null));
        }
        try (OtlpReceiver receiver = OtlpReceiver.start(vertx)) {
            OtlpExporter exporter = new OtlpExporter(
                    vertx,
                    new OtlpExporter.Settings(
                            URI.create(receiver.endpoint()), Map.of(), Duration.ofMinutes(1), Duration.ofSeconds(10)),
                    List.of("service.name", "vantage-agent"),
                    "io.vantage.agent",
                    null,
                    metrics::otlp,
                    registry,
                    Clock.systemUTC());
            exporter.export().await();
            exporter.stop().await();

            List<OtlpReceiver.Received> requests = receiver.received();
            assertThat(requests).as("about 8 MB in requests of about 4 MiB").hasSizeGreaterThanOrEqualTo(2);
            assertThat(requests.get(0).request().getResourceMetricsCount())
                    .as("parts streamed into one request")
                    .isGreaterThan(1);
            Set<String> successes = new HashSet<>();
            int statusPoints = 0;
            for (OtlpReceiver.Received request : requests) {
                assertThat(request.bytes())
                        .isLessThanOrEqualTo(OtlpExporter.REQUEST_BYTES + OtlpWriter.PART_BYTES + 16 * 1024);
                assertThat(request.resource()).containsEntry("service.name", "vantage-agent");
                for (Metric metric : request.metrics()) {
                    if (metric.getName().equals("vantage.probe.success")) {
                        for (NumberDataPoint point : metric.getGauge().getDataPointsList()) {
                            assertThat(successes.add(OtlpReceiver.attributes(point.getAttributesList())
                                            .get("target")))
                                    .isTrue();
                        }
                    }
                    if (metric.getName().equals("httpcheck.status")) {
                        statusPoints += metric.getSum().getDataPointsCount();
                    }
                }
            }
            assertThat(successes).hasSize(count);
            assertThat(statusPoints).isEqualTo(count / 2 * 5); // a status only where one came back
            assertThat(registry.find(OtlpExporter.EXPORTS)
                            .tag("outcome", "success")
                            .counter()
                            .count())
                    .isEqualTo(requests.size());
        }
    }

    private static double value(OtlpReceiver receiver, String name, String... attributes) {
        return OtlpReceiver.value(receiver.latest(name, attributes)
                .orElseThrow(() -> new AssertionError("no point of " + name + " with " + List.of(attributes) + " in "
                        + receiver.received().size() + " requests")));
    }
}
