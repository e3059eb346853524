package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images built from the Dockerfiles; an aggregator, three agents on three region networks, three endpoints.
 * Stopping one endpoint container turns only its target UNHEALTHY. Debian's prometheus, with the compose
 * file's scrape config pointed at the containers (their addresses on the test's control network), then finds every target up, the key series, and data for
 * every query of the Grafana dashboard. Last, cutting one agent's region off changes no verdict.
 */
class ContainerFleetIT {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    @BeforeAll
    static void prerequisites() {
        Fleet.requireDockerAndBaseImages();
    }

    static String aggregatorYaml() {
        StringBuilder yaml = Fleet.aggregatorYaml(Fleet.REGIONS);
        yaml.append("cloudwatch: {mode: dry-run, publishEvery: 2s}\ntargets:\n");
        Fleet.REGIONS.forEach(region -> yaml.append("  - {name: api-")
                .append(region)
                .append(", interval: 2s, timeout: 1s, ")
                .append("http: {url: 'http://endpoint-")
                .append(region)
                .append(":8080/health', expectBody: {jsonPointer: {path: /status, equals: UP}}}, ")
                .append("quorum: {minVantages: 2, healthy: 2, rise: 2, fall: 2}}\n"));
        return yaml.toString();
    }

    Map<String, String> verdicts(Fleet fleet) throws Exception {
        JsonNode status = JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create(fleet.url(fleet.aggregator, 8080, "/v1/status")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        Map<String, String> verdicts = new LinkedHashMap<>();
        status.get("targets")
                .forEach(t ->
                        verdicts.put(t.get("name").asText(), t.get("verdict").asText()));
        return verdicts;
    }

    @Test
    void endpointDownThenPrometheusThenARegionCutOff() throws Exception {
        Map<String, String> tokens = new HashMap<>();
        Fleet.REGIONS.forEach(region -> tokens.put(Fleet.tokenVariable(region), "container-test-token-" + region));
        String agentYaml =
                "agent:\n  aggregators: [{url: 'http://aggregator:8080', tokenEnv: VANTAGE_TOKEN}]\n  targetsRefresh: 2s\n"
                        + "  pushInterval: 500ms\nserver: {port: 9100}\n";
        try (Fleet fleet = new Fleet().start(aggregatorYaml(), agentYaml, tokens)) {
            Map<String, String> allHealthy =
                    Map.of("api-us-east-1", "HEALTHY", "api-eu-west-1", "HEALTHY", "api-ap-southeast-2", "HEALTHY");
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> verdicts(fleet).equals(allHealthy));

            fleet.endpoints.get("eu-west-1").stop();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> verdicts(fleet).get("api-eu-west-1").equals("UNHEALTHY"));
            Map<String, String> afterOutage = verdicts(fleet);
            assertThat(afterOutage)
                    .containsEntry("api-us-east-1", "HEALTHY")
                    .containsEntry("api-ap-southeast-2", "HEALTHY");

            Map<String, String> services = new HashMap<>();
            Fleet.REGIONS.forEach(region -> services.put(
                    "agent-" + region + ":9100", Fleet.ipOn(fleet.agents.get(region), fleet.control) + ":9100"));
            services.put("aggregator:8080", Fleet.ipOn(fleet.aggregator, fleet.control) + ":8080");
            try (PrometheusServer prometheus = PrometheusServer.start(
                    PrometheusServer.composeConfigPointedAt(services),
                    Files.createDirectories(directory.resolve("prom")))) {
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            JsonNode targets = prometheus.targets();
                            assertThat(targets.findValuesAsText("health"))
                                    .as(targets.toString())
                                    .hasSize(4)
                                    .containsOnly("up");
                        });
                for (String series : List.of(
                        "vantage_probe_success",
                        "vantage_probe_duration_seconds",
                        "vantage_target_healthy",
                        "vantage_target_vantages",
                        "vantage_agent_report_age_seconds",
                        "vantage_ingest_results_total",
                        "vantage_report_push_total")) {
                    assertThat(prometheus.query(series)).as(series).isNotEmpty();
                }
                // Each agent in its image (read-only root, /tmp a noexec tmpfs as Docker mounts it) runs BoringSSL and
                // epoll: Netty loads them from the image's /opt/vantage/native, not from copies in /tmp.
                JsonNode runtime = prometheus.query("vantage_agent_runtime_info");
                assertThat(runtime.findValuesAsText("tls_engine"))
                        .as(runtime.toString())
                        .hasSize(3)
                        .containsOnly("openssl");
                assertThat(runtime.findValuesAsText("transport"))
                        .as(runtime.toString())
                        .hasSize(3)
                        .containsOnly("epoll");
                assertThat(prometheus
                                .query("vantage_target_healthy{target=\"api-eu-west-1\"}")
                                .at("/0/value/1")
                                .asText())
                        .isEqualTo("0");
                // Every query of the dashboard the chart and compose ship runs, and has data (every variable: all),
                // except where its panel says it may be empty (HTTPS-only or aws-only series, observed routing,
                // drills: this fleet has none).
                JsonNode dashboard = JSON.readTree(Repository.root()
                        .resolve("helm/vantage/dashboards/vantage.json")
                        .toFile());
                Map<String, Boolean> queries = new LinkedHashMap<>();
                for (JsonNode panel : dashboard.get("panels")) {
                    boolean mayBeEmpty = panel.path("description").asText().startsWith("May be empty");
                    panel.path("targets").forEach(t -> queries.put(t.get("expr").asText(), mayBeEmpty));
                }
                assertThat(queries).hasSizeGreaterThanOrEqualTo(21);
                assertThat(queries.values().stream().filter(empty -> empty)).hasSize(5);
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofSeconds(2))
                        .untilAsserted(() -> {
                            for (Map.Entry<String, Boolean> query : queries.entrySet()) {
                                JsonNode result = prometheus.query(query.getKey()
                                        .replace("$target", ".*")
                                        .replace("$region", ".*")
                                        .replace("$instance", ".*"));
                                if (!query.getValue()) {
                                    assertThat(result).as(query.getKey()).isNotEmpty();
                                }
                            }
                        });
                // The shipped alerting rules are loaded, and the broken target's alert is pending (or firing).
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofSeconds(2))
                        .untilAsserted(() -> assertThat(prometheus.alerts()).anySatisfy(alert -> {
                            assertThat(alert.at("/labels/alertname").asText()).isEqualTo("VantageTargetUnhealthy");
                            assertThat(alert.at("/labels/target").asText()).isEqualTo("api-eu-west-1");
                        }));
            }
            // Region ap-southeast-2 loses its way to every endpoint: its vantage point fails, the quorum holds.
            fleet.cutOff("ap-southeast-2", true);
            List<Map<String, String>> observed = new ArrayList<>();
            long until = System.currentTimeMillis() + 12_000; // six probe intervals: enough for a wrong verdict to show
            while (System.currentTimeMillis() < until) {
                observed.add(verdicts(fleet));
                Thread.sleep(1_000); // sampling the verdicts over the window, not waiting for a condition
            }
            assertThat(observed)
                    .as("no verdict changes while one region is cut off")
                    .allMatch(afterOutage::equals);
            JsonNode vantages = JSON.readTree(http.send(
                                    HttpRequest.newBuilder(URI.create(fleet.url(fleet.aggregator, 8080, "/v1/status")))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .at("/targets/0/vantages");
            assertThat(vantages.toString())
                    .as("failing every target the others see healthy: blind, its votes set aside")
                    .contains("\"agentId\":\"agent-ap-southeast-2\",\"region\":\"ap-southeast-2\",\"state\":\"blind\"");
        }
    }
}
