package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.agent.metrics.MetricNames;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.testing.Ports;
import io.vantage.testing.TestHttpServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five minutes (or {@code -Dvantage.soak.minutes=N}) of a mixed hostile load on loopback against the packaged
 * aggregator (its own process, heap fixed and touched up front so that its RSS shows everything else): hundreds of
 * unauthenticated connections trickling their headers, malformed batches, bodies that trickle, bodies sent without a
 * token, and status requests whose answers are never read — beside three honest agents. Verdicts never change, every
 * honest push is accepted, and the aggregator's RSS is back within 10 % of where it started once the load stops.
 * Prints what the load did, and the RSS every minute.
 */
class HostileSoakIT {
    static final Duration SOAK = Duration.ofMinutes(Long.getLong("vantage.soak.minutes", 5));
    static final int UNREAD_STATUS = 200;
    static final int TRICKLERS = 600;
    static final int SLOW_BODIES = 20;
    static final String MALLORY_TOKEN = "token-of-mallory-0123456789";
    /**
     * The address the load's own connections come from, so that the aggregator's side of them can be told from the
     * honest agents' in the kernel's socket table (loopback answers for all of 127.0.0.0/8).
     */
    static final String HOSTILE_ADDRESS = "127.0.0.5";

    @TempDir
    Path directory;

    @Test
    void verdictsAndHonestPushesSurviveFiveMinutesOfHostileLoad() throws Exception {
        Path jar = Repository.root().resolve("aggregator/target/vantage-aggregator.jar");
        assertThat(jar).as("the aggregator jar, built by the aggregator module").exists();
        Vertx servers = Vertx.vertx();
        List<RunningAgent> agents = new ArrayList<>();
        Process aggregator = null;
        AtomicBoolean hostile = new AtomicBoolean(true);
        ExecutorService load = Executors.newCachedThreadPool();
        try (TestHttpServer endpoint = TestHttpServer.plain(servers)) {
            int port = Ports.free();
            StringBuilder config = new StringBuilder("server: {host: 127.0.0.1, port: " + port + "}\nagents:\n");
            for (int i = 0; i < 3; i++) {
                Files.writeString(directory.resolve("token-" + i), "token-of-honest-agent-" + i + "-0123456789");
                config.append("  - {id: honest-")
                        .append(i)
                        .append(", region: region-")
                        .append(i)
                        .append(", tokenFile: token-")
                        .append(i)
                        .append("}\n");
            }
            Files.writeString(directory.resolve("token-mallory"), MALLORY_TOKEN);
            config.append("  - {id: mallory, region: nowhere, tokenFile: token-mallory}\ntargets:\n");
            for (String name : List.of("api-1", "api-2", "api-3")) {
                config.append("  - {name: ")
                        .append(name)
                        .append(", interval: 1s, timeout: 800ms, http: {url: '")
                        .append(endpoint.url("/ok"))
                        .append("'}, quorum: {minVantages: 2, healthy: 2, rise: 1, fall: 1, confirm: 1}}\n");
            }
            Path aggregatorFile = Files.writeString(directory.resolve("aggregator.yaml"), config);
            aggregator = new ProcessBuilder(
                            "java",
                            "-Xms256m",
                            "-Xmx256m",
                            "-XX:+AlwaysPreTouch",
                            "-jar",
                            jar.toString(),
                            "--config",
                            aggregatorFile.toString())
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
                Path agentFile = Files.writeString(
                        directory.resolve("agent-" + i + ".yaml"),
                        "agent: {id: honest-" + i + ", region: region-" + i
                                + ", pushInterval: 500ms, targetsRefresh: 5s, aggregators: [{url: '" + base
                                + "', tokenFile: token-" + i + "}]}\n"
                                + "server: {host: 127.0.0.1, port: 0}\n");
                agents.add(RunningAgent.start(agentFile));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> allHealthy(http, base));
            // Steady state before the baseline: the honest traffic has run a while (20 pushes from each agent) and
            // the aggregator's RSS has stopped moving.
            String label = "127.0.0.1:" + port;
            await("honest pushes under way")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> agents.stream()
                            .allMatch(agent ->
                                    agent.value(MetricNames.REPORT_PUSH, "aggregator", label, "outcome", "success")
                                            >= 20));
            double rssBefore = settledResidentMiB(aggregator.pid());

            AtomicLong trickled = new AtomicLong();
            AtomicLong malformed = new AtomicLong();
            AtomicLong slow = new AtomicLong();
            AtomicLong unauthenticated = new AtomicLong();
            AtomicLong unread = new AtomicLong();
            load.submit(() -> trickle(port, hostile, trickled));
            load.submit(() -> askWithoutReading(port, hostile, unread));
            for (int i = 0; i < SLOW_BODIES; i++) {
                load.submit(() -> slowBodies(port, hostile, slow));
            }
            load.submit(() -> {
                while (hostile.get()) {
                    send(
                            http,
                            base,
                            MALLORY_TOKEN,
                            "{\"version\":1,\"agentId\":\"mallory\",\"results\":[{\"target\":",
                            malformed);
                    send(http, base, null, "{}".repeat(1000), unauthenticated);
                    pause(100);
                }
            });
            List<String> changes = new ArrayList<>();
            List<String> memory = new ArrayList<>();
            long started = System.nanoTime();
            long end = started + SOAK.toNanos();
            long nextSample = started;
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextSample) {
                    memory.add(String.format(
                            Locale.ROOT,
                            "%d min: %.0f MiB",
                            TimeUnit.NANOSECONDS.toMinutes(System.nanoTime() - started),
                            residentMiB(aggregator.pid())));
                    nextSample += TimeUnit.MINUTES.toNanos(1);
                }
                String status = get(http, base + "/v1/status").body();
                if (!allHealthy(status)) {
                    changes.add(status);
                }
                TimeUnit.SECONDS.sleep(
                        1); // sampling the verdicts while the load runs; the agents' counters below are exact
            }
            hostile.set(false);
            load.shutdown();
            assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            // The memory the load used is measured once the aggregator has let go of every connection of the load
            // and its RSS has stopped moving.
            await("the aggregator holds no connection of the load")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> connectionsFrom(HOSTILE_ADDRESS, port) == 0);
            double rssAfter = settledResidentMiB(aggregator.pid());

            System.out.printf(
                    Locale.ROOT,
                    "soak %d s: %,d trickled header bytes, %,d malformed batches, %,d trickled bodies, %,d unauthenticated posts, "
                            + "%,d unread status requests; aggregator RSS %.0f MiB before, %.0f MiB after; during: %s%n",
                    SOAK.toSeconds(),
                    trickled.get(),
                    malformed.get(),
                    slow.get(),
                    unauthenticated.get(),
                    unread.get(),
                    rssBefore,
                    rssAfter,
                    String.join(", ", memory));
            assertThat(changes).as("verdicts while under hostile load").isEmpty();
            for (RunningAgent agent : agents) {
                // How many pushes there are depends on how fast the loaded aggregator answers (one is in flight at a
                // time);
                // that results kept arriving is shown by the verdicts, which would have gone stale without them.
                assertThat(agent.value(MetricNames.REPORT_PUSH, "aggregator", label, "outcome", "success"))
                        .as("honest pushes")
                        .isGreaterThan(100);
                assertThat(agent.value(MetricNames.REPORT_PUSH, "aggregator", label, "outcome", "failure"))
                        .as("honest pushes that failed")
                        .isZero();
                assertThat(agent.value(MetricNames.REPORT_PUSH, "aggregator", label, "outcome", "rejected"))
                        .as("honest pushes refused")
                        .isZero();
            }
            assertThat(malformed.get()).as("the load really ran").isGreaterThan(100);
            assertThat(rssAfter)
                    .as("RSS after the load, against %.0f MiB before", rssBefore)
                    .isLessThanOrEqualTo(rssBefore * 1.10);
        } finally {
            hostile.set(false);
            load.shutdownNow();
            agents.forEach(RunningAgent::close);
            if (aggregator != null) {
                aggregator.destroy();
                aggregator.waitFor(10, TimeUnit.SECONDS);
            }
            servers.close().await();
        }
    }

    /** Keeps {@link #TRICKLERS} connections open, each sending one more header byte a second; replaces those the server closes. */
    private static void trickle(int port, AtomicBoolean running, AtomicLong bytes) {
        List<Socket> sockets = new ArrayList<>();
        try {
            while (running.get()) {
                while (sockets.size() < TRICKLERS) {
                    Socket socket = hostileSocket(port);
                    socket.getOutputStream()
                            .write("GET / HTTP/1.1\r\nHost: a\r\nX-Trickle: ".getBytes(StandardCharsets.US_ASCII));
                    sockets.add(socket);
                }
                for (int i = sockets.size() - 1; i >= 0; i--) {
                    try {
                        sockets.get(i).getOutputStream().write('a');
                        bytes.incrementAndGet();
                    } catch (IOException closedByServer) {
                        sockets.remove(i).close();
                    }
                }
                pause(1000);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    /**
     * Keeps {@link #UNREAD_STATUS} connections that each asked for {@code /v1/status} and read nothing (a small receive
     * window, so the answer backs up in the aggregator); replaces those the server closes.
     */
    private static void askWithoutReading(int port, AtomicBoolean running, AtomicLong count) {
        List<Socket> sockets = new ArrayList<>();
        try {
            while (running.get()) {
                sockets.removeIf(socket -> {
                    try {
                        socket.getOutputStream().write(new byte[0]);
                        return socket.isClosed();
                    } catch (IOException closed) {
                        return true;
                    }
                });
                while (sockets.size() < UNREAD_STATUS && running.get()) {
                    Socket socket = new Socket();
                    socket.setReceiveBufferSize(4096);
                    socket.bind(new InetSocketAddress(HOSTILE_ADDRESS, 0));
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    socket.getOutputStream()
                            .write("GET /v1/status HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    sockets.add(socket);
                    count.incrementAndGet();
                }
                pause(1000);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    /** An authenticated POST whose body arrives at 100 bytes a second, repeated until the load stops. */
    private static void slowBodies(int port, AtomicBoolean running, AtomicLong count) {
        while (running.get()) {
            try (Socket socket = hostileSocket(port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/reports HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + MALLORY_TOKEN
                                + "\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                count.incrementAndGet();
                while (running.get()) {
                    out.write(new byte[100]);
                    out.flush();
                    pause(1000);
                }
            } catch (IOException closedByServer) {
                pause(100);
            }
        }
    }

    private static void send(HttpClient http, String base, String token, String body, AtomicLong count) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/reports"))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            count.incrementAndGet();
        } catch (IOException e) {
            // refused or closed: part of the load
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean allHealthy(HttpClient http, String base) throws IOException, InterruptedException {
        return allHealthy(get(http, base + "/v1/status").body());
    }

    private static boolean allHealthy(String status) {
        return status.split("\"verdict\":\"HEALTHY\"", -1).length - 1 == 3;
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A connection to the aggregator from {@link #HOSTILE_ADDRESS}. */
    private static Socket hostileSocket(int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(HOSTILE_ADDRESS, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return socket;
    }

    /**
     * The connections to {@code port} from {@code address} that the server side still holds open (established, or
     * closed by the client but not yet by the server), from the kernel's tables: IPv4 and IPv4-mapped IPv6.
     */
    private static long connectionsFrom(String address, int port) throws IOException {
        byte[] octets = InetAddress.getByName(address).getAddress();
        String remote = String.format(Locale.ROOT, "%02X%02X%02X%02X", octets[3], octets[2], octets[1], octets[0]);
        String local = String.format(Locale.ROOT, ":%04X", port);
        long open = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                boolean held = fields[3].equals("01") || fields[3].equals("08"); // ESTABLISHED, CLOSE_WAIT
                if (held && fields[1].endsWith(local) && fields[2].startsWith(remote, fields[2].indexOf(':') - 8)) {
                    open++;
                }
            }
        }
        return open;
    }

    /** The process's RSS once it has stopped moving: two readings 2 s apart within 1 % of each other. */
    private static double settledResidentMiB(long pid) {
        double[] last = {Double.NaN};
        await("the aggregator's RSS settles")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    double now = residentMiB(pid);
                    boolean steady = Math.abs(now - last[0]) <= last[0] * 0.01;
                    last[0] = now;
                    return steady;
                });
        return last[0];
    }

    private static double residentMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // pacing a load generator, not waiting for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
