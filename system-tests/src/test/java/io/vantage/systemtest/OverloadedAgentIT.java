package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.status.StatusSnapshot;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Ports;
import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent short of CPU must not report its own lateness as endpoints failing. The packaged agent runs as its
 * own process on one core at low priority beside a CPU hog on that core, with far more probes due than it can
 * run there; a real aggregator (quorum 1 of 1, so one false vote would be a false verdict) watches. Healthy
 * endpoints (HTTP and HTTPS) never go UNHEALTHY and the agent counts no failure against them but
 * agent_overloaded; an endpoint that starts answering 503 and a port that starts refusing, both broken while
 * the agent is starved, are still found UNHEALTHY. Needs Linux's {@code taskset} and {@code nice} (util-linux, coreutils) and the agent jar built by
 * the agent module.
 */
class OverloadedAgentIT {
    private static final Path AGENT_JAR = Path.of("../agent/target/vantage-agent.jar");
    private static final int HEALTHY_HTTP = 280;
    private static final int HEALTHY_HTTPS = 20;

    @TempDir
    Path directory;

    @Test
    void healthyEndpointsNeverFailAndBrokenOnesAreStillFound() throws Exception {
        assertThat(AGENT_JAR)
                .as("the agent jar (built by the agent module's package phase)")
                .exists();
        Vertx servers = Vertx.vertx();
        TestPki pki = new TestPki(directory);
        List<Process> processes = new ArrayList<>();
        try (TestHttpServer http = TestHttpServer.plain(servers);
                TestHttpServer https = TestHttpServer.tls(servers, pki.issue("endpoint", 30, "localhost"))) {
            AtomicBoolean failing = new AtomicBoolean();
            int switchablePort = servers.createHttpServer()
                    .requestHandler(request -> request.response()
                            .setStatusCode(failing.get() ? 503 : 200)
                            .end("switchable"))
                    .listen(0, "127.0.0.1")
                    .await()
                    .actualPort();
            ServerSocket closing =
                    new ServerSocket(0, 1_000, InetAddress.getLoopbackAddress()); // the kernel accepts for it
            int agentPort = Ports.free();
            Set<String> healthy = new TreeSet<>();
            StringBuilder targets = new StringBuilder("targets:\n");
            String quorum = "quorum: {minVantages: 1, healthy: 1, rise: 1, fall: 1, confirm: 1, freshness: 10s}";
            for (int i = 0; i < HEALTHY_HTTP + HEALTHY_HTTPS; i++) {
                String name = "ok-" + i;
                healthy.add(name);
                String probe = i < HEALTHY_HTTP
                        ? "http: {url: '" + http.url("/ok") + "'}"
                        : "http: {url: '" + https.url("/ok") + "', hostHeader: localhost, tls: {caFile: '"
                                + pki.caFile() + "'}}";
                targets.append("  - {name: ")
                        .append(name)
                        .append(", interval: 1s, timeout: 800ms, ")
                        .append(probe)
                        .append(", ")
                        .append(quorum)
                        .append("}\n");
            }
            // The broken ones get 1.5 s to answer: starved to a few percent of a core, the agent gets an HTTP exchange
            // through within 800 ms too rarely on this machine (each miss is an honest no vote, not a failure).
            targets.append("  - {name: broken, interval: 2s, timeout: 1500ms, http: {url: 'http://127.0.0.1:")
                    .append(switchablePort)
                    .append("/'}, ")
                    .append(quorum)
                    .append("}\n");
            targets.append("  - {name: refused, interval: 2s, timeout: 1500ms, tcp: {host: 127.0.0.1, port: ")
                    .append(closing.getLocalPort())
                    .append("}, ")
                    .append(quorum)
                    .append("}\n");
            Path aggregatorFile = Files.writeString(
                    directory.resolve("aggregator.yaml"),
                    "server: {host: 127.0.0.1, port: 0}\n"
                            + "agents:\n  - {id: agent-a, region: us-east-1, tokenEnv: TOKEN_A}\n" + targets);

            try (RunningAggregator aggregator = RunningAggregator.startFromFile(aggregatorFile)) {
                Files.writeString(directory.resolve("token"), RunningAggregator.TOKENS.get("TOKEN_A"));
                Path agentFile = Files.writeString(
                        directory.resolve("agent.yaml"),
                        "agent:\n  id: agent-a\n  region: us-east-1\n"
                                + "  probeLoops: 1\n  pushInterval: 200ms\n  targetsRefresh: 5s\n"
                                + "  aggregators: [{url: 'http://127.0.0.1:"
                                + aggregator.aggregator().port() + "', tokenFile: '"
                                + directory.resolve("token") + "'}]\nserver: {host: 127.0.0.1, port: " + agentPort
                                + "}\n");
                // Pinned to core 0 at low priority: once the hog runs there, the agent gets a few percent of one core.
                List<String> agent = new ArrayList<>(List.of(
                        "taskset",
                        "-c",
                        "0",
                        "nice",
                        "-n",
                        "15",
                        "java",
                        "-XX:+UseSerialGC",
                        "-Xmx112m",
                        "-jar",
                        AGENT_JAR.toString(),
                        "--config",
                        agentFile.toString()));
                processes.add(new ProcessBuilder(agent)
                        .redirectErrorStream(true)
                        .redirectOutput(directory.resolve("agent.log").toFile())
                        .start());
                await("every target judged before the overload")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> verdicts(aggregator).values().stream().noneMatch("INSUFFICIENT_DATA"::equals));
                Map<String, String> before = verdicts(aggregator);
                assertThat(before)
                        .allSatisfy(
                                (name, verdict) -> assertThat(verdict).as(name).isEqualTo("HEALTHY"));

                processes.add(new ProcessBuilder("taskset", "-c", "0", "sh", "-c", "while :; do :; done").start());
                Set<String> falselyUnhealthy = new TreeSet<>();
                boolean brokenFound = false;
                boolean refusedFound = false;
                long start = System.nanoTime();
                long breakAt = start + TimeUnit.SECONDS.toNanos(5);
                // Starved to a few percent of a core, the agent gets an HTTP exchange through within its 800 ms timeout
                // only now and then: the 503 arrived 1-30 s after the break in this machine's runs, so it is given 55
                // s.
                long end = start + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < end) {
                    if (System.nanoTime() > breakAt && !failing.get()) {
                        failing.set(true);
                        closing.close();
                    }
                    Map<String, String> now = verdicts(aggregator);
                    healthy.stream()
                            .filter(name -> now.get(name).equals("UNHEALTHY"))
                            .forEach(falselyUnhealthy::add);
                    brokenFound |= now.get("broken").equals("UNHEALTHY");
                    refusedFound |= now.get("refused").equals("UNHEALTHY");
                    Thread.sleep(
                            200); // sampling the verdicts while the overload runs; the agent's counters below are exact
                }

                String metrics = scrape(agentPort);
                assertThat(falselyUnhealthy)
                        .as("healthy endpoints judged UNHEALTHY while the agent was starved")
                        .isEmpty();
                assertThat(falseFailures(metrics, healthy))
                        .as("failures other than agent_overloaded against healthy endpoints")
                        .isEmpty();
                assertThat(value(metrics, "vantage_agent_event_loop_overloaded_samples_total{loop=\"0\"}"))
                        .as("the agent saw its own loop lag (the test really starved it)")
                        .isPositive();
                assertThat(value(metrics, "vantage_probes_total{outcome=\"no_vote\"}"))
                        .as("timeouts measured while late were no vote")
                        .isPositive();
                assertThat(brokenFound)
                        .as("503 still UNHEALTHY under overload; agent log: " + directory.resolve("agent.log"))
                        .isTrue();
                assertThat(refusedFound)
                        .as("refused port still UNHEALTHY under overload")
                        .isTrue();
            }
        } finally {
            for (Process process : processes) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            servers.close().await();
        }
    }

    private static Map<String, String> verdicts(RunningAggregator aggregator) {
        Map<String, String> verdicts = new HashMap<>();
        for (StatusSnapshot.TargetStatus target :
                aggregator.aggregator().snapshot().targets()) {
            verdicts.put(target.name(), target.verdict());
        }
        return verdicts;
    }

    /** Lines of vantage_probe_failures_total for healthy targets with any reason but agent_overloaded. */
    private static List<String> falseFailures(String metrics, Set<String> healthy) {
        return metrics.lines()
                .filter(line -> line.startsWith("vantage_probe_failures_total{")
                        && !line.contains("reason=\"agent_overloaded\""))
                .filter(line -> healthy.stream().anyMatch(name -> line.contains("target=\"" + name + "\"")))
                .toList();
    }

    private static double value(String metrics, String series) {
        return metrics.lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
                .findFirst()
                .orElse(0);
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
