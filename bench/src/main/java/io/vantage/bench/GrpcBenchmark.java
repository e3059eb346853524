package io.vantage.bench;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What a gRPC health probe costs the agent: the agent as it ships (its launcher) probes {@code TARGETS} grpc targets
 * once a second each, every probe a fresh plaintext HTTP/2 connection and one {@code grpc.health.v1.Health/Check}, against
 * grpc-java's own health service in this process on 127.0.0.1 (its CPU is not counted). After a warm-up, one window's
 * completed probes are divided by the CPU seconds the agent used in it (less its {@code /metrics} scrapes): probes per
 * CPU-second. Loopback only. Usage: {@code GrpcBenchmark AGENT_JAR WORK_DIR [TARGETS=200] [WARMUP_SECONDS=30]
 * [WINDOW_SECONDS=30]}.
 */
public final class GrpcBenchmark {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private GrpcBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println(
                    "usage: GrpcBenchmark AGENT_JAR WORK_DIR [TARGETS=200] [WARMUP_SECONDS=30] [WINDOW_SECONDS=30]");
            System.exit(2);
        }
        Path agentJar = Path.of(args[0]);
        Path work = Files.createDirectories(Path.of(args[1]));
        int targets = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int window = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        Processes processes = new Processes(work);
        Runtime.getRuntime().addShutdownHook(new Thread(processes::killAll));
        Processes.requireFree(List.of(AgentUnderTest.PORT));
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("vantage.Bench", ServingStatus.SERVING);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(health.getHealthService())
                .build()
                .start();
        try {
            StringBuilder config = new StringBuilder("agent: {id: bench, region: local, maxInFlight: 10000}\n"
                    + "server: {host: 127.0.0.1, port: " + AgentUnderTest.PORT + "}\ntargets:\n");
            for (int i = 0; i < targets; i++) {
                config.append("  - {name: g")
                        .append(i)
                        .append(", interval: 1s, timeout: 900ms, grpc: {host: 127.0.0.1, port: ")
                        .append(server.getPort())
                        .append(", service: vantage.Bench}}\n");
            }
            Path file = Files.writeString(work.resolve("agent-grpc.yaml"), config);
            Process agent =
                    processes.startLauncher(agentJar.resolveSibling("vantage-agent"), file, "agent-grpc", false);
            processes.waitFor("http://127.0.0.1:" + AgentUnderTest.PORT + "/readyz");
            System.out.printf("vantage agent: %d grpc targets at 1 s; warming up %d s%n", targets, warmup);
            Thread.sleep(warmup * 1000L);
            double cpuBefore = ProcessStats.cpuSeconds(agent.pid());
            long[] before = probes();
            double scrapeCpu = ProcessStats.cpuSeconds(agent.pid()) - cpuBefore;
            long started = System.nanoTime();
            Thread.sleep(window * 1000L);
            double cpuEnd = ProcessStats.cpuSeconds(agent.pid());
            long[] after = probes();
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpu = cpuEnd - cpuBefore - scrapeCpu;
            long done = after[0] - before[0];
            System.out.printf(
                    Locale.ROOT,
                    "grpc health probes: %d in %.1f s (%.0f/s), %d failed, %d no vote; agent CPU %.2f s (%.0f%% of a core)"
                            + " -> %.0f probes per CPU-second; RSS %.0f MiB; load average %s%n",
                    done,
                    seconds,
                    done / seconds,
                    after[1] - before[1],
                    after[2] - before[2],
                    cpu,
                    100 * cpu / seconds,
                    done / cpu,
                    ProcessStats.residentMiB(agent.pid(), "VmRSS"),
                    Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            processes.stopAll();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Completed probes per the agent's counter: all, failed, no vote. */
    private static long[] probes() throws Exception {
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + AgentUnderTest.PORT + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        long[] counts = new long[3];
        for (String line : metrics.split("\n")) {
            if (line.startsWith("vantage_probes_total{")) {
                long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                counts[0] += value;
                if (line.contains("outcome=\"failure\"")) {
                    counts[1] += value;
                } else if (line.contains("outcome=\"no_vote\"")) {
                    counts[2] += value;
                }
            }
        }
        return counts;
    }
}
