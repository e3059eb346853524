package io.vantage.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.agent.testing.RunningAgent;
import io.vantage.runtime.Answers;
import io.vantage.runtime.ReloadMetrics;
import io.vantage.testing.Contract;
import io.vantage.testing.Promtool;
import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running agent's HTTP endpoints: Prometheus output checked by the real promtool, health, readiness, reload. */
class AgentEndpointsTest {
    @TempDir
    static Path directory;

    static Vertx vertx;
    static TestHttpServer http;
    static TestHttpServer https;
    static TestPki pki;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void servers() throws Exception {
        vertx = Vertx.vertx();
        pki = new TestPki(directory);
        http = TestHttpServer.plain(vertx);
        https = TestHttpServer.tls(vertx, pki.issue("leaf", 60, "localhost"));
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private String get(String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private int status(String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private Path config(String targets) throws IOException {
        return Files.writeString(
                directory.resolve("agent.yaml"),
                "agent: {id: a1, region: eu-west-1}\nserver: {host: 127.0.0.1, port: 0}\n" + "targets:\n" + targets);
    }

    @Test
    void withAReadTokenMetricsNeedItAndHealthDoesNot() throws Exception {
        Files.writeString(directory.resolve("read-token"), "read-token-of-prometheus-0123");
        Path config = Files.writeString(
                directory.resolve("agent.yaml"),
                "agent: {id: a1, region: eu-west-1}\nserver: {host: 127.0.0.1, port: 0, readToken: {tokenFile: "
                        + "read-token}}\ntargets:\n  - {name: web, interval: 1s, timeout: 500ms, http: {url: '"
                        + http.url("/ok") + "'}}\n");
        try (RunningAgent agent = RunningAgent.start(config)) {
            assertThat(status(agent.url("/metrics"))).isEqualTo(401);
            assertThat(status(agent.url("/"))).isEqualTo(401);
            assertThat(status(agent.url("/healthz"))).isEqualTo(200);
            HttpResponse<String> scrape = client.send(
                    HttpRequest.newBuilder(URI.create(agent.url("/metrics")))
                            .header("Authorization", "Bearer read-token-of-prometheus-0123")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("vantage_targets 1.0");
        }
    }

    @Test
    void metricsPassPromtoolAndCarryTheDocumentedNames() throws Exception {
        Path config = config("  - {name: web, interval: 1s, timeout: 500ms, http: {url: '" + http.url("/ok") + "'}}\n"
                + "  - {name: broken, interval: 1s, timeout: 500ms, http: {url: '" + http.url("/status/503") + "'}}\n"
                + "  - {name: cert, interval: 1s, timeout: 500ms, tls: {host: 127.0.0.1, port: " + https.port()
                + ", serverName: localhost, caFile: '" + pki.caFile() + "'}}\n");
        try (RunningAgent agent = RunningAgent.start(config)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                String scrape = get(agent.url("/metrics"));
                return scrape.contains("vantage_probe_failures_total{reason=\"http_status\"")
                        && scrape.contains("vantage_probe_tls_cert_expiry_timestamp_seconds{")
                        && scrape.contains("vantage_probe_success{region=\"eu-west-1\",target=\"web\"} 1.0");
            });
            String metrics = get(agent.url("/metrics"));

            assertThat(metrics)
                    .contains("vantage_probe_success{region=\"eu-west-1\",target=\"web\"} 1.0")
                    .contains("vantage_probe_success{region=\"eu-west-1\",target=\"broken\"} 0.0")
                    .contains(
                            "vantage_probe_duration_seconds{phase=\"first_byte\",region=\"eu-west-1\",target=\"web\"}")
                    .contains("vantage_probe_http_status_code{region=\"eu-west-1\",target=\"broken\"} 503.0")
                    .contains("vantage_probe_tls_cert_expiry_timestamp_seconds{region=\"eu-west-1\",target=\"cert\"}")
                    .contains(
                            "vantage_probe_failures_total{reason=\"http_status\",region=\"eu-west-1\",target=\"broken\"}")
                    .contains("vantage_probe_last_timestamp_seconds{region=\"eu-west-1\",target=\"web\"}")
                    .contains("vantage_config_last_reload_successful 1.0")
                    .contains("jvm_memory_used_bytes")
                    .contains("vertx_http_server_requests_total");
            for (String phase : new String[] {"dns", "connect", "tls", "first_byte", "total"}) {
                assertThat(metrics)
                        .contains("vantage_probe_duration_seconds{phase=\"" + phase
                                + "\",region=\"eu-west-1\",target=\"cert\"}");
            }
            Promtool.assertAccepts(metrics, directory);
            // The contract dashboards and alerts build on: each vantage family's TYPE, HELP and label names.
            Contract.assertMatches(
                    Path.of("src/test/resources/contract/agent-metrics.txt"), Contract.metricsShape(metrics));
        }
    }

    @Test
    void anExpositionOfManyPartsIsWholeAndPassesPromtool() throws Exception {
        int count = 400; // about 250 KB of series: several parts (Answers.PART_CHARS)
        StringBuilder targets = new StringBuilder();
        for (int i = 0; i < count; i++) {
            targets.append("  - {name: t")
                    .append(i)
                    .append(", interval: 2s, timeout: 1s, tcp: {host: 127.0.0.1, port: ")
                    .append(http.port())
                    .append("}}\n");
        }
        try (RunningAgent agent = RunningAgent.start(config(targets.toString()))) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> lines(get(agent.url("/metrics")), "vantage_probe_success{") == count);
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(agent.url("/metrics"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            String metrics = response.body();

            assertThat(response.headers().firstValue("content-length"))
                    .as("streamed in parts")
                    .isEmpty();
            assertThat(metrics.length()).isGreaterThan(3 * Answers.PART_CHARS);
            assertThat(lines(metrics, "vantage_probe_duration_seconds{")).isEqualTo(5 * count);
            assertThat(lines(metrics, "vantage_probe_last_timestamp_seconds{")).isEqualTo(count);
            assertThat(lines(metrics, "# TYPE vantage_probe_success ")).isEqualTo(1);
            assertThat(metrics).contains("target=\"t0\"}").contains("target=\"t" + (count - 1) + "\"}");
            Promtool.assertAccepts(metrics, directory);
        }
    }

    private static long lines(String metrics, String prefix) {
        return metrics.lines().filter(line -> line.startsWith(prefix)).count();
    }

    @Test
    void healthReadinessAndReload() throws Exception {
        String web = "  - {name: web, interval: 1s, timeout: 500ms, http: {url: '" + http.url("/ok") + "'}}\n";
        Path config = config(web);
        try (RunningAgent agent = RunningAgent.start(config)) {
            assertThat(get(agent.url("/healthz"))).isEqualTo("ok\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> status(agent.url("/readyz")) == 200);
            assertThat(get(agent.url("/readyz"))).isEqualTo("ready: probing 1 targets from config file\n");
            assertThat(status(agent.url("/nope"))).isEqualTo(404);
            long webOffset = agent.agent().probeLoops().offsets().await().get("web");

            Files.writeString(
                    config,
                    Files.readString(config)
                            + "  - {name: api, interval: 1s, timeout: 500ms, tcp: {host: 127.0.0.1, port: "
                            + http.port() + "}}\n");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> agent.agent().probeLoops().size() == 2);
            assertThat(agent.agent().probeLoops().offsets().await().get("web"))
                    .as("an unchanged target keeps its schedule")
                    .isEqualTo(webOffset);
            assertThat(agent.value(ReloadMetrics.RELOADS, "outcome", "success")).isEqualTo(1.0);

            Files.writeString(
                    config,
                    Files.readString(config)
                            .replace("interval: 1s, timeout: 500ms, tcp", "interval: 1s, timeout: 5s, tcp"));
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.value(ReloadMetrics.RELOAD_SUCCESS) == 0.0);
            assertThat(agent.value(ReloadMetrics.RELOADS, "outcome", "failure")).isEqualTo(1.0);
            assertThat(agent.agent().probeLoops().size())
                    .as("the rejected file changes nothing")
                    .isEqualTo(2);
            assertThat(get(agent.url("/metrics"))).contains("vantage_config_last_reload_successful 0.0");
        }
    }
}
