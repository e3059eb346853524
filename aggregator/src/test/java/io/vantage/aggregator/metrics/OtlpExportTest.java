package io.vantage.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.metrics.v1.Metric;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.runtime.otlp.OtlpExporter;
import io.vantage.testing.AgentYaml;
import io.vantage.testing.OtlpReceiver;
import io.vantage.testing.Target;
import io.vantage.testing.TestHttpServer;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator's OTLP export against a real receiver on loopback that decodes with the official OTLP classes: a real
 * agent probes a real HTTP server and reports; the verdicts, vantage points and members it leads to, and the registry's
 * meters, arrive under the documented names with the aggregator's resource and the configured headers. A receiver that
 * refuses is counted and never stops the verdicts.
 */
class OtlpExportTest {
    @TempDir
    static Path directory;

    static Vertx vertx;
    static TestHttpServer http;

    @BeforeAll
    static void servers() {
        vertx = Vertx.vertx();
        http = TestHttpServer.plain(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void verdictsArriveWithTheAggregatorsResource() throws Exception {
        Files.writeString(directory.resolve("token-a"), RunningAggregator.TOKENS.get("TOKEN_A"));
        Files.writeString(directory.resolve("otlp-token"), "Bearer aggregator-otlp-0123");
        try (OtlpReceiver receiver = OtlpReceiver.start(vertx)) {
            Path aggregatorFile = RunningAggregator.agents()
                    .section("server", Map.of("host", "127.0.0.1", "port", 0))
                    .deployment("staging")
                    .section(
                            "otlp",
                            Map.of(
                                    "endpoint",
                                    receiver.endpoint(),
                                    "interval",
                                    "1s",
                                    "headers",
                                    Map.of("Authorization", Map.of("file", "otlp-token"))))
                    .target(Target.http("api", http.url("/ok"))
                            .interval("1s")
                            .timeout("500ms")
                            .quorum(1, 1))
                    .target(Target.http("db", http.url("/status/503"))
                            .interval("1s")
                            .timeout("500ms")
                            .quorum(1, 1))
                    .write(directory.resolve("aggregator.yaml"));
            try (RunningAggregator aggregator = RunningAggregator.startFromFile(aggregatorFile)) {
                Path agentFile = AgentYaml.agent("agent-a", "us-east-1")
                        .agentSetting("targetsRefresh", "1s")
                        .agentSetting("pushInterval", "200ms")
                        .server("127.0.0.1", 0)
                        .aggregator(
                                "http://127.0.0.1:" + aggregator.aggregator().port(), "token-a")
                        .write(directory.resolve("agent.yaml"));
                try (RunningAgent agent = RunningAgent.start(agentFile)) {
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> receiver.latest("vantage.target.healthy", "target", "api")
                                                    .map(OtlpReceiver::value)
                                                    .orElse(-1.0)
                                            == 1.0
                                    && receiver.latest("vantage.target.vantages", "state", "unhealthy", "target", "db")
                                                    .map(OtlpReceiver::value)
                                                    .orElse(-1.0)
                                            == 1.0);
                    assertThat(receiver.malformed()).isZero();
                    OtlpReceiver.Received last =
                            receiver.received().get(receiver.received().size() - 1);
                    assertThat(last.headers())
                            .containsEntry("content-type", "application/x-protobuf")
                            .containsEntry("authorization", "Bearer aggregator-otlp-0123");
                    assertThat(last.resource())
                            .containsEntry("service.name", "vantage-aggregator")
                            .containsKey("service.instance.id")
                            .containsEntry("vantage.deployment", "staging");

                    Metric healthy = receiver.metric("vantage.target.healthy").orElseThrow();
                    assertThat(healthy.hasGauge()).isTrue();
                    assertThat(OtlpReceiver.value(
                                    receiver.latest("vantage.target.vantages", "state", "healthy", "target", "api")
                                            .orElseThrow()))
                            .isEqualTo(1.0);
                    assertThat(OtlpReceiver.value(
                                    receiver.latest("vantage.target.vantages", "state", "unhealthy", "target", "db")
                                            .orElseThrow()))
                            .isEqualTo(1.0);
                    assertThat(OtlpReceiver.value(
                                    receiver.latest("vantage.agent.members", "agent", "agent-a", "state", "alive")
                                            .orElseThrow()))
                            .isEqualTo(1.0);
                    assertThat(receiver.metric("vantage.ingest.results")
                                    .orElseThrow()
                                    .getSum()
                                    .getIsMonotonic())
                            .isTrue();
                    assertThat(OtlpReceiver.value(receiver.latest("vantage.ingest.results", "outcome", "accepted")
                                    .orElseThrow()))
                            .isPositive();
                    Metric evaluation =
                            receiver.metric("vantage.evaluation.duration").orElseThrow();
                    assertThat(evaluation.getUnit()).isEqualTo("s");
                    assertThat(evaluation.getHistogram().getDataPoints(0).getCount())
                            .isPositive();

                    // A receiver that refuses: counted, the verdicts go on.
                    receiver.answer(503);
                    await().atMost(Duration.ofSeconds(10)).until(() -> value(aggregator, "failure") >= 2);
                    assertThat(aggregator.verdict("api")).isEqualTo("HEALTHY");
                    assertThat(aggregator.get("/metrics", Map.of()).body())
                            .contains("vantage_otlp_exports_total{outcome=\"failure\"}");
                }
            }
        }
    }

    private static double value(RunningAggregator aggregator, String outcome) {
        var counter = aggregator
                .registry()
                .find(OtlpExporter.EXPORTS)
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
