package io.vantage.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the agent benchmark and prints a table. Usage:
 * {@code java -jar bench/target/vantage-bench.jar AGENT_JAR WORK_DIR [CASES] [WINDOW_SECONDS] [WINDOWS]}, e.g.
 * {@code ... agent/target/vantage-agent.jar bench-out https:1000,https:3000,http:10000 20 5}. The agent and
 * blackbox_exporter run side by side and are measured over the same windows; the bare client runs after them. A case is
 * {@code [http|https:]TARGETS[:busy][:INTERVALs]}; {@code busy} runs a CPU hog beside the prober while it is measured,
 * as on a shared node; the interval defaults to 10 s. HTTPS is a full handshake per probe (ECDSA P-256, nginx with session cache and tickets
 * off) verified against a throw-away CA. Needs nginx, openssl and prometheus-blackbox-exporter (Debian
 * packages); everything listens on 127.0.0.1 only.
 */
public final class AgentBenchmark {
    static final int EXPORTER_PORT = 19115;
    static final int INTERVAL_SECONDS = 10;
    /**
     * Warm-up before a JVM prober (the agent, the bare client) is measured: at least this many probes and {@link
     * #MIN_WARMUP_SECONDS}, then until its JIT has settled ({@link JitWarmup}). The JIT compiles the probe path by
     * invocation counts, so warm-up is a number of probes, not seconds: at 100 HTTPS probes/s the agent's CPU per probe
     * still fell by 40 % between 45 s and 145 s after start (docs/benchmarks.md). The Go exporter has no warm-up to wait
     * for. The agent's warm-up CPU is printed too.
     */
    static final long WARMUP_PROBES = 15_000;

    static final int MIN_WARMUP_SECONDS = 45;
    private final Path agentJar;
    private final Processes processes;
    private final Path work;
    private final int measureSeconds;
    private final int windows;
    private final HttpClient http = HttpClient.newHttpClient();
    private Nginx nginx;

    AgentBenchmark(Path agentJar, Path work, int measureSeconds, int windows) {
        this.agentJar = agentJar;
        this.processes = new Processes(work);
        this.work = work;
        this.measureSeconds = measureSeconds;
        this.windows = windows;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println(
                    "usage: AgentBenchmark AGENT_JAR WORK_DIR [CASES=http:1000,http:10000] [WINDOW_SECONDS=30] [WINDOWS=5]");
            System.exit(2);
        }
        int measure = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int windows = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        if (measure < 1 || windows < 1) {
            System.err.println(
                    "WINDOW_SECONDS and WINDOWS must be at least 1 (got " + measure + " and " + windows + ")");
            System.exit(2);
        }
        AgentBenchmark benchmark = new AgentBenchmark(Path.of(args[0]), Path.of(args[1]), measure, windows);
        Files.createDirectories(benchmark.work);
        // Interrupted (Ctrl-C, kill): take nginx, the probers and the hog down too, or they hold the ports.
        Runtime.getRuntime().addShutdownHook(new Thread(benchmark.processes::killAll));
        List<String> rows = new ArrayList<>();
        List<String> ratios = new ArrayList<>();
        try {
            Processes.requireFree(List.of(Nginx.PORT, Nginx.TLS_PORT, AgentUnderTest.PORT, EXPORTER_PORT));
            benchmark.nginx = Nginx.start(benchmark.processes);
            for (String spec : (args.length > 2 ? args[2] : "http:1000,http:10000").split(",")) {
                Case bench = Case.parse(spec.trim());
                benchmark.withLoad(bench, () -> benchmark.side(bench, rows, ratios));
                benchmark.withLoad(bench, () -> rows.add(benchmark.bare(bench)));
            }
        } finally {
            benchmark.processes.stopAll();
        }
        String table =
                "| case | targets | rate (probes/s) | prober | sustained probes/s | failed probes | CPU s per 1,000 probes | probes per CPU-second "
                        + "| RSS MiB (peak) | CPU s of a /metrics scrape | warm-up before the windows |\n"
                        + "|---|---:|---:|---|---:|---:|---:|---:|---:|---|---|\n" + String.join("\n", rows) + "\n\n"
                        + "| case | vantage agent ÷ blackbox_exporter, probes per CPU-second, window by window | median "
                        + "| lowest | highest |\n|---|---|---:|---:|---:|\n" + String.join("\n", ratios) + "\n";
        System.out.println();
        System.out.print(table);
        Files.writeString(benchmark.work.resolve("agent-benchmark.md"), table);
    }

    /** One benchmark case: scheme, number of targets (at 10 s each), and whether a CPU hog runs beside the prober. */
    record Case(boolean https, int targets, boolean busy, int interval) {
        static Case parse(String spec) {
            String[] parts = spec.split(":");
            int at = parts[0].equals("http") || parts[0].equals("https") ? 1 : 0;
            boolean busy = false;
            int interval = INTERVAL_SECONDS;
            for (int i = at + 1; i < parts.length; i++) {
                if (parts[i].equals("busy")) {
                    busy = true;
                } else if (parts[i].matches("[0-9]+s")) {
                    interval = Integer.parseInt(parts[i].substring(0, parts[i].length() - 1));
                } else {
                    throw new IllegalArgumentException("case " + spec + ": unknown part " + parts[i]);
                }
            }
            return new Case(at == 1 && parts[0].equals("https"), Integer.parseInt(parts[at]), busy, interval);
        }

        String label() {
            return (https ? "HTTPS" : "HTTP")
                    + (busy ? ", busy machine" : "")
                    + (interval == INTERVAL_SECONDS ? "" : ", every " + interval + " s");
        }

        int rate() {
            return Math.max(1, targets / interval);
        }

        /** How long a JVM prober warms up at this rate: {@link #WARMUP_PROBES}, at least {@link #MIN_WARMUP_SECONDS}. */
        int warmupSeconds() {
            return (int) Math.max(MIN_WARMUP_SECONDS, (WARMUP_PROBES + rate() - 1) / rate());
        }

        String url(int i) {
            return Nginx.url(https, i);
        }
    }

    interface Measurement {
        void run() throws Exception;
    }

    /** Runs a measurement with a CPU hog (a busy shell loop) beside it when the case asks for one. */
    private void withLoad(Case bench, Measurement measurement) throws Exception {
        Process hog = bench.busy() ? processes.start(List.of("sh", "-c", "while :; do :; done"), "hog") : null;
        try {
            measurement.run();
        } finally {
            if (hog != null) {
                processes.stop(hog);
            }
        }
    }

    private static String row(
            Case bench, String prober, long probes, String failed, double seconds, double cpu, String rss) {
        return String.format(
                Locale.ROOT,
                "| %s | %,d | %,d | %s | %,.0f | %s | %.3f | %,.0f | %s |",
                bench.label(),
                bench.targets(),
                bench.rate(),
                prober,
                probes / seconds,
                failed,
                cpu / probes * 1000,
                probes / cpu,
                rss);
    }

    /**
     * The agent and blackbox_exporter measured over the same minutes: the agent is started and warmed up, then the
     * exporter is driven at the same rate beside it, and both are measured over the same {@link #windows} windows. This
     * VM's speed drifts by a third within an hour, and measured one after the other that drift landed on the ratio
     * (1.48× and 2.53× for one case and build, half an hour apart; docs/benchmarks.md); side by side it lands on both.
     * Adds one row per prober (all windows together) and the ratio window by window.
     */
    private void side(Case bench, List<String> rows, List<String> ratios) throws Exception {
        Process agent = startAgent(bench);
        String warmup = warmUp(agent, bench);
        List<Sample> agentSamples = new ArrayList<>();
        List<Sample> exporterSamples = new ArrayList<>();
        try (Exporter exporter = new Exporter(bench)) {
            Thread.sleep(5_000);
            System.out.printf("measuring both side by side: %d windows of %d s%n", windows, measureSeconds);
            for (int w = 0; w <= windows; w++) {
                if (w > 0) {
                    Thread.sleep(measureSeconds * 1000L);
                }
                agentSamples.add(agentSample(agent));
                exporterSamples.add(exporter.sample());
            }
            rows.add(row(bench, "vantage agent", agentSamples, rss(agent.pid()), warmup));
            rows.add(row(bench, "blackbox_exporter 0.23", exporterSamples, rss(exporter.process.pid()), "5 s"));
        } finally {
            processes.stop(agent);
        }
        List<Double> ratio = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            ratio.add(agentSamples.get(w).perCpuSecond(agentSamples.get(w + 1))
                    / exporterSamples.get(w).perCpuSecond(exporterSamples.get(w + 1)));
        }
        List<Double> sorted = ratio.stream().sorted().toList();
        double median = sorted.size() % 2 == 1
                ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        ratios.add(String.format(
                Locale.ROOT,
                "| %s, %,d targets | %s | **%.2f×** | %.2f× | %.2f× |",
                bench.label(),
                bench.targets(),
                String.join(
                        ", ",
                        ratio.stream()
                                .map(r -> String.format(Locale.ROOT, "%.2f", r))
                                .toList()),
                median,
                sorted.get(0),
                sorted.get(sorted.size() - 1)));
        System.out.println("ratio by window: " + ratios.get(ratios.size() - 1));
    }

    /**
     * A prober's counters at one moment: completed probes (all, failed, no vote) and CPU seconds; for the agent also
     * the CPU of the {@code /metrics} scrape that read its counters (taken before {@code cpu}, so a window holds the
     * scrape at its end).
     */
    record Sample(long nanos, double cpu, long probes, long failed, long noVote, double scrapeCpu) {
        double perCpuSecond(Sample later) {
            return (later.probes - probes) / (later.cpu - cpu);
        }
    }

    private static String row(Case bench, String prober, List<Sample> samples, String rss, String warmup) {
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        long probes = last.probes() - first.probes();
        double cpu = last.cpu() - first.cpu();
        double scrapes = samples.stream().skip(1).mapToDouble(Sample::scrapeCpu).sum();
        String failed = prober.startsWith("vantage")
                ? String.format(
                        Locale.ROOT,
                        "%,d (+%,d no vote)",
                        last.failed() - first.failed(),
                        last.noVote() - first.noVote())
                : String.format(Locale.ROOT, "%,d", last.failed() - first.failed());
        String scrape = prober.startsWith("vantage")
                ? String.format(
                        Locale.ROOT,
                        "%.2f (%,.0f without it)",
                        scrapes / (samples.size() - 1),
                        probes / (cpu - scrapes))
                : "-";
        return row(bench, prober, probes, failed, (last.nanos() - first.nanos()) / 1e9, cpu, rss) + " " + scrape + " | "
                + warmup + " |";
    }

    private static String rss(long pid) throws IOException {
        return String.format(
                Locale.ROOT,
                "%.0f (%.0f)",
                ProcessStats.residentMiB(pid, "VmRSS"),
                ProcessStats.residentMiB(pid, "VmHWM"));
    }

    private Process startAgent(Case bench) throws Exception {
        int targets = bench.targets();
        Path file = AgentUnderTest.config(
                work, "agent-" + targets + ".yaml", bench.https(), targets, bench.interval(), nginx);
        Process agent =
                processes.startLauncher(agentJar.resolveSibling("vantage-agent"), file, "agent-" + targets, true);
        processes.waitFor("http://127.0.0.1:" + AgentUnderTest.PORT + "/readyz");
        return agent;
    }

    /** Waits for the agent's warm-up ({@link #WARMUP_PROBES}, then its JIT settled) and says how long and how much CPU. */
    private String warmUp(Process agent, Case bench) throws Exception {
        long started = System.nanoTime();
        System.out.printf(
                "vantage agent: %,d targets; warming up for %,d probes, at least %d s and until the JIT settles%n",
                bench.targets(), WARMUP_PROBES, MIN_WARMUP_SECONDS);
        while (probesDone()[0] < WARMUP_PROBES || System.nanoTime() - started < MIN_WARMUP_SECONDS * 1_000_000_000L) {
            if (System.nanoTime() - started > 900_000_000_000L) {
                throw new IllegalStateException("the agent did not complete " + WARMUP_PROBES + " probes in 900 s");
            }
            Thread.sleep(1_000);
        }
        String settled = JitWarmup.settle(agent.pid(), started);
        return String.format(Locale.ROOT, "%s, %.1f CPU s", settled, ProcessStats.cpuSeconds(agent.pid()));
    }

    private Sample agentSample(Process agent) throws IOException, InterruptedException {
        double beforeScrape = ProcessStats.cpuSeconds(agent.pid());
        long[] counts = probesDone();
        double cpu = ProcessStats.cpuSeconds(agent.pid());
        return new Sample(System.nanoTime(), cpu, counts[0], counts[1], counts[2], cpu - beforeScrape);
    }

    /**
     * Completed probes per the agent's own counter: all, failed, and no vote.
     */
    private long[] probesDone() throws IOException, InterruptedException {
        String metrics = http.send(
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

    /**
     * blackbox_exporter driven through {@code /probe} at the case's rate by a keep-alive client in this process (its CPU
     * is not counted); an answer without {@code probe_success 1} counts as failed.
     */
    private final class Exporter implements AutoCloseable {
        final Process process;
        private final Vertx vertx;
        private final AtomicLong succeeded = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final long driver;

        Exporter(Case bench) throws Exception {
            int targets = bench.targets();
            Path config = Files.writeString(work.resolve("blackbox.yml"), """
                    modules:
                      http_2xx:
                        prober: http
                        timeout: 5s
                        http:
                          preferred_ip_protocol: ip4
                          tls_config:
                            ca_file: %s
                            server_name: %s
                    """.formatted(nginx.caFile(), Pki.TLS_NAME));
            process = processes.start(
                    List.of(
                            "prometheus-blackbox-exporter",
                            "--config.file=" + config,
                            "--web.listen-address=127.0.0.1:" + EXPORTER_PORT),
                    "blackbox-" + targets);
            processes.waitFor("http://127.0.0.1:" + EXPORTER_PORT + "/metrics");
            // Made only once the exporter answers: a Vert.x left behind by a failed start would keep this JVM alive.
            vertx = Vertx.vertx();
            int rate = bench.rate();
            System.out.printf("blackbox_exporter: driven at %,d probes/s beside the agent%n", rate);
            HttpClientAgent client = vertx.createHttpClient(
                    new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(500));
            long[] next = {0};
            int perTick = Math.max(1, rate / 100);
            driver = vertx.setPeriodic(1000L * perTick / rate, tick -> {
                for (int i = 0; i < perTick; i++) {
                    String target = URLEncoder.encode(bench.url((int) (next[0]++ % targets)), StandardCharsets.UTF_8);
                    client.request(new RequestOptions()
                                    .setMethod(HttpMethod.GET)
                                    .setHost("127.0.0.1")
                                    .setPort(EXPORTER_PORT)
                                    .setURI("/probe?module=http_2xx&target=" + target))
                            .compose(request -> request.send())
                            .compose(response -> response.body())
                            .onComplete(done -> (done.succeeded()
                                                    && done.result().toString().contains("\nprobe_success 1")
                                            ? succeeded
                                            : failed)
                                    .incrementAndGet());
                }
            });
        }

        Sample sample() throws IOException {
            long failures = failed.get();
            return new Sample(
                    System.nanoTime(),
                    ProcessStats.cpuSeconds(process.pid()),
                    succeeded.get() + failures,
                    failures,
                    0,
                    0);
        }

        @Override
        public void close() throws InterruptedException {
            vertx.cancelTimer(driver);
            vertx.close().await();
            processes.stop(process);
        }
    }

    private String bare(Case bench) throws Exception {
        int targets = bench.targets();
        int rate = bench.rate();
        System.out.printf("bare Vert.x client: %,d requests/s%n", rate);
        String jar = Path.of(AgentBenchmark.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        Process client = new ProcessBuilder(
                        "java",
                        "-XX:+UseSerialGC",
                        "-cp",
                        jar,
                        BareClient.class.getName(),
                        String.valueOf(bench.https() ? Nginx.TLS_PORT : Nginx.PORT),
                        String.valueOf(targets),
                        String.valueOf(rate),
                        String.valueOf(bench.warmupSeconds()),
                        String.valueOf(measureSeconds),
                        bench.https() ? nginx.caFile().toString() : "-",
                        Pki.TLS_NAME)
                .redirectErrorStream(true)
                .start();
        processes.started(client);
        String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        client.waitFor();
        String line = output.lines()
                .filter(l -> l.startsWith("completed="))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("bare client printed no result:\n" + output));
        String warmup = output.lines()
                .filter(l -> l.startsWith("warm-up: "))
                .findFirst()
                .map(l -> l.substring("warm-up: ".length()))
                .orElseThrow(() -> new IllegalStateException("bare client printed no warm-up:\n" + output));
        long completed = 0;
        long failed = 0;
        double seconds = 0;
        double cpu = 0;
        for (String field : line.split(" ")) {
            String[] pair = field.split("=");
            switch (pair[0]) {
                case "completed" -> completed = Long.parseLong(pair[1]);
                case "seconds" -> seconds = Double.parseDouble(pair[1]);
                case "cpu" -> cpu = Double.parseDouble(pair[1]);
                case "failed" -> failed = Long.parseLong(pair[1]);
                default -> {}
            }
        }
        return row(
                        bench,
                        "bare Vert.x client (ceiling)",
                        completed + failed,
                        String.format(Locale.ROOT, "%,d", failed),
                        seconds,
                        cpu,
                        "-")
                + " - | " + warmup + " |";
    }
}
