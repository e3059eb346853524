package io.vantage.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Members of one vantage point against one agent, side by side in one run, and the time a vantage point takes to
 * rebalance when a member dies: {@code java -cp bench/target/vantage-bench.jar io.vantage.bench.MembersBenchmark
 * AGENT_TARGET_DIR AGGREGATOR_JAR WORK_DIR [TARGETS=100000] [INTERVAL_SECONDS=60] [WARMUP_SECONDS=60]
 * ["AGGREGATOR JVM FLAGS"="-Xmx2g"]}.
 *
 * <p>The packaged aggregator (its own process) serves {@code TARGETS} HTTP targets every {@code INTERVAL_SECONDS} (all
 * against the benchmark's {@link Nginx}) to two {@code agents:} entries: {@code vp}, a vantage point run by 4 members
 * ({@code members: 8, perVantage: 2}; four agents through their launcher, {@code VANTAGE_INSTANCE=member-1..4}), and
 * {@code solo} ({@code members: 1}), one agent that probes every target. Every process fetches its share from the
 * aggregator and pushes its results to it, as in production. After the shares settle and a warm-up, each prober is
 * measured over whole intervals (about 60 s): probes (its own {@code vantage_probes_total}), CPU seconds and RSS. Then member-1 is
 * killed (SIGKILL, as a lost node) and the benchmark times (a) until the survivors hold every target twice (the sum of
 * the targets they probe, from their {@code /readyz}, is 2 × TARGETS: a survivor's share only grows when a member
 * leaves, so the sum reaches it only when every survivor has its new share), and (b) until every target has been
 * probed since the kill by two survivors (their {@code vantage_probe_last_timestamp_seconds}); and checks that while
 * the shares move every target was probed by a survivor within the last interval. Loopback only; needs nginx.
 */
public final class MembersBenchmark {
    static final int AGGREGATOR_PORT = AggregatorBenchmark.PORT;
    static final int MEMBERS = 4;
    static final int FIRST_AGENT_PORT = AgentUnderTest.PORT;
    private static final Pattern PROBING = Pattern.compile("probing (\\d+) targets");
    private static final Pattern TARGET = Pattern.compile("target=\"([^\"]+)\"");

    private final Path launcher;
    private final Path aggregatorJar;
    private final Path work;
    private final Processes processes;
    private final HttpClient http = HttpClient.newHttpClient();
    private final int targets;
    private final int interval;

    private MembersBenchmark(Path agentTarget, Path aggregatorJar, Path work, int targets, int interval) {
        this.launcher = agentTarget.resolve("vantage-agent").toAbsolutePath();
        this.aggregatorJar = aggregatorJar.toAbsolutePath();
        this.work = work.toAbsolutePath();
        this.processes = new Processes(this.work);
        this.targets = targets;
        this.interval = interval;
    }

    /** One prober: a name, its process and its port. */
    private record Prober(String name, Process process, int port) {}

    /** What a prober had done at one moment. */
    private record Sample(long probes, long failed, long skipped, double cpu) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: MembersBenchmark AGENT_TARGET_DIR AGGREGATOR_JAR WORK_DIR [TARGETS=100000] "
                    + "[INTERVAL_SECONDS=60] [WARMUP_SECONDS=60] [\"AGGREGATOR JVM FLAGS\"=-Xmx2g]");
            System.exit(2);
        }
        int targets = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        int interval = args.length > 4 ? Integer.parseInt(args[4]) : 60;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 60;
        String flags = args.length > 6 ? args[6] : "-Xmx2g";
        MembersBenchmark bench =
                new MembersBenchmark(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), targets, interval);
        Files.createDirectories(bench.work);
        Runtime.getRuntime().addShutdownHook(new Thread(bench.processes::killAll));
        String text;
        try {
            List<Integer> ports = new ArrayList<>(List.of(Nginx.PORT, Nginx.TLS_PORT, AGGREGATOR_PORT));
            for (int i = 0; i <= MEMBERS; i++) {
                ports.add(FIRST_AGENT_PORT + i);
            }
            Processes.requireFree(ports);
            Nginx.start(bench.processes);
            text = bench.run(warmup, flags);
        } finally {
            bench.processes.stopAll();
        }
        System.out.println();
        System.out.print(text);
        Files.writeString(bench.work.resolve("members-benchmark.md"), text);
    }

    private String run(int warmup, String flags) throws Exception {
        Path aggregatorConfig = aggregatorConfig();
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(List.of(flags.split(" ")));
        command.addAll(List.of("-jar", aggregatorJar.toString(), "--config", aggregatorConfig.toString()));
        Process aggregator = processes.start(command, "aggregator");
        waitUntil(
                () -> get(AGGREGATOR_PORT, "/readyz").startsWith("ready: " + targets + " targets evaluated"),
                600,
                "the aggregator to evaluate " + targets + " targets");
        System.out.printf("aggregator ready with %,d targets every %d s%n", targets, interval);

        List<Prober> members = new ArrayList<>();
        for (int i = 1; i <= MEMBERS; i++) {
            members.add(agent("member-" + i, "vp", "region-a", FIRST_AGENT_PORT + i - 1));
        }
        Prober solo = agent("solo", "solo", "region-b", FIRST_AGENT_PORT + MEMBERS);
        long settling = System.nanoTime();
        waitUntil(
                () -> probing(members) == 2L * targets && probing(List.of(solo)) == targets,
                600,
                "the members to probe every target twice and the single agent every target once");
        System.out.printf(
                "shares settled %.0f s after the agents started: members %s, single agent %,d; warming up %d s%n",
                (System.nanoTime() - settling) / 1e9, assigned(members), probing(List.of(solo)), warmup);
        Thread.sleep(warmup * 1000L);

        List<Prober> all = new ArrayList<>(members);
        all.add(solo);
        Map<Prober, Long> shares = new HashMap<>();
        for (Prober prober : all) {
            shares.put(prober, probing(List.of(prober)));
        }
        Map<Prober, Sample> before = new HashMap<>();
        for (Prober prober : all) {
            before.put(prober, sample(prober));
        }
        double aggregatorCpu0 = ProcessStats.cpuSeconds(aggregator.pid());
        long t0 = System.nanoTime();
        int intervals = Math.max(1, 60 / interval);
        System.out.printf("measuring over %d interval(s) of %d s%n", intervals, interval);
        Thread.sleep(intervals * interval * 1000L);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double aggregatorCpu = ProcessStats.cpuSeconds(aggregator.pid()) - aggregatorCpu0;
        Map<Prober, Sample> after = new HashMap<>();
        for (Prober prober : all) {
            after.put(prober, sample(prober));
        }

        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "Members vs one agent: %,d HTTP targets every %d s (%,.0f probes/s per copy of the targets), %d "
                        + "interval(s) (%.0f s) measured after %d s of warm-up; aggregator `%s`\n\n",
                targets,
                interval,
                (double) targets / interval,
                intervals,
                seconds,
                warmup,
                flags));
        out.append("| prober | targets it probes | probes per interval | probes/s | failed | skipped "
                + "| CPU s per interval | CPU s per 1,000 probes | RSS MiB (peak) |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        long[] totals = new long[4];
        double totalCpu = 0;
        double totalRss = 0;
        double totalPeak = 0;
        for (Prober prober : all) {
            Sample a = before.get(prober);
            Sample b = after.get(prober);
            long probes = b.probes - a.probes;
            double cpu = b.cpu - a.cpu;
            double rss = ProcessStats.residentMiB(prober.process.pid(), "VmRSS");
            double peak = ProcessStats.residentMiB(prober.process.pid(), "VmHWM");
            if (prober != solo) {
                totals[0] += shares.get(prober);
                totals[1] += probes;
                totals[2] += b.failed - a.failed;
                totals[3] += b.skipped - a.skipped;
                totalCpu += cpu;
                totalRss += rss;
                totalPeak += peak;
            } else {
                out.append(row(
                        "4 members together",
                        totals[0],
                        totals[1],
                        seconds,
                        totals[2],
                        totals[3],
                        totalCpu,
                        totalRss,
                        totalPeak));
            }
            out.append(row(
                    prober == solo ? "one agent (`members: 1`)" : prober.name + " (of `vp`)",
                    shares.get(prober),
                    probes,
                    seconds,
                    b.failed - a.failed,
                    b.skipped - a.skipped,
                    cpu,
                    rss,
                    peak));
        }
        out.append(String.format(
                Locale.ROOT,
                "\nThe aggregator over the same interval: %.1f CPU s (%.2f cores), RSS %.0f MiB (peak %.0f).\n",
                aggregatorCpu,
                aggregatorCpu / seconds,
                ProcessStats.residentMiB(aggregator.pid(), "VmRSS"),
                ProcessStats.residentMiB(aggregator.pid(), "VmHWM")));
        out.append(rebalance(members));
        return out.toString();
    }

    /**
     * Kills member-1 and times the vantage point's rebalance: until the survivors hold every target twice, and until
     * every target has been probed since the kill by two survivors.
     */
    private String rebalance(List<Prober> members) throws Exception {
        Prober killed = members.get(0);
        List<Prober> survivors = members.subList(1, members.size());
        long held = probing(survivors);
        killed.process.destroyForcibly();
        long killedAt = System.nanoTime();
        double killedAtSeconds = System.currentTimeMillis() / 1000.0;
        killed.process.waitFor();
        System.out.printf("killed %s; the survivors probe %,d of %,d target copies%n", killed.name, held, 2L * targets);
        waitUntil(() -> probing(survivors) == 2L * targets, 600, "the survivors to hold every target twice");
        double sharesSeconds = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf("shares complete %.1f s after the kill%n", sharesSeconds);
        // While the shares moved: every target probed by a survivor within the last interval (and a little slack for a
        // probe in flight), read right after the shares completed.
        double now = System.currentTimeMillis() / 1000.0;
        Map<String, int[]> coverage = coverage(survivors, now - interval - 5, killedAtSeconds);
        long probedMeanwhile =
                coverage.values().stream().filter(counts -> counts[0] > 0).count();
        double probedTwiceSeconds = Double.NaN;
        long twice = coverage.values().stream().filter(counts -> counts[1] >= 2).count();
        long deadline = killedAt + (3L * interval + 120) * 1_000_000_000L;
        while (twice < targets && System.nanoTime() < deadline) {
            Thread.sleep(5_000); // polling other processes' metrics: no event to wait on
            coverage = coverage(survivors, Double.NEGATIVE_INFINITY, killedAtSeconds);
            twice = coverage.values().stream().filter(counts -> counts[1] >= 2).count();
            System.out.printf(
                    "%.0f s after the kill: %,d of %,d targets probed by two survivors since%n",
                    (System.nanoTime() - killedAt) / 1e9, twice, targets);
        }
        if (twice == targets) {
            probedTwiceSeconds = (System.nanoTime() - killedAt) / 1e9;
        }
        return String.format(
                Locale.ROOT,
                """

                Rebalance after killing %s (SIGKILL), %,d targets, GONE_AFTER 45 s, the agents' targetsRefresh 15 s:

                | measure | seconds after the kill |
                |---|---:|
                | the 3 survivors hold every target twice (sum of the targets they probe, from their `/readyz`, = %,d; %,d before) | %.1f |
                | every target probed since the kill by 2 survivors (their `vantage_probe_last_timestamp_seconds`, read every 5 s) | %s |

                Meanwhile: when the shares completed, %,d of %,d targets had been probed by a survivor within the last \
                interval (%d s).
                """,
                killed.name,
                targets,
                2L * targets,
                held,
                sharesSeconds,
                Double.isNaN(probedTwiceSeconds)
                        ? "not within " + (3 * interval + 120) + " s (" + twice + " of " + targets + ")"
                        : String.format(Locale.ROOT, "≤ %.0f", probedTwiceSeconds),
                probedMeanwhile,
                targets,
                interval);
    }

    /**
     * Per target: {survivors that probed it since {@code recentSince}, survivors that probed it since {@code since}},
     * from each survivor's {@code vantage_probe_last_timestamp_seconds}.
     */
    private Map<String, int[]> coverage(List<Prober> survivors, double recentSince, double since)
            throws IOException, InterruptedException {
        Map<String, int[]> coverage = new HashMap<>(targets * 2);
        for (Prober survivor : survivors) {
            for (String line : get(survivor.port, "/metrics").split("\n")) {
                if (!line.startsWith("vantage_probe_last_timestamp_seconds{")) {
                    continue;
                }
                Matcher target = TARGET.matcher(line);
                if (!target.find()) {
                    continue;
                }
                double last = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                int[] counts = coverage.computeIfAbsent(target.group(1), name -> new int[2]);
                if (last >= recentSince) {
                    counts[0]++;
                }
                if (last >= since) {
                    counts[1]++;
                }
            }
        }
        return coverage;
    }

    private String row(
            String name,
            long share,
            long probes,
            double seconds,
            long failed,
            long skipped,
            double cpu,
            double rss,
            double peak) {
        return String.format(
                Locale.ROOT,
                "| %s | %,d | %,.0f | %,.0f | %,d | %,d | %.2f | %.3f | %.0f (%.0f) |\n",
                name,
                share,
                probes * interval / seconds,
                probes / seconds,
                failed,
                skipped,
                cpu * interval / seconds,
                probes == 0 ? Double.NaN : cpu / probes * 1000,
                rss,
                peak);
    }

    private Path aggregatorConfig() throws IOException {
        Files.writeString(work.resolve("token-vp"), "benchmark-token-vp-0123456789");
        Files.writeString(work.resolve("token-solo"), "benchmark-token-solo-0123456789");
        StringBuilder config = new StringBuilder("server: {host: 127.0.0.1, port: " + AGGREGATOR_PORT + "}\n"
                + "ingest: {maxRequestsPerSecond: 100000}\n"
                + "agents:\n"
                + "  - {id: vp, region: region-a, tokenFile: token-vp, members: 8, perVantage: 2}\n"
                + "  - {id: solo, region: region-b, tokenFile: token-solo, members: 1}\n"
                + "targets:\n");
        for (int t = 0; t < targets; t++) {
            config.append("  - {name: t")
                    .append(t)
                    .append(", interval: ")
                    .append(interval)
                    .append("s, timeout: 5s, http: {url: '")
                    .append(Nginx.url(false, t))
                    .append("'}, quorum: {minVantages: 1, healthy: 1}}\n");
        }
        return Files.writeString(work.resolve("aggregator.yaml"), config);
    }

    /** An agent through its launcher that takes its targets from the aggregator as {@code instance} of {@code id}. */
    private Prober agent(String instance, String id, String region, int port) throws IOException {
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(
                    launcher + " is missing: build the agent first (./mvnw -B -q -DskipTests package)");
        }
        Path config = Files.writeString(
                work.resolve("agent-" + instance + ".yaml"),
                "agent:\n  id: " + id + "\n  region: " + region + "\n  maxInFlight: 10000\n  aggregators:\n"
                        + "    - {url: 'http://127.0.0.1:" + AGGREGATOR_PORT + "', tokenFile: '"
                        + work.resolve("token-" + id) + "'}\nserver: {host: 127.0.0.1, port: " + port + "}\n");
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(instance + ".log").toFile());
        builder.environment().put("VANTAGE_INSTANCE", instance);
        return new Prober(instance, processes.started(builder.start()), port);
    }

    /** The targets {@code probers} probe together, from their {@code /readyz} (0 for one not probing or not up). */
    private long probing(List<Prober> probers) throws InterruptedException {
        long sum = 0;
        for (Prober prober : probers) {
            try {
                Matcher matcher = PROBING.matcher(get(prober.port, "/readyz"));
                sum += matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
            } catch (IOException notUp) {
                // starting, or killed
            }
        }
        return sum;
    }

    private String assigned(List<Prober> probers) throws InterruptedException {
        List<String> counts = new ArrayList<>();
        for (Prober prober : probers) {
            counts.add(String.format(Locale.ROOT, "%,d", probing(List.of(prober))));
        }
        return String.join(" + ", counts);
    }

    /** The prober's probes (all outcomes), failed probes, skipped probes, then its CPU seconds (read after the scrape). */
    private Sample sample(Prober prober) throws IOException, InterruptedException {
        long probes = 0;
        long failed = 0;
        long skipped = 0;
        for (String line : get(prober.port, "/metrics").split("\n")) {
            if (line.startsWith("vantage_probes_total{")) {
                long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                probes += value;
                if (line.contains("outcome=\"failure\"")) {
                    failed += value;
                }
            } else if (line.startsWith("vantage_probes_skipped_total")) {
                skipped += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return new Sample(probes, failed, skipped, ProcessStats.cpuSeconds(prober.process.pid()));
    }

    private String get(int port, String path) throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} every 500 ms: other processes' state has no event to wait on. */
    private void waitUntil(Condition condition, int timeoutSeconds, String what) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (IOException notUp) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("waited " + timeoutSeconds + " s for " + what + "; see the logs in " + work);
    }
}
