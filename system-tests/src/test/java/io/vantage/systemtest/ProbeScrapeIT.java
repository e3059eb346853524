package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vantage.testing.TestHttpServer;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's real Prometheus scrapes {@code /probe} with the scrape config of blackbox_exporter's README (the target as
 * the {@code target} parameter and the {@code instance} label, the exporter as the address), once against the vantage
 * agent and once against blackbox_exporter itself, so the config is known to be the one blackbox users have: {@code
 * probe_success{instance="<target>"}} is 1 for a healthy loopback server and 0 for a broken one, for both jobs.
 */
class ProbeScrapeIT {
    @TempDir
    Path directory;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    /** One job of blackbox_exporter's README, for {@code exporter} ({@code host:port}). */
    static String job(String name, String exporter, List<String> targets) {
        return """
                  - job_name: %s
                    metrics_path: /probe
                    params:
                      module: [http_2xx]
                    static_configs:
                      - targets: [%s]
                    relabel_configs:
                      - source_labels: [__address__]
                        target_label: __param_target
                      - source_labels: [__param_target]
                        target_label: instance
                      - target_label: __address__
                        replacement: %s
                """.formatted(
                name, String.join(", ", targets.stream().map(t -> "'" + t + "'").toList()), exporter);
    }

    @Test
    void prometheusScrapesProbeWithBlackboxExportersScrapeConfig() throws Exception {
        try (TestHttpServer endpoint = TestHttpServer.plain(vertx)) {
            String healthy = endpoint.url("/ok");
            String broken = endpoint.url("/status/503");
            Path modules = Files.writeString(
                    Files.createDirectories(directory.resolve("blackbox")).resolve("blackbox.yml"),
                    "modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n");
            try (ProbeExporter blackbox = ProbeExporter.blackbox(modules, directory.resolve("blackbox"));
                    ProbeExporter vantage = ProbeExporter.vantage(
                            // vantage's own module syntax here; BlackboxConformanceIT reads blackbox's module file
                            "probe:\n  modules:\n    http_2xx: {timeout: 5s, http: {}}\n"
                                    + "  allow: {targets: ['127.0.0.1', localhost]}\n",
                            Files.createDirectories(directory.resolve("vantage")));
                    PrometheusServer prometheus = PrometheusServer.start(
                            "global: {scrape_interval: 2s, scrape_timeout: 2s}\nscrape_configs:\n"
                                    + job("vantage", vantage.address(), List.of(healthy, broken))
                                    + job("blackbox", blackbox.address(), List.of(healthy, broken)),
                            Files.createDirectories(directory.resolve("prometheus")))) {
                for (String job : List.of("vantage", "blackbox")) {
                    await(job + "'s probe_success for both targets; agent log:\n" + vantage.log())
                            .atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofSeconds(1))
                            .untilAsserted(() -> {
                                assertThat(success(prometheus, job, healthy))
                                        .as("%s, healthy target", job)
                                        .isEqualTo("1");
                                assertThat(success(prometheus, job, broken))
                                        .as("%s, broken target", job)
                                        .isEqualTo("0");
                            });
                }
                // The scrape itself succeeded (up 1) even for the broken target: a failed probe is an answer.
                assertThat(prometheus.query("up{job=\"vantage\"} == 1").size()).isEqualTo(2);
            }
        }
    }

    /** The value of {@code probe_success{job, instance=target}} in Prometheus now, or "none". */
    private static String success(PrometheusServer prometheus, String job, String target) throws Exception {
        JsonNode result = prometheus.query("probe_success{job=\"" + job + "\", instance=\"" + target + "\"}");
        return result.isEmpty() ? "none" : result.get(0).at("/value/1").asText();
    }
}
