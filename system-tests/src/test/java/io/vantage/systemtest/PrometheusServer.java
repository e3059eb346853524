package io.vantage.systemtest;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/** Debian's real prometheus, on loopback, with a given config; fails loudly when it is not installed. */
final class PrometheusServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The compose file's scrape config with each service name replaced by where the test's container listens. */
    static String composeConfigPointedAt(Map<String, String> serviceToHostPort) throws IOException {
        String config = Files.readString(Repository.root().resolve("deploy/compose/prometheus.yml"));
        for (Map.Entry<String, String> entry : serviceToHostPort.entrySet()) {
            config = config.replace("'" + entry.getKey() + "'", "'" + entry.getValue() + "'");
        }
        return config.replace("scrape_interval: 5s", "scrape_interval: 2s")
                .replace("/etc/prometheus/rules/", Repository.root().resolve("helm/vantage/rules") + "/");
    }

    static PrometheusServer start(String config, Path directory) throws IOException, InterruptedException {
        Path file = Files.writeString(directory.resolve("prometheus.yml"), config);
        int port = Ports.free();
        Process process;
        try {
            process = new ProcessBuilder(
                            "prometheus",
                            "--config.file=" + file,
                            "--storage.tsdb.path=" + directory.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("prometheus.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("prometheus is required (Debian package prometheus; ./test.sh installs it)", e);
        }
        PrometheusServer server = new PrometheusServer(process, port);
        try {
            await("prometheus ready; see " + directory.resolve("prometheus.log"))
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
                    .until(() -> server.get("/-/ready").statusCode() == 200);
        } catch (ConditionTimeoutException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code /api/v1/alerts}: the alerts pending or firing now. */
    JsonNode alerts() throws IOException, InterruptedException {
        return json.readTree(get("/api/v1/alerts").body()).at("/data/alerts");
    }

    /** {@code /api/v1/targets}' active targets. */
    JsonNode targets() throws IOException, InterruptedException {
        return json.readTree(get("/api/v1/targets").body()).at("/data/activeTargets");
    }

    /** The result vector of an instant query (empty when nothing matches). */
    JsonNode query(String promql) throws IOException, InterruptedException {
        JsonNode answer = json.readTree(get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .body());
        if (!"success".equals(answer.path("status").asText())) {
            throw new AssertionError("query failed: " + promql + ": " + answer);
        }
        return answer.at("/data/result");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
