package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * The compose demo as a user starts it: {@code docker-compose up -d --build} with the repository's compose file (its
 * images built on this machine, no registry), under a project name of its own and on free loopback ports. The same
 * story as {@code ./demo.sh}: every region HEALTHY, then eu-west-1's endpoint breaks, its verdict goes UNHEALTHY,
 * Prometheus sees it, the Route 53 stand-in's alarm fires and DNS answers eu-west-1 with us-east-1; repaired, it comes
 * back. {@code docker-compose down -v} always; the containers' logs are printed when it fails.
 */
class ComposeDemoIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LOCAL_IMAGES = List.of("vantage/moto:local", "vantage/prometheus:local");

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final String project = "vantage-it-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

    @TempDir
    Path directory;

    @BeforeAll
    static void prerequisites() throws Exception {
        Fleet.requireDockerAndBaseImages();
        for (String image : LOCAL_IMAGES) {
            if (DockerClientFactory.instance()
                    .client()
                    .listImagesCmd()
                    .withImageNameFilter(image)
                    .exec()
                    .isEmpty()) {
                throw new AssertionError(
                        "local image " + image + " is missing: run scripts/build-base-images.sh (./test.sh does)");
            }
        }
        Process version;
        try {
            version = new ProcessBuilder("docker-compose", "version")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "docker-compose is required (Debian package docker-compose; scripts/install-prerequisites.sh installs it)",
                    e);
        }
        String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(version.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(version.exitValue()).as(output).isZero();
    }

    @Test
    void breakARegionAndDnsMovesAwayThenBack() throws Exception {
        for (String port : List.of(
                "VANTAGE_STATUS_PORT",
                "VANTAGE_US_EAST_1_PORT",
                "VANTAGE_EU_WEST_1_PORT",
                "VANTAGE_AP_SOUTHEAST_2_PORT",
                "VANTAGE_STAND_IN_PORT",
                "VANTAGE_PROMETHEUS_PORT")) {
            environment.put(port, String.valueOf(Ports.free()));
        }
        environment.put("VANTAGE_BASE_IMAGE", Fleet.BASE_IMAGE);
        environment.put("VANTAGE_AGENT_BASE_IMAGE", Fleet.AGENT_BASE_IMAGE);
        List<String> times = new ArrayList<>();
        long start = System.nanoTime();
        boolean passed = false;
        try {
            compose(Duration.ofMinutes(10), "up", "-d", "--build");
            times.add("up " + since(start));
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .until(() -> get("VANTAGE_STATUS_PORT", "/").statusCode() == 200);
            times.add("status page " + since(start));
            Map<String, String> allHealthy =
                    Map.of("api-us-east-1", "HEALTHY", "api-eu-west-1", "HEALTHY", "api-ap-southeast-2", "HEALTHY");
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .until(() -> verdicts().equals(allHealthy));
            times.add("all HEALTHY " + since(start));
            Map<String, String> home = Map.of(
                    "us-east-1", "api-us-east-1", "eu-west-1", "api-eu-west-1", "ap-southeast-2", "api-ap-southeast-2");
            assertThat(answers()).isEqualTo(home);

            long broken = System.nanoTime();
            assertThat(post("VANTAGE_EU_WEST_1_PORT", "/control/break")).isEqualTo(204);
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> verdicts().get("api-eu-west-1").equals("UNHEALTHY"));
            times.add("UNHEALTHY " + since(broken) + " after the break");
            assertThat(verdicts())
                    .containsEntry("api-us-east-1", "HEALTHY")
                    .containsEntry("api-ap-southeast-2", "HEALTHY");
            // Clients in eu-west-1 are sent to the nearest healthy region; the others stay at home.
            Map<String, String> moved = Map.of(
                    "us-east-1", "api-us-east-1", "eu-west-1", "api-us-east-1", "ap-southeast-2", "api-ap-southeast-2");
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> answers().equals(moved));
            times.add("DNS moved " + since(broken) + " after the break");
            assertThat(standIn().get("changes").toString())
                    .contains("alarm of api-eu-west-1 is ALARM", "health check of api-eu-west-1 is unhealthy");
            // Prometheus (the compose file's scrape config, the chart's rules) sees the same verdict.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .until(() -> JSON.readTree(get(
                                            "VANTAGE_PROMETHEUS_PORT",
                                            "/api/v1/query?query="
                                                    + URLEncoder.encode(
                                                            "min(vantage_target_healthy{target=\"api-eu-west-1\"})",
                                                            StandardCharsets.UTF_8))
                                    .body())
                            .at("/data/result/0/value/1")
                            .asText()
                            .equals("0"));

            long repaired = System.nanoTime();
            assertThat(post("VANTAGE_EU_WEST_1_PORT", "/control/repair")).isEqualTo(204);
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> verdicts().equals(allHealthy));
            times.add("HEALTHY again " + since(repaired) + " after the repair");
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> answers().equals(home));
            times.add("DNS back " + since(repaired) + " after the repair");
            passed = true;
        } finally {
            System.out.println("compose demo: " + String.join(", ", times));
            if (!passed) {
                System.out.println("compose demo failed; the containers' logs:\n"
                        + compose(Duration.ofMinutes(1), "logs", "--no-color", "--tail", "300"));
            }
            compose(Duration.ofMinutes(3), "down", "-v", "--remove-orphans");
            System.out.println("compose demo: down after " + since(start) + " in all");
        }
    }

    private static String since(long nanos) {
        return String.format("%.1f s", (System.nanoTime() - nanos) / 1e9);
    }

    /** Runs docker-compose on the repository's file under this test's project; fails with its output unless it exits 0. */
    private String compose(Duration timeout, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "docker-compose",
                "-f",
                Repository.root().resolve("docker-compose.yml").toString(),
                "-p",
                project));
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile(directory, "compose", ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(
                    String.join(" ", command) + " did not finish within " + timeout + ":\n" + Files.readString(output));
        }
        String text = Files.readString(output);
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + process.exitValue() + ":\n" + text);
        }
        return text;
    }

    private HttpResponse<String> get(String port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + environment.get(port) + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int post(String port, String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + environment.get(port) + path))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Each target's verdict on the aggregator's status API. */
    private Map<String, String> verdicts() throws Exception {
        Map<String, String> verdicts = new LinkedHashMap<>();
        JSON.readTree(get("VANTAGE_STATUS_PORT", "/v1/status").body())
                .get("targets")
                .forEach(t ->
                        verdicts.put(t.get("name").asText(), t.get("verdict").asText()));
        return verdicts;
    }

    private JsonNode standIn() throws Exception {
        return JSON.readTree(get("VANTAGE_STAND_IN_PORT", "/").body());
    }

    /** Which target app.demo answers in each region, as the Route 53 stand-in says. */
    private Map<String, String> answers() throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        standIn()
                .get("answers")
                .forEach(a ->
                        answers.put(a.get("region").asText(), a.get("target").asText()));
        return answers;
    }
}
