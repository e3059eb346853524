package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process on loopback that answers blackbox_exporter's multi-target {@code GET /probe?target=&module=}: Debian's real
 * blackbox_exporter, or the packaged vantage agent with {@code probe:} on. Both are asked the same way, as Prometheus
 * asks (with its scrape-timeout header), and fail loudly when they cannot start.
 */
final class ProbeExporter implements AutoCloseable {
    static final String BLACKBOX = "prometheus-blackbox-exporter";
    static final Path AGENT_JAR = Repository.root().resolve("agent/target/vantage-agent.jar");
    /** What each request tells the exporter, as Prometheus does: the probe must end within it. */
    static final int SCRAPE_TIMEOUT_SECONDS = 10;

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private ProbeExporter(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Debian's blackbox_exporter with {@code modules}; fails (never skips) when it is not installed. */
    static ProbeExporter blackbox(Path modules, Path directory) throws IOException {
        int port = Ports.free();
        Path log = directory.resolve("blackbox.log");
        Process process;
        try {
            process = new ProcessBuilder(
                            BLACKBOX,
                            "--config.file=" + modules,
                            "--web.listen-address=127.0.0.1:" + port,
                            "--log.level=debug")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "blackbox_exporter is required (Debian package prometheus-blackbox-exporter; "
                            + "scripts/install-prerequisites.sh installs it)",
                    e);
        }
        return ready(new ProbeExporter("blackbox_exporter", process, port, log), "/metrics");
    }

    /**
     * The packaged vantage agent with {@code configTail} after its {@code server:} line (loopback, a free port): e.g.
     * {@code probe: {modulesFile: ..., allow: {anyTarget: true}}}.
     */
    static ProbeExporter vantage(String configTail, Path directory) throws IOException {
        assertThat(AGENT_JAR)
                .as("the agent jar (built by the agent module's package phase)")
                .exists();
        int port = Ports.free();
        Path config = Files.writeString(
                directory.resolve("agent.yaml"), "server: {host: 127.0.0.1, port: " + port + "}\n" + configTail);
        Path log = directory.resolve("agent.log");
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-jar",
                        AGENT_JAR.toString(),
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return ready(new ProbeExporter("vantage agent", process, port, log), "/readyz");
    }

    private static ProbeExporter ready(ProbeExporter exporter, String path) {
        try {
            await(exporter.name + " ready")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
                    .until(() -> {
                        assertThat(exporter.process.isAlive())
                                .as("%s runs; its log:\n%s", exporter.name, exporter.log())
                                .isTrue();
                        return exporter.get(path).statusCode() == 200;
                    });
        } catch (RuntimeException | AssertionError e) {
            exporter.close();
            throw e;
        }
        return exporter;
    }

    String name() {
        return name;
    }

    /** {@code host:port} where it listens, for a Prometheus scrape config. */
    String address() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://" + address() + path))
                        .header("X-Prometheus-Scrape-Timeout-Seconds", String.valueOf(SCRAPE_TIMEOUT_SECONDS))
                        .timeout(Duration.ofSeconds(SCRAPE_TIMEOUT_SECONDS + 5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The answer to {@code /probe?target=&module=}: status and body. */
    HttpResponse<String> probe(String target, String module) throws IOException, InterruptedException {
        return get("/probe?target=" + URLEncoder.encode(target, StandardCharsets.UTF_8) + "&module="
                + URLEncoder.encode(module, StandardCharsets.UTF_8));
    }

    /**
     * {@code probe_success} of one probe: "1" or "0"; anything else says what came back instead (another status, no
     * such line), so that a table shows it.
     */
    String success(String target, String module) throws InterruptedException {
        HttpResponse<String> response;
        try {
            response = probe(target, module);
        } catch (IOException e) {
            return "no answer (" + e.getClass().getSimpleName() + ")";
        }
        if (response.statusCode() != 200) {
            return "HTTP " + response.statusCode();
        }
        List<String> values = response.body()
                .lines()
                .filter(line -> line.startsWith("probe_success "))
                .map(line -> line.substring("probe_success ".length()).trim())
                .toList();
        if (values.size() != 1) {
            return "no probe_success";
        }
        try {
            double value = Double.parseDouble(values.get(0)); // "1" from Go's client, "1.0" would mean the same
            return value == 1 ? "1" : value == 0 ? "0" : values.get(0);
        } catch (NumberFormatException e) {
            return values.get(0);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
