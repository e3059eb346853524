package io.vantage.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /probe} probes per CPU-second: the vantage agent and blackbox_exporter 0.23, with the same two modules (HTTP, and
 * HTTPS verified against the CA; the agent's in its own syntax, blackbox_exporter's in its module file), driven side by side in one run through {@code /probe?module=&target=} at the same concurrency (a closed
 * loop of that many requests in flight to each, from this process, whose CPU is not counted), against the local nginx
 * of {@link AgentBenchmark} (a fresh connection per probe; HTTPS a full handshake verified against a throw-away CA).
 * Each exporter's CPU is read from {@code /proc/PID/stat}; a probe counts when its answer came back, and failed unless
 * it says {@code probe_success 1}. Usage:
 *
 * <pre>
 * java -cp bench/target/vantage-bench.jar io.vantage.bench.ProbeBenchmark AGENT_JAR WORK_DIR [CASES=http,https]
 *     [CONCURRENCY=16] [WINDOW_SECONDS=20] [WINDOWS=5] [PROBERS=vantage,blackbox] [WARMUP_SECONDS=60]
 * </pre>
 *
 * The agent is warmed up (driven alone for {@code WARMUP_SECONDS}) before the windows; {@code PROBERS=blackbox} measures
 * blackbox_exporter alone (no agent needed).
 */
public final class ProbeBenchmark {
    static final int EXPORTER_PORT = AgentBenchmark.EXPORTER_PORT;
    /** Distinct paths the targets cycle through (nginx answers every one). */
    static final int TARGETS = 1000;

    private final Processes processes;
    private final Path work;
    private final Path agentJar;

    private ProbeBenchmark(Path agentJar, Path work) {
        this.agentJar = agentJar;
        this.work = work;
        this.processes = new Processes(work);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ProbeBenchmark AGENT_JAR WORK_DIR [CASES=http,https] [CONCURRENCY=16] "
                    + "[WINDOW_SECONDS=20] [WINDOWS=5] [PROBERS=vantage,blackbox] [WARMUP_SECONDS=60]");
            System.exit(2);
        }
        List<String> cases = List.of((args.length > 2 ? args[2] : "http,https").split(","));
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int windowSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int windows = args.length > 5 ? Integer.parseInt(args[5]) : 5;
        List<String> probers = List.of((args.length > 6 ? args[6] : "vantage,blackbox").split(","));
        int warmup = args.length > 7 ? Integer.parseInt(args[7]) : 60;
        for (String c : cases) {
            if (!c.equals("http") && !c.equals("https")) {
                throw new IllegalArgumentException("case " + c + ": http or https");
            }
        }
        for (String p : probers) {
            if (!p.equals("vantage") && !p.equals("blackbox")) {
                throw new IllegalArgumentException("prober " + p + ": vantage or blackbox");
            }
        }
        if (concurrency < 1 || windowSeconds < 1 || windows < 1 || warmup < 0) {
            throw new IllegalArgumentException("CONCURRENCY, WINDOW_SECONDS and WINDOWS must be at least 1");
        }
        ProbeBenchmark benchmark = new ProbeBenchmark(Path.of(args[0]), Path.of(args[1]));
        Files.createDirectories(benchmark.work);
        Runtime.getRuntime().addShutdownHook(new Thread(benchmark.processes::killAll));
        List<String> rows = new ArrayList<>();
        List<String> ratios = new ArrayList<>();
        Vertx vertx = Vertx.vertx();
        try {
            Processes.requireFree(List.of(Nginx.PORT, Nginx.TLS_PORT, AgentUnderTest.PORT, EXPORTER_PORT));
            Nginx nginx = Nginx.start(benchmark.processes);
            Path modules =
                    Files.writeString(benchmark.work.resolve("probe-modules.yml"), """
                    modules:
                      http_2xx:
                        prober: http
                        timeout: 5s
                      https_2xx:
                        prober: http
                        timeout: 5s
                        http:
                          tls_config:
                            ca_file: %s
                    """.formatted(nginx.caFile()));
            Map<String, Process> exporters = new LinkedHashMap<>();
            if (probers.contains("vantage")) {
                exporters.put("vantage agent", benchmark.startAgent(nginx));
            }
            if (probers.contains("blackbox")) {
                exporters.put("blackbox_exporter 0.23", benchmark.startBlackbox(modules));
            }
            for (String scheme : cases) {
                benchmark.measure(
                        vertx,
                        scheme.equals("https"),
                        exporters,
                        concurrency,
                        windowSeconds,
                        windows,
                        probers.contains("vantage") ? warmup : 5,
                        rows,
                        ratios);
            }
        } finally {
            vertx.close().await();
            benchmark.processes.stopAll();
        }
        String table =
                "| case | prober | concurrency | probes/s | failed | CPU s per 1,000 probes | probes per CPU-second "
                        + "| RSS MiB (peak) |\n|---|---|---:|---:|---:|---:|---:|---:|\n" + String.join("\n", rows)
                        + "\n"
                        + (ratios.isEmpty()
                                ? ""
                                : "\n| case | vantage ÷ blackbox_exporter, probes per CPU-second, window by window | median |\n"
                                        + "|---|---|---:|\n" + String.join("\n", ratios) + "\n");
        System.out.println();
        System.out.print(table);
        Files.writeString(benchmark.work.resolve("probe-benchmark.md"), table);
    }

    /** The agent with the same two modules in its own syntax (the blackbox file's http and https_2xx). */
    private Process startAgent(Nginx nginx) throws Exception {
        Path config = Files.writeString(
                work.resolve("probe-agent.yaml"),
                "server: {host: 127.0.0.1, port: " + AgentUnderTest.PORT + "}\nprobe:\n  modules:\n"
                        + "    http_2xx: {timeout: 5s, http: {}}\n"
                        + "    https_2xx: {timeout: 5s, http: {tls: {caFile: '" + nginx.caFile() + "'}}}\n"
                        + "  allow: {targets: ['127.0.0.1']}\n");
        Process agent = processes.startLauncher(agentJar.resolveSibling("vantage-agent"), config, "probe-agent", false);
        processes.waitFor("http://127.0.0.1:" + AgentUnderTest.PORT + "/readyz");
        return agent;
    }

    private Process startBlackbox(Path modules) throws Exception {
        Process exporter = processes.start(
                List.of(
                        "prometheus-blackbox-exporter",
                        "--config.file=" + modules,
                        "--web.listen-address=127.0.0.1:" + EXPORTER_PORT),
                "probe-blackbox");
        processes.waitFor("http://127.0.0.1:" + EXPORTER_PORT + "/metrics");
        return exporter;
    }

    /** One case: every exporter driven at once; after the warm-up, {@code windows} windows measured side by side. */
    private void measure(
            Vertx vertx,
            boolean https,
            Map<String, Process> exporters,
            int concurrency,
            int windowSeconds,
            int windows,
            int warmupSeconds,
            List<String> rows,
            List<String> ratios)
            throws Exception {
        String label = https ? "HTTPS" : "HTTP";
        Map<String, Driver> drivers = new LinkedHashMap<>();
        exporters.forEach((name, process) -> drivers.put(
                name,
                new Driver(
                        vertx,
                        name.startsWith("vantage") ? AgentUnderTest.PORT : EXPORTER_PORT,
                        https,
                        concurrency,
                        process)));
        try {
            System.out.printf(
                    "%s: %d requests in flight to each of %s; %d s warm-up%n",
                    label, concurrency, exporters.keySet(), warmupSeconds);
            drivers.values().forEach(Driver::start);
            Thread.sleep(warmupSeconds * 1000L);
            Map<String, List<Sample>> samples = new LinkedHashMap<>();
            drivers.keySet().forEach(name -> samples.put(name, new ArrayList<>()));
            for (int w = 0; w <= windows; w++) {
                if (w > 0) {
                    Thread.sleep(windowSeconds * 1000L);
                }
                for (Map.Entry<String, Driver> entry : drivers.entrySet()) {
                    samples.get(entry.getKey()).add(entry.getValue().sample());
                }
            }
            for (Map.Entry<String, List<Sample>> entry : samples.entrySet()) {
                List<Sample> list = entry.getValue();
                Sample first = list.get(0);
                Sample last = list.get(list.size() - 1);
                long probes = last.probes() - first.probes();
                double cpu = last.cpu() - first.cpu();
                double seconds = (last.nanos() - first.nanos()) / 1e9;
                long pid = exporters.get(entry.getKey()).pid();
                rows.add(String.format(
                        Locale.ROOT,
                        "| %s | %s | %d | %,.0f | %,d | %.3f | %,.0f | %.0f (%.0f) |",
                        label,
                        entry.getKey(),
                        concurrency,
                        probes / seconds,
                        last.failed() - first.failed(),
                        cpu / probes * 1000,
                        probes / cpu,
                        ProcessStats.residentMiB(pid, "VmRSS"),
                        ProcessStats.residentMiB(pid, "VmHWM")));
            }
            if (samples.size() == 2) {
                List<List<Sample>> pair = new ArrayList<>(samples.values());
                List<Double> ratio = new ArrayList<>();
                for (int w = 0; w < windows; w++) {
                    ratio.add(pair.get(0).get(w).perCpuSecond(pair.get(0).get(w + 1))
                            / pair.get(1).get(w).perCpuSecond(pair.get(1).get(w + 1)));
                }
                List<Double> sorted = ratio.stream().sorted().toList();
                double median = sorted.size() % 2 == 1
                        ? sorted.get(sorted.size() / 2)
                        : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
                ratios.add(String.format(
                        Locale.ROOT,
                        "| %s | %s | **%.2f×** |",
                        label,
                        String.join(
                                ", ",
                                ratio.stream()
                                        .map(r -> String.format(Locale.ROOT, "%.2f", r))
                                        .toList()),
                        median));
            }
            System.out.println(String.join("\n", rows.subList(rows.size() - samples.size(), rows.size())));
        } finally {
            drivers.values().forEach(Driver::stop);
        }
    }

    /** An exporter's counters at one moment: answered probes, of which failed, and its CPU seconds. */
    record Sample(long nanos, double cpu, long probes, long failed) {
        double perCpuSecond(Sample later) {
            return (later.probes - probes) / (later.cpu - cpu);
        }
    }

    /**
     * A closed loop of {@code concurrency} {@code /probe} requests to one exporter over keep-alive connections: each
     * answer sends the next request, to the next of {@link #TARGETS} nginx paths.
     */
    private static final class Driver {
        private final Vertx vertx;
        private final HttpClientAgent client;
        private final int port;
        private final boolean https;
        private final int concurrency;
        private final Process process;
        private final AtomicLong next = new AtomicLong();
        private final AtomicLong answered = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean();

        Driver(Vertx vertx, int port, boolean https, int concurrency, Process process) {
            this.vertx = vertx;
            this.client = vertx.createHttpClient(
                    new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency));
            this.port = port;
            this.https = https;
            this.concurrency = concurrency;
            this.process = process;
        }

        void start() {
            running.set(true);
            for (int i = 0; i < concurrency; i++) {
                send();
            }
        }

        void stop() {
            running.set(false);
            client.close().await();
        }

        private void send() {
            if (!running.get()) {
                return;
            }
            String target = URLEncoder.encode(
                    Nginx.url(https, (int) (next.getAndIncrement() % TARGETS)), StandardCharsets.UTF_8);
            client.request(new RequestOptions()
                            .setMethod(HttpMethod.GET)
                            .setHost("127.0.0.1")
                            .setPort(port)
                            .setURI("/probe?module=" + (https ? "https_2xx" : "http_2xx") + "&target=" + target)
                            .putHeader("X-Prometheus-Scrape-Timeout-Seconds", "10"))
                    .compose(request -> request.send())
                    .compose(response -> response.body())
                    .onComplete(done -> {
                        answered.incrementAndGet();
                        if (done.failed()) { // the exporter did not answer: a pause, not a busy loop of errors
                            failed.incrementAndGet();
                            vertx.setTimer(100, tick -> send());
                            return;
                        }
                        if (!done.result().toString().contains("\nprobe_success 1")) {
                            failed.incrementAndGet();
                        }
                        send();
                    });
        }

        Sample sample() throws IOException {
            return new Sample(System.nanoTime(), ProcessStats.cpuSeconds(process.pid()), answered.get(), failed.get());
        }
    }
}
