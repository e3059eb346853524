package io.vantage.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the agent costs before and around its probes, printed against the aims of docs/benchmarks.md ("Agent footprint"):
 * {@code java -cp bench/target/vantage-bench.jar io.vantage.bench.FootprintBenchmark AGENT_TARGET_DIR WORK_DIR
 * [RUNS=3] [PARTS=start,floor,targets,settle,container]}. The agent runs as it ships, through its launcher {@code
 * AGENT_TARGET_DIR/vantage-agent}; beside it, in the same run, the way the image ran it before the launcher ({@code
 * java -jar} on the JDK on the PATH with the image's former flags, {@link #BEFORE}). Parts:
 *
 * <ul>
 *   <li>{@code start}: a small agent (10 HTTP targets every 10 s), {@code RUNS} starts of each: time until {@code
 *       /readyz} answers 200 (polled every 10 ms), CPU in its first 30 s, resident memory at 30 s.
 *   <li>{@code floor}: what the agent's memory stands on: a JVM that sleeps, and Vert.x serving HTTP and sending a
 *       request a second, nothing else ({@link Floor}), on the launcher's JDK and flags.
 *   <li>{@code targets}: memory per target, 10 / 1,000 / 10,000 / 100,000 HTTP targets and 10,000 HTTPS targets, every
 *       60 s, scraped every {@value #SCRAPE_SECONDS} s as Prometheus would: resident memory and the live heap (after a
 *       full collection, {@code jcmd GC.run}) once every target has probed at least once (70 s after ready).
 *   <li>{@code otlp}: 10,000 HTTP targets every 60 s, RSS without OTLP and with it exporting every
 *       {@value #OTLP_SECONDS} s to a loopback OTLP/HTTP receiver (which answers 200 and counts requests and bytes);
 *   <li>{@code settle}: 3,000 HTTPS targets every 10 s (300 full handshakes a second): when the JIT has settled
 *       ({@link JitWarmup}, from the start) and the CPU it took until then.
 *   <li>{@code container}: the agent's image ({@code agent/Dockerfile}, prebuilt stage, on {@code BASE_IMAGE}, default
 *       {@code vantage/jre:25-slim}): its size, and the small agent started in it ({@code docker run}, read-only with a tmpfs /tmp as the chart runs it, host
 *       network, to the same nginx) until {@code /readyz} answers, with its memory at 30 s.
 * </ul>
 *
 * Needs nginx and openssl (Debian packages); everything listens on 127.0.0.1 only.
 */
public final class FootprintBenchmark {
    /** How the agent's image ran it before the launcher: java -jar with these flags (agent/Dockerfile, 2026-12-01). */
    static final List<String> BEFORE = List.of(
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:+UseSerialGC",
            "-XX:MaxRAMPercentage=50",
            "-XX:-UsePerfData",
            "-Xss512k");

    /** The launcher's flags that bear on memory (agent/src/main/launcher/vantage-agent), for {@link #floor()}. */
    static final List<String> FLOOR_FLAGS =
            List.of("-XX:+UseSerialGC", "-Xms8m", "-XX:-UsePerfData", "-Xss512k", "-XX:ReservedCodeCacheSize=32m");

    /** Whether the former way runs beside the launcher ({@code -Dfootprint.before=false}: the launcher alone). */
    static final boolean BESIDE = Boolean.parseBoolean(System.getProperty("footprint.before", "true"));

    static final int START_SECONDS = 30;
    /** How often the {@code targets} part scrapes {@code /metrics} while it waits (a common Prometheus interval). */
    static final int SCRAPE_SECONDS = 15;
    /** How often the {@code otlp} part's agent exports (far more often than the 60 s default, to show its cost). */
    static final int OTLP_SECONDS = 5;
    /** The HTTP target counts of the memory table ({@code -Dfootprint.counts=10,1000}; the first is the base). */
    static final int[] TARGET_COUNTS = Arrays.stream(System.getProperty("footprint.counts", "10,1000,10000,100000")
                    .split(","))
            .mapToInt(Integer::parseInt)
            .toArray();

    private final Processes processes;
    private final Path launcher;
    private final Path jar;
    private final Path work;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> report = new ArrayList<>();
    private Nginx nginx;

    FootprintBenchmark(Path agentTarget, Path work) {
        this.launcher = agentTarget.resolve("vantage-agent").toAbsolutePath();
        this.jar = agentTarget.resolve("vantage-agent.jar").toAbsolutePath();
        this.work = work;
        this.processes = new Processes(work);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println(
                    "usage: FootprintBenchmark AGENT_TARGET_DIR WORK_DIR [RUNS=3] [PARTS=start,floor,targets,settle,container]");
            System.exit(2);
        }
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Set<String> parts = Set.of((args.length > 3 ? args[3] : "start,floor,targets,settle,container").split(","));
        FootprintBenchmark bench = new FootprintBenchmark(Path.of(args[0]), Path.of(args[1]));
        Files.createDirectories(bench.work);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                bench.processes.stopAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            Processes.requireFree(List.of(Nginx.PORT, Nginx.TLS_PORT, AgentUnderTest.PORT));
            bench.nginx = Nginx.start(bench.processes);
            if (parts.contains("start")) {
                bench.start(runs);
            }
            if (parts.contains("floor")) {
                bench.floor();
            }
            if (parts.contains("targets")) {
                bench.targets();
            }
            if (parts.contains("otlp")) {
                bench.otlp();
            }
            if (parts.contains("settle")) {
                bench.settle();
            }
            if (parts.contains("container")) {
                bench.container(runs);
            }
        } finally {
            bench.processes.stopAll();
        }
        String text = String.join("\n", bench.report) + "\n";
        System.out.println();
        System.out.print(text);
        Files.writeString(bench.work.resolve("footprint.md"), text);
    }

    /** A small agent's start, {@code runs} times each way, alternating. */
    private void start(int runs) throws Exception {
        Path config = config("start", 10, false, 10);
        List<String> rows = new ArrayList<>();
        double[][] ready = new double[2][runs];
        double[][] cpu = new double[2][runs];
        double[][] rss = new double[2][runs];
        for (int run = 0; run < runs; run++) {
            for (int way = 0; way < (BESIDE ? 2 : 1); way++) {
                long started = System.nanoTime();
                Process agent = way == 0 ? launch(config, "start", false) : before(config, "start-before", List.of());
                long readyNanos = waitReady(agent, 10);
                sleepUntil(started + START_SECONDS * 1_000_000_000L);
                ready[way][run] = (readyNanos - started) / 1e6;
                cpu[way][run] = ProcessStats.cpuSeconds(agent.pid());
                rss[way][run] = ProcessStats.residentMiB(agent.pid(), "VmRSS");
                rows.add(String.format(
                        Locale.ROOT,
                        "| %s | %d | %,.0f | %.2f | %.0f (%.0f) | %d |",
                        way == 0 ? "launcher" : "before",
                        run + 1,
                        ready[way][run],
                        cpu[way][run],
                        rss[way][run],
                        ProcessStats.residentMiB(agent.pid(), "VmHWM"),
                        threads(agent.pid())));
                processes.stop(agent);
            }
        }
        report.add("## A small agent: 10 HTTP targets every 10 s, " + runs + " starts each\n");
        report.add("| way | run | ready after (ms) | CPU s in the first " + START_SECONDS + " s | RSS MiB at "
                + START_SECONDS + " s (peak) | threads |");
        report.add("|---|---:|---:|---:|---:|---:|");
        report.addAll(rows);
        report.add("");
        report.add(aim(
                "ready (/readyz 200) after start",
                median(ready[0]),
                BESIDE ? median(ready[1]) : Double.NaN,
                1000,
                "ms"));
        report.add(aim("resident memory at 30 s", median(rss[0]), BESIDE ? median(rss[1]) : Double.NaN, 64, "MiB"));
        report.add(aim("CPU in the first 30 s", median(cpu[0]), BESIDE ? median(cpu[1]) : Double.NaN, 1.5, "CPU s"));
        report.add("");
    }

    /**
     * The floor under the agent's memory: on the launcher's JDK with its collector and heap flags, a JVM that sleeps,
     * and Vert.x with an HTTP server and a client sending a request a second ({@link Floor}), at 30 s.
     */
    private void floor() throws Exception {
        String java = trainedJava();
        report.add("## The floor: the launcher's JDK (" + java + "), " + String.join(" ", FLOOR_FLAGS) + ", at "
                + START_SECONDS + " s\n");
        report.add("| process | RSS MiB (peak) | threads |");
        report.add("|---|---:|---:|");
        String classpath = Path.of(Floor.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        for (String mode : List.of("sleep", "vertx")) {
            List<String> command = new ArrayList<>(List.of(java));
            command.addAll(FLOOR_FLAGS);
            command.addAll(List.of(
                    "-cp",
                    classpath,
                    Floor.class.getName(),
                    mode,
                    String.valueOf(AgentUnderTest.PORT),
                    String.valueOf(Nginx.PORT)));
            long started = System.nanoTime();
            Process floor = processes.start(command, "floor-" + mode);
            sleepUntil(started + START_SECONDS * 1_000_000_000L);
            report.add(String.format(
                    Locale.ROOT,
                    "| %s | %.0f (%.0f) | %d |",
                    mode.equals("sleep") ? "a JVM that sleeps" : "Vert.x: an HTTP server and client, nothing else",
                    ProcessStats.residentMiB(floor.pid(), "VmRSS"),
                    ProcessStats.residentMiB(floor.pid(), "VmHWM"),
                    threads(floor.pid())));
            processes.stop(floor);
        }
        report.add("");
    }

    /** The JDK the launcher runs: the one its AOT cache was trained with ({@code trained='...'}), else java. */
    private String trainedJava() throws IOException {
        Matcher trained =
                Pattern.compile("^trained='([^']*)'", Pattern.MULTILINE).matcher(Files.readString(launcher));
        return trained.find() && Files.isExecutable(Path.of(trained.group(1))) ? trained.group(1) : "java";
    }

    /** Memory per target: resident and live heap once every target has probed. */
    private void targets() throws Exception {
        report.add("## Memory per target: targets every 60 s, scraped every " + SCRAPE_SECONDS
                + " s, 70 s after ready (launcher)\n");
        report.add("| targets | scheme | RSS MiB (peak) | live heap MiB (after a full GC) | heap committed MiB "
                + "| KiB RSS per target over the first row | KiB live heap per target over the first row "
                + "| scrapes: count, MB each, slowest ms |");
        report.add("|---:|---|---:|---:|---:|---:|---:|---:|");
        double[] base = null;
        for (int count : TARGET_COUNTS) {
            double[] measured = measureTargets(count, false);
            if (base == null) {
                base = measured;
            }
            report.add(targetRow(count, "HTTP", measured, base));
        }
        double[] https = measureTargets(10_000, true);
        report.add(targetRow(10_000, "HTTPS", https, base));
        report.add("");
        report.add(aim("RSS at 10,000 HTTPS targets every 60 s", https[0], Double.NaN, 192, "MiB"));
        report.add("");
    }

    private String targetRow(int count, String scheme, double[] measured, double[] base) {
        int baseCount = TARGET_COUNTS[0];
        return String.format(
                Locale.ROOT,
                "| %,d | %s | %.0f (%.0f) | %.1f | %.1f | %s | %s | %.0f, %.2f, %.0f |",
                count,
                scheme,
                measured[0],
                measured[1],
                measured[2],
                measured[3],
                count == baseCount
                        ? "-"
                        : String.format(Locale.ROOT, "%.2f", (measured[0] - base[0]) * 1024 / (count - baseCount)),
                count == baseCount
                        ? "-"
                        : String.format(Locale.ROOT, "%.2f", (measured[2] - base[2]) * 1024 / (count - baseCount)),
                measured[4],
                measured[5],
                measured[6]);
    }

    /**
     * 10,000 HTTP targets every 60 s, scraped as in {@link #targets()}, without OTLP and then exporting every
     * {@value #OTLP_SECONDS} s to a receiver on loopback: what the export costs in memory.
     */
    private void otlp() throws Exception {
        report.add("## OTLP export: 10,000 HTTP targets every 60 s, scraped every " + SCRAPE_SECONDS
                + " s, 70 s after ready (launcher)\n");
        report.add("| OTLP | RSS MiB (peak) | live heap MiB (after a full GC) | heap committed MiB "
                + "| exports: requests, MB each (mean), load average at the end |");
        report.add("|---|---:|---:|---:|---|");
        double[] off = measureTargets(10_000, false, null);
        report.add(String.format(
                Locale.ROOT,
                "| off | %.0f (%.0f) | %.1f | %.1f | - , load %s |",
                off[0],
                off[1],
                off[2],
                off[3],
                loadAverage()));
        com.sun.net.httpserver.HttpServer receiver =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        receiver.createContext("/v1/metrics", exchange -> {
            bytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            double[] on = measureTargets(
                    10_000, false, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/metrics");
            report.add(String.format(
                    Locale.ROOT,
                    "| every %d s | %.0f (%.0f) | %.1f | %.1f | %d, %.2f, load %s |",
                    OTLP_SECONDS,
                    on[0],
                    on[1],
                    on[2],
                    on[3],
                    requests.get(),
                    requests.get() == 0 ? 0 : bytes.get() / 1e6 / requests.get(),
                    loadAverage()));
        } finally {
            receiver.stop(0);
        }
        report.add("");
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    /** {RSS, peak RSS, live heap, committed heap} in MiB, then {scrapes, MB of the last, slowest ms}. */
    private double[] measureTargets(int count, boolean https) throws Exception {
        return measureTargets(count, https, null);
    }

    /** As {@link #measureTargets(int, boolean)}, exporting over OTLP to {@code otlp} every few seconds unless null. */
    private double[] measureTargets(int count, boolean https, String otlp) throws Exception {
        Path config =
                config("targets-" + count + (https ? "-https" : "") + (otlp == null ? "" : "-otlp"), count, https, 60);
        if (otlp != null) {
            Files.writeString(
                    config,
                    "otlp: {endpoint: '" + otlp + "', interval: " + OTLP_SECONDS + "s}\n",
                    java.nio.file.StandardOpenOption.APPEND);
        }
        System.out.printf("memory: %,d %s targets every 60 s%n", count, https ? "HTTPS" : "HTTP");
        Process agent = launch(config, "targets-" + count, false);
        try {
            long ready = waitReady(agent, 120);
            long end = ready + 70_000_000_000L;
            int scrapes = 0;
            long bytes = 0;
            double slowest = 0;
            for (long next = ready + SCRAPE_SECONDS * 1_000_000_000L;
                    next < end;
                    next += SCRAPE_SECONDS * 1_000_000_000L) {
                sleepUntil(next);
                long started = System.nanoTime();
                HttpResponse<byte[]> metrics = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + AgentUnderTest.PORT + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (metrics.statusCode() != 200) {
                    throw new IllegalStateException("/metrics answered " + metrics.statusCode() + "; see " + work);
                }
                slowest = Math.max(slowest, (System.nanoTime() - started) / 1e6);
                bytes = metrics.body().length;
                scrapes++;
            }
            sleepUntil(end);
            double rss = ProcessStats.residentMiB(agent.pid(), "VmRSS");
            double peak = ProcessStats.residentMiB(agent.pid(), "VmHWM");
            jcmd(agent.pid(), "GC.run");
            String heap = jcmd(agent.pid(), "GC.heap_info");
            return new double[] {
                rss,
                peak,
                heapKiB(heap, "used") / 1024.0,
                heapKiB(heap, "total") / 1024.0,
                scrapes,
                bytes / 1e6,
                slowest
            };
        } finally {
            processes.stop(agent);
        }
    }

    /** The JIT's settling at 300 HTTPS probes a second, each way. */
    private void settle() throws Exception {
        Path config = config("settle", 3_000, true, 10);
        report.add("## Settling: 3,000 HTTPS targets every 10 s (300 full handshakes/s), from the start\n");
        report.add("| way | JIT settled | CPU s until then | CPU s per second over the next 15 s |");
        report.add("|---|---|---:|---:|");
        double[] settledSeconds = {Double.NaN, Double.NaN};
        for (int way = 0; way < (BESIDE ? 2 : 1); way++) {
            long started = System.nanoTime();
            Process agent = way == 0
                    ? launch(config, "settle", true)
                    : before(config, "settle-before", List.of("-XX:+UsePerfData"));
            try {
                waitReady(agent, 60);
                String settled = JitWarmup.settle(agent.pid(), started);
                double cpu = ProcessStats.cpuSeconds(agent.pid());
                Thread.sleep(15_000);
                double after = (ProcessStats.cpuSeconds(agent.pid()) - cpu) / 15;
                Matcher seconds = Pattern.compile("settled after (\\d+) s").matcher(settled);
                settledSeconds[way] = seconds.find() ? Double.parseDouble(seconds.group(1)) : Double.NaN;
                report.add(String.format(
                        Locale.ROOT,
                        "| %s | %s | %.1f | %.3f |",
                        way == 0 ? "launcher" : "before",
                        settled,
                        cpu,
                        after));
            } finally {
                processes.stop(agent);
            }
        }
        report.add("");
        report.add(aim(
                "JIT settled at 300 HTTPS/s (in " + JitWarmup.SLICE_SECONDS + " s slices)",
                settledSeconds[0],
                settledSeconds[1],
                30,
                "s"));
        report.add("");
    }

    /** The image's size, and {@code runs} starts of the small agent in it. */
    private void container(int runs) throws Exception {
        String image = "vantage/agent:footprint";
        String base = System.getenv().getOrDefault("BASE_IMAGE", "vantage/jre:25-slim");
        Path root = jar.getParent().getParent().getParent();
        run(List.of(
                "docker",
                "build",
                "-q",
                "-f",
                root.resolve("agent/Dockerfile").toString(),
                "--target",
                "prebuilt",
                "--build-arg",
                "BASE_IMAGE=" + base,
                "-t",
                image,
                root.toString()));
        double size = Double.parseDouble(run(List.of("docker", "image", "inspect", "-f", "{{.Size}}", image))
                .trim());
        double baseSize = Double.parseDouble(run(List.of("docker", "image", "inspect", "-f", "{{.Size}}", base))
                .trim());
        Path config = config("container", 10, false, 10);
        report.add(String.format(
                Locale.ROOT,
                "## The image: %s on %s, %.0f MB (the base %.0f MB)%n",
                image,
                base,
                size / 1e6,
                baseSize / 1e6));
        report.add("| run | docker run until /readyz 200 (ms) | RSS MiB at 30 s | CPU s in the first 30 s |");
        report.add("|---:|---:|---:|---:|");
        for (int i = 1; i <= runs; i++) {
            long started = System.nanoTime();
            Process container = processes.start(
                    List.of(
                            "docker",
                            "run",
                            "--rm",
                            "--name",
                            "vantage-footprint",
                            "--read-only",
                            "--tmpfs",
                            "/tmp",
                            "--network",
                            "host",
                            "-v",
                            config.toAbsolutePath() + ":/etc/vantage/agent.yaml:ro",
                            image),
                    "container-" + i);
            try {
                long ready = waitReady(container, 60);
                sleepUntil(started + START_SECONDS * 1_000_000_000L);
                long pid = Long.parseLong(run(List.of("docker", "inspect", "-f", "{{.State.Pid}}", "vantage-footprint"))
                        .trim());
                report.add(String.format(
                        Locale.ROOT,
                        "| %d | %,.0f | %.0f | %.2f |",
                        i,
                        (ready - started) / 1e6,
                        ProcessStats.residentMiB(pid, "VmRSS"),
                        ProcessStats.cpuSeconds(pid)));
            } finally {
                run(List.of("docker", "rm", "-f", "vantage-footprint"));
                processes.stop(container);
            }
        }
        report.add("");
        report.add(aim("the agent's image", size / 1e6, Double.NaN, 150, "MB"));
        report.add("");
    }

    private String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private Process launch(Path config, String name, boolean perfData) throws IOException {
        return processes.startLauncher(launcher, config, name, perfData);
    }

    private Process before(Path config, String name, List<String> extra) throws IOException {
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(BEFORE);
        command.addAll(extra);
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        return processes.start(command, name);
    }

    private Path config(String name, int count, boolean https, int interval) throws IOException {
        return AgentUnderTest.config(work, "footprint-" + name + ".yaml", https, count, interval, nginx);
    }

    /** Polls /readyz every 10 ms; returns System.nanoTime() of the first 200. */
    private long waitReady(Process agent, int timeoutSeconds) throws InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + AgentUnderTest.PORT + "/readyz");
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited with " + agent.exitValue() + "; see " + work);
            }
            try {
                if (http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return System.nanoTime();
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("/readyz did not answer 200 within " + timeoutSeconds + " s; see " + work);
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    private String jcmd(long pid, String command) throws IOException, InterruptedException {
        return run(List.of(JitWarmup.jdkTool(pid, "jcmd"), String.valueOf(pid), command));
    }

    /** Sums {@code total NNNK} or {@code used NNNK} over the serial collector's generations in GC.heap_info. */
    static double heapKiB(String heapInfo, String field) {
        Matcher matcher = Pattern.compile(
                        "^\\s*(?:def new generation|DefNew|tenured generation|Tenured)\\s+total (\\d+)K, used (\\d+)K",
                        Pattern.MULTILINE)
                .matcher(heapInfo);
        double sum = 0;
        int found = 0;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(field.equals("total") ? 1 : 2));
            found++;
        }
        if (found == 0) {
            throw new IllegalStateException("GC.heap_info not understood: " + heapInfo);
        }
        return sum;
    }

    private static int threads(long pid) throws IOException {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return (int) tasks.count();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /** One line: the aim, the launcher's figure (met or not), and the former way's for comparison. */
    private static String aim(String what, double launcher, double before, double limit, String unit) {
        String format = unit.equals("CPU s") ? "%.2f" : "%,.0f";
        return String.format(
                Locale.ROOT,
                "- aim: %s ≤ %s %s — launcher %s %s: **%s**%s",
                what,
                String.format(Locale.ROOT, format, limit),
                unit,
                Double.isNaN(launcher) ? "not settled" : String.format(Locale.ROOT, format, launcher),
                unit,
                !Double.isNaN(launcher) && launcher <= limit ? "met" : "NOT met",
                Double.isNaN(before)
                        ? ""
                        : " (before: " + String.format(Locale.ROOT, format, before) + " " + unit + ")");
    }
}
