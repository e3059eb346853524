package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vantage.testing.Ports;
import io.vantage.wire.Headers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.URI;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The packaged aggregator and agents as processes on loopback, for the members matrices ({@link MembersIT}, {@link
 * MembersTwoRegionsIT}): several agent processes per {@code agents:} entry, each with its own {@code VANTAGE_INSTANCE},
 * killed with SIGKILL; and loopback endpoints that count the probes they answer and can be made to hang.
 */
final class MemberProcesses implements AutoCloseable {
    static final Path AGGREGATOR_JAR = Repository.root().resolve("aggregator/target/vantage-aggregator.jar");
    static final Path AGENT_JAR = Repository.root().resolve("agent/target/vantage-agent.jar");
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    final Path directory;
    final int port = Ports.free();
    final String base = "http://127.0.0.1:" + port;
    /** Agent id → token. */
    private final Map<String, String> tokens = new LinkedHashMap<>();
    /** Instance id → its agent process. */
    final Map<String, Process> members = new LinkedHashMap<>();
    /** Instance id → its agent id. */
    private final Map<String, String> agentOf = new HashMap<>();

    private Process aggregator;

    MemberProcesses(Path directory, List<String> agentIds) throws IOException {
        assertThat(AGGREGATOR_JAR)
                .as("the aggregator jar (built by the aggregator module's package phase)")
                .exists();
        assertThat(AGENT_JAR)
                .as("the agent jar (built by the agent module's package phase)")
                .exists();
        this.directory = directory;
        for (String id : agentIds) {
            String token = "members-token-of-" + id + "-0123456789abcdef";
            tokens.put(id, token);
            Files.writeString(directory.resolve("token-" + id), token);
        }
    }

    /** The environment variable that carries {@code agent}'s token to the aggregator. */
    static String tokenVariable(String agent) {
        return "TOKEN_" + agent.replace('-', '_').toUpperCase();
    }

    /** What the aggregator's environment gives its {@code tokenEnv}s (also for parsing the same YAML in the test). */
    Map<String, String> tokenEnvironment() {
        Map<String, String> environment = new HashMap<>();
        tokens.forEach((agent, token) -> environment.put(tokenVariable(agent), token));
        return environment;
    }

    /** The start of the aggregator's YAML: loopback, the full status for anyone, {@code agents:} with {@code extra}. */
    String aggregatorYaml(Map<String, String> regions, String extra) {
        StringBuilder yaml =
                new StringBuilder("server: {host: 127.0.0.1, port: " + port + ", anonymousStatus: full}\nagents:\n");
        regions.forEach((agent, region) -> yaml.append("  - {id: ")
                .append(agent)
                .append(", region: ")
                .append(region)
                .append(", tokenEnv: ")
                .append(tokenVariable(agent))
                .append(extra.isEmpty() ? "" : ", " + extra)
                .append("}\n"));
        return yaml.append("targets:\n").toString();
    }

    void startAggregator(String yaml) throws Exception {
        Path config = Files.writeString(directory.resolve("aggregator.yaml"), yaml);
        ProcessBuilder builder = new ProcessBuilder(
                        JAVA.toString(),
                        "-Xmx512m",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-jar",
                        AGGREGATOR_JAR.toString(),
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("aggregator.log").toFile());
        builder.environment().putAll(tokenEnvironment());
        aggregator = builder.start();
        await("the aggregator ready")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(aggregator.isAlive())
                            .as("the aggregator runs; its log:\n%s", log("aggregator"))
                            .isTrue();
                    return get("/readyz", null, null).statusCode() == 200;
                });
    }

    /** Starts one member of {@code agent}: an agent process with {@code VANTAGE_INSTANCE=instance}. */
    void startMember(String agent, String region, String instance) throws Exception {
        Path config = Files.writeString(
                directory.resolve("agent-" + instance + ".yaml"),
                "agent:\n  id: " + agent + "\n  region: " + region + "\n  pushInterval: 500ms\n  targetsRefresh: 1s\n"
                        + "  aggregators: [{url: '" + base + "', tokenFile: '" + directory.resolve("token-" + agent)
                        + "'}]\nserver: {host: 127.0.0.1, port: 0}\n");
        ProcessBuilder builder = new ProcessBuilder(
                        JAVA.toString(),
                        "-Xmx128m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-jar",
                        AGENT_JAR.toString(),
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("agent-" + instance + ".log").toFile());
        builder.environment().put("VANTAGE_INSTANCE", instance);
        members.put(instance, builder.start());
        agentOf.put(instance, agent);
    }

    /** SIGKILL: the member stops at once, without a word to the aggregator. */
    void kill(String instance) throws InterruptedException {
        Process member = members.remove(instance);
        assertThat(member).as("member %s runs", instance).isNotNull();
        member.destroyForcibly();
        assertThat(member.waitFor(10, TimeUnit.SECONDS))
                .as("member %s killed", instance)
                .isTrue();
    }

    /** Fails loudly, with its log, if a member process exited. */
    void assertRunning() {
        members.forEach((instance, process) -> assertThat(process.isAlive())
                .as("member %s runs; its log:\n%s", instance, log("agent-" + instance))
                .isTrue());
    }

    /**
     * The target names in the share of {@code instance}, a running member of {@code agent}, as {@code GET /v1/targets}
     * answers it (asking admits the instance: never ask for a killed or not yet started member).
     */
    Set<String> share(String instance) throws Exception {
        String agent = agentOf.get(instance);
        assertThat(members).as("a running member").containsKey(instance);
        HttpResponse<String> response = get("/v1/targets", tokens.get(agent), instance);
        assertThat(response.statusCode()).as("GET /v1/targets for %s", instance).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        Matrix.JSON
                .readTree(response.body())
                .get("targets")
                .forEach(t -> names.add(t.get("name").asText()));
        return names;
    }

    /** Each running member's share of {@code agent}, by instance. */
    Map<String, Set<String>> shares(String agent) throws Exception {
        Map<String, Set<String>> shares = new LinkedHashMap<>();
        for (String instance : members.keySet()) {
            if (agentOf.get(instance).equals(agent)) {
                shares.put(instance, share(instance));
            }
        }
        return shares;
    }

    /** Each target's owners among {@code shares}, by target. */
    static Map<String, Set<String>> owners(Map<String, Set<String>> shares) {
        Map<String, Set<String>> owners = new HashMap<>();
        shares.forEach((instance, share) -> share.forEach(
                target -> owners.computeIfAbsent(target, t -> new TreeSet<>()).add(instance)));
        return owners;
    }

    /**
     * Waits until the running members of {@code agent} share {@code targets} targets {@code perTarget} times over: every
     * handover ended (a previous owner keeps a target until its new owner reported it) and the members that left gone.
     */
    Map<String, Set<String>> awaitSettledShares(String agent, int targets, int perTarget) {
        @SuppressWarnings("unchecked")
        Map<String, Set<String>>[] settled = new Map[1];
        await(agent + "'s shares settled: each of " + targets + " targets owned by " + perTarget + " running members")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    Map<String, Set<String>> shares = shares(agent);
                    Map<String, Set<String>> owners = owners(shares);
                    settled[0] = shares;
                    return owners.size() == targets
                            && owners.values().stream().allMatch(o -> o.size() == perTarget)
                            && shares.values().stream().noneMatch(Set::isEmpty);
                });
        return settled[0];
    }

    JsonNode status() throws Exception {
        return Matrix.status(base);
    }

    Map<String, String> verdicts() throws Exception {
        return Matrix.verdicts(status());
    }

    private HttpResponse<String> get(String path, String token, String instance) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (instance != null) {
            request.header(Headers.INSTANCE, instance);
        }
        return Matrix.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    String log(String name) {
        try {
            return Files.readString(directory.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Stops every process; fails if the aggregator logged a Vert.x blocked-thread warning (nothing that can block belongs
     * on an event loop). The agents' are printed: up to nine JVMs on this two-core machine, several starting at once,
     * starve each other's event loops for seconds at start, which the checker cannot tell from blocking.
     */
    @Override
    public void close() throws Exception {
        List<Process> all = new ArrayList<>(members.values());
        if (aggregator != null) {
            all.add(aggregator);
        }
        all.forEach(Process::destroy);
        for (Process process : all) {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        List<String> blocked = new ArrayList<>();
        try (var logs = Files.list(directory)) {
            for (Path file : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
                List<String> lines = Files.readAllLines(file).stream()
                        .filter(line -> line.contains("has been blocked for"))
                        .map(line -> file.getFileName() + ": " + line)
                        .toList();
                if (file.getFileName().toString().equals("aggregator.log")) {
                    blocked.addAll(lines);
                } else {
                    lines.forEach(System.out::println);
                }
            }
        }
        if (!blocked.isEmpty()) {
            throw new AssertionError(
                    "Vert.x blocked-thread warnings in the aggregator's log:\n" + String.join("\n", blocked));
        }
    }

    /**
     * An HTTP endpoint on loopback that answers {@code 200 UP} and counts the requests it answered; broken, it accepts
     * and never answers (the probes time out, as when a region's endpoint is lost).
     */
    static final class Endpoint implements AutoCloseable {
        private final HttpServer server;
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicBoolean broken = new AtomicBoolean();

        Endpoint(Vertx vertx) {
            server = vertx.createHttpServer().requestHandler(request -> {
                if (broken.get()) {
                    return; // hangs: the probe fails at its timeout
                }
                requests.incrementAndGet();
                request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"UP\"}");
            });
            server.listen(0, "127.0.0.1").await();
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort() + "/health";
        }

        int requests() {
            return requests.get();
        }

        void breakIt() {
            broken.set(true);
        }

        @Override
        public void close() {
            server.close().await();
        }
    }
}
