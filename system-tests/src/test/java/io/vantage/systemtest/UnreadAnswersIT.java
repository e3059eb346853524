package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.agent.metrics.MetricNames;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.testing.Ports;
import io.vantage.testing.TestHttpServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that ask and never read (or read a byte a second), against the packaged processes with the heap their
 * images get under the chart's default limits. Before answers were shared and bounded, 400 unread {@code /v1/status}
 * requests (13 KiB sent in all) made an aggregator of 2,000 targets exit with {@code OutOfMemoryError}, and 300 slow
 * scrapers took an agent from 156 to 361 MiB.
 */
class UnreadAnswersIT {
    static final int TARGETS = 2_000;
    static final int UNREAD_STATUS_REQUESTS = 400;
    static final int SLOW_SCRAPERS = 300;
    /** The chart's default memory limits (768Mi aggregator, 320Mi agent) times the images' MaxRAMPercentage. */
    static final String AGGREGATOR_HEAP = "-Xmx537m";

    static final String AGENT_HEAP = "-Xmx160m";

    @TempDir
    Path directory;

    @Test
    void unreadStatusRequestsNeitherKillTheAggregatorNorKeepAgentsOut() throws Exception {
        Path jar = Repository.root().resolve("aggregator/target/vantage-aggregator.jar");
        assertThat(jar).as("the aggregator jar, built by the aggregator module").exists();
        Vertx servers = Vertx.vertx();
        List<RunningAgent> agents = new ArrayList<>();
        List<Socket> unread = new ArrayList<>();
        Process aggregator = null;
        try (TestHttpServer endpoint = TestHttpServer.plain(servers)) {
            int port = Ports.free();
            StringBuilder config = new StringBuilder("server: {host: 127.0.0.1, port: " + port + "}\nagents:\n");
            for (int i = 0; i < 3; i++) {
                Files.writeString(directory.resolve("token-" + i), "token-of-honest-agent-" + i + "-0123456789");
                config.append("  - {id: honest-" + i + ", region: region-" + i + ", tokenFile: token-" + i + "}\n");
            }
            config.append("targets:\n");
            for (int i = 0; i < TARGETS; i++) {
                config.append("  - {name: api-" + i + ", interval: 10s, timeout: 2s, http: {url: '"
                        + endpoint.url("/ok?" + i) + "'}, quorum: {minVantages: 2, healthy: 2}}\n");
            }
            Path file = Files.writeString(directory.resolve("aggregator.yaml"), config);
            aggregator = new ProcessBuilder(
                            "java",
                            AGGREGATOR_HEAP,
                            "-XX:+ExitOnOutOfMemoryError",
                            "-jar",
                            jar.toString(),
                            "--config",
                            file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("aggregator.log").toFile())
                    .start();
            String base = "http://127.0.0.1:" + port;
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() -> get(http, base + "/readyz").statusCode() == 200);
            for (int i = 0; i < 3; i++) {
                agents.add(RunningAgent.start(Files.writeString(
                        directory.resolve("agent-" + i + ".yaml"),
                        "agent: {id: honest-" + i + ", region: region-" + i
                                + ", pushInterval: 1s, aggregators: [{url: '" + base + "', tokenFile: token-" + i
                                + "}]}\nserver: {host: 127.0.0.1, port: 0}\n")));
            }
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> healthy(get(http, base + "/v1/status").body()) == TARGETS);
            double before = residentMiB(aggregator.pid());

            for (int i = 0; i < UNREAD_STATUS_REQUESTS; i++) {
                unread.add(ask(port, "/v1/status"));
            }
            double[] pushed = successfulPushes(agents, port);
            // The honest agents go on pushing while every unread answer is held: their counters move, the verdicts
            // stay.
            await().atMost(Duration.ofSeconds(30)).until(() -> everyAgentPushedTwiceSince(pushed, agents, port));
            assertThat(aggregator.isAlive())
                    .as("the aggregator after %d unread answers", unread.size())
                    .isTrue();
            HttpResponse<String> status = get(http, base + "/v1/status");
            assertThat(status.statusCode())
                    .as("a reader that reads, while the unread answers are held")
                    .isEqualTo(200);
            assertThat(healthy(status.body())).as("healthy verdicts").isEqualTo(TARGETS);
            double during = residentMiB(aggregator.pid());
            for (RunningAgent agent : agents) {
                String label = "127.0.0.1:" + port;
                assertThat(agent.value(MetricNames.REPORT_PUSH, "aggregator", label, "outcome", "rejected"))
                        .as("honest pushes refused")
                        .isZero();
            }
            System.out.printf(
                    Locale.ROOT,
                    "%d unread /v1/status answers over %d targets: aggregator RSS %.0f MiB before, %.0f MiB while held%n",
                    unread.size(),
                    TARGETS,
                    before,
                    during);
        } finally {
            closeAll(unread);
            agents.forEach(RunningAgent::close);
            if (aggregator != null) {
                aggregator.destroy();
                aggregator.waitFor(10, TimeUnit.SECONDS);
            }
            servers.close().await();
        }
    }

    @Test
    void slowScrapersDoNotGrowTheAgent() throws Exception {
        Path jar = Repository.root().resolve("agent/target/vantage-agent.jar");
        assertThat(jar).as("the agent jar, built by the agent module").exists();
        Vertx servers = Vertx.vertx();
        List<Socket> scrapers = new ArrayList<>();
        Process agent = null;
        try (TestHttpServer endpoint = TestHttpServer.plain(servers)) {
            int port = Ports.free();
            StringBuilder config = new StringBuilder("server: {host: 127.0.0.1, port: " + port + "}\ntargets:\n");
            for (int i = 0; i < TARGETS; i++) {
                config.append("  - {name: api-" + i + ", interval: 10s, timeout: 2s, http: {url: '"
                        + endpoint.url("/ok?" + i) + "'}}\n");
            }
            Path file = Files.writeString(directory.resolve("agent.yaml"), config);
            agent = new ProcessBuilder(
                            "java",
                            AGENT_HEAP,
                            "-XX:+ExitOnOutOfMemoryError",
                            "-jar",
                            jar.toString(),
                            "--config",
                            file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("agent.log").toFile())
                    .start();
            String base = "http://127.0.0.1:" + port;
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            // Every target has been probed once: the exposition is as large as it gets.
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() -> get(http, base + "/metrics").body().split("vantage_probe_success\\{", -1).length - 1
                            == TARGETS);
            double before = residentMiB(agent.pid());
            for (int i = 0; i < SLOW_SCRAPERS; i++) {
                scrapers.add(ask(port, "/metrics"));
            }
            // Each reads a byte a second for twenty seconds.
            for (int second = 0; second < 20; second++) {
                for (Socket scraper : scrapers) {
                    readOneByte(scraper);
                }
                TimeUnit.SECONDS.sleep(1); // pacing the slow readers, not waiting for a condition
            }
            double during = residentMiB(agent.pid());
            assertThat(agent.isAlive()).as("the agent under slow scrapers").isTrue();
            HttpResponse<String> healthz = get(http, base + "/healthz");
            assertThat(healthz.statusCode())
                    .as("the agent's /healthz under slow scrapers")
                    .isEqualTo(200);
            System.out.printf(
                    Locale.ROOT,
                    "%d slow scrapers over %d targets: agent RSS %.0f MiB before, %.0f MiB while they read%n",
                    scrapers.size(),
                    TARGETS,
                    before,
                    during);
            assertThat(during - before)
                    .as("the agent's RSS growth (MiB) under %d slow scrapers, from %.0f MiB", scrapers.size(), before)
                    .isLessThan(40);
        } finally {
            closeAll(scrapers);
            if (agent != null) {
                agent.destroy();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
            servers.close().await();
        }
    }

    /** A connection that sends one GET with a small receive window and then reads nothing (until told to). */
    private static Socket ask(int port, String path) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(1);
        socket.getOutputStream()
                .write(("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private static void readOneByte(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            in.read();
        } catch (IOException nothingYetOrClosed) {
            // a slow reader does not care
        }
    }

    private static double[] successfulPushes(List<RunningAgent> agents, int port) {
        double[] pushes = new double[agents.size()];
        for (int i = 0; i < agents.size(); i++) {
            pushes[i] = agents.get(i)
                    .value(MetricNames.REPORT_PUSH, "aggregator", "127.0.0.1:" + port, "outcome", "success");
        }
        return pushes;
    }

    private static boolean everyAgentPushedTwiceSince(double[] before, List<RunningAgent> agents, int port) {
        double[] now = successfulPushes(agents, port);
        for (int i = 0; i < now.length; i++) {
            if (now[i] < before[i] + 2) {
                return false;
            }
        }
        return true;
    }

    private static int healthy(String status) {
        return status.split("\"verdict\":\"HEALTHY\"", -1).length - 1;
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double residentMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
