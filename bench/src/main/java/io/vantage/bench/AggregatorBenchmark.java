package io.vantage.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest benchmark: the packaged aggregator (its own process) receives batches from 10 agents × 10,000
 * targets over real HTTP on loopback, as fast as a load generator in this process can send them, each
 * batch with newer timestamps so that every result is accepted and stored. Prints results/s, the
 * aggregator's CPU per million results, and the duration of its full evaluations under that load; then the time from
 * start to ready, the time a reload that adds one target takes to be evaluated (the file is polled every 2 s), and the
 * longest event-loop block Vert.x reported (it reports blocks over 2 s) at start, under load and on the reload.
 * Usage: {@code AggregatorBenchmark AGGREGATOR_JAR WORK_DIR [AGENTS=10] [TARGETS=10000] [MEASURE_SECONDS=20] ["JVM FLAGS"="-Xmx1g"]
 * [MEMBERS=1]}. With {@code MEMBERS} above 1 each agent is a vantage point of that many members ({@code members:
 * MEMBERS}, {@code perVantage: 2}): each member reports every target of its share under its own {@code
 * Vantage-Instance} header, so with 2 members every target is reported by both, and the load generator sends as every
 * member of every vantage point.
 */
public final class AggregatorBenchmark {
    static final int PORT = 19180;
    static final int IN_FLIGHT_PER_AGENT = 2;
    /** The member's header ({@code io.vantage.wire.Headers.INSTANCE}; the bench does not depend on the wire module). */
    static final String INSTANCE_HEADER = "Vantage-Instance";

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path work = Files.createDirectories(Path.of(args[1]));
        int agents = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int targets = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        int measureSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int batchSize = 5_000;
        int members = args.length > 6 ? Integer.parseInt(args[6]) : 1;
        if (members > 1 && members != 2) {
            throw new IllegalArgumentException(
                    "MEMBERS is 1 or 2: with perVantage 2, two members each own every target");
        }

        StringBuilder config = new StringBuilder(
                "server: {host: 127.0.0.1, port: " + PORT + "}\ningest: {maxRequestsPerSecond: 100000}\nagents:\n");
        for (int a = 0; a < agents; a++) {
            Files.writeString(work.resolve("token-" + a), token(a));
            config.append("  - {id: agent-")
                    .append(a)
                    .append(", region: region-")
                    .append(a)
                    .append(", tokenFile: token-")
                    .append(a)
                    .append(members > 1 ? ", members: " + members + ", perVantage: 2" : "")
                    .append("}\n");
        }
        config.append("targets:\n");
        for (int t = 0; t < targets; t++) {
            config.append("  - {name: t")
                    .append(t)
                    .append(", tcp: {host: 127.0.0.1, port: 9}, quorum: {minVantages: 3, healthy: 3}}\n");
        }
        Path file = Files.writeString(work.resolve("aggregator.yaml"), config);
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(List.of((args.length > 5 ? args[5] : "-Xmx1g").split(" ")));
        command.addAll(List.of("-jar", jar.toString(), "--config", file.toString()));
        System.out.println("aggregator: " + String.join(" ", command));
        long started = System.nanoTime();
        Process aggregator = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("aggregator.log").toFile())
                .start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            waitForReadiness(http, targets, work);
            double startSeconds = (System.nanoTime() - started) / 1e9;
            List<Template> templates = new ArrayList<>();
            for (int a = 0; a < agents; a++) {
                for (int m = 0; m < members; m++) {
                    for (int from = 0; from < targets; from += batchSize) {
                        templates.add(new Template(
                                a,
                                members > 1 ? "agent-" + a + "-member-" + m : null,
                                from,
                                Math.min(targets, from + batchSize)));
                    }
                }
            }
            System.out.printf(
                    "aggregator up; %d agents x %d members x %,d targets = %d batches of up to %,d results per round%n",
                    agents, members, targets, templates.size(), batchSize);
            int lanes = agents * members * IN_FLIGHT_PER_AGENT;
            Vertx vertx = Vertx.vertx();
            HttpClientAgent client = vertx.createHttpClient(
                    new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(lanes));
            AtomicLong accepted = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicLong clock = new AtomicLong(System.currentTimeMillis() - 60_000);
            boolean[] running = {true};
            for (int lane = 0; lane < lanes; lane++) {
                int start = lane;
                vertx.runOnContext(v -> send(client, templates, start, lanes, clock, accepted, failed, running));
            }
            Thread.sleep(5_000);
            Map<Double, Double> buckets0 = buckets(scrape(http));
            long done0 = accepted.get();
            double cpu0 = ProcessStats.cpuSeconds(aggregator.pid());
            long t0 = System.nanoTime();
            Thread.sleep(measureSeconds * 1000L);
            long done1 = accepted.get();
            double cpu1 = ProcessStats.cpuSeconds(aggregator.pid());
            long t1 = System.nanoTime();
            running[0] = false;
            String metrics = scrape(http);
            Map<Double, Double> buckets1 = buckets(metrics);
            double heapUsed = sum(metrics, "jvm_memory_used_bytes{area=\"heap\"") / (1024 * 1024);
            double heapCommitted = sum(metrics, "jvm_memory_committed_bytes{area=\"heap\"") / (1024 * 1024);
            String underLoad = String.format(
                    Locale.ROOT,
                    "≤ %s / ≤ %s / ≤ %s",
                    bound(buckets0, buckets1, 0.5),
                    bound(buckets0, buckets1, 0.99),
                    bound(buckets0, buckets1, 1.0));
            // Then without load: the once-a-second evaluations alone, over the same 100,000 stored results.
            Thread.sleep(3_000);
            String quiet0 = scrape(http);
            Thread.sleep(10_000);
            String quiet1 = scrape(http);
            double idleMean = (metric(quiet1, "vantage_evaluation_duration_seconds_sum")
                            - metric(quiet0, "vantage_evaluation_duration_seconds_sum"))
                    / (metric(quiet1, "vantage_evaluation_duration_seconds_count")
                            - metric(quiet0, "vantage_evaluation_duration_seconds_count"));
            // A reload that adds one target: from writing the file until a round has evaluated it.
            long reloaded = System.nanoTime();
            Files.writeString(
                    file,
                    config.append("  - {name: added, tcp: {host: 127.0.0.1, port: 9}, quorum: {minVantages: 3, "
                            + "healthy: 3}}\n"));
            waitForReadiness(http, targets + 1, work);
            double reloadSeconds = (System.nanoTime() - reloaded) / 1e9;
            double rss = ProcessStats.residentMiB(aggregator.pid(), "VmHWM");
            long results = done1 - done0;
            double seconds = (t1 - t0) / 1e9;
            String table = String.format(
                    Locale.ROOT,
                    """
                    | agents x members x targets | results ingested/s | aggregator CPU s per 1M results | aggregator CPU cores used | full evaluation under load, p50 / p99 / max (ms, bucket bounds) | full evaluation idle, mean (ms) | heap used / committed at the end of load (MiB) | aggregator peak RSS MiB | failed requests | start to ready (s) | reload of +1 target evaluated (s) | longest event-loop block reported |
                    |---|---:|---:|---:|---|---:|---|---:|---:|---:|---:|---|
                    | %d x %d x %,d | %,.0f | %.2f | %.2f | %s | %.1f | %.0f / %.0f | %.0f | %d | %.1f | %.1f | %s |
                    """,
                    agents,
                    members,
                    targets,
                    results / seconds,
                    (cpu1 - cpu0) / results * 1e6,
                    (cpu1 - cpu0) / seconds,
                    underLoad,
                    idleMean * 1000,
                    heapUsed,
                    heapCommitted,
                    rss,
                    failed.get(),
                    startSeconds,
                    reloadSeconds,
                    longestBlock(work.resolve("aggregator.log")));
            System.out.println();
            System.out.print(table);
            Files.writeString(work.resolve("aggregator-benchmark.md"), table);
            vertx.close().await();
        } finally {
            aggregator.destroy();
            aggregator.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void send(
            HttpClientAgent client,
            List<Template> templates,
            int index,
            int stride,
            AtomicLong clock,
            AtomicLong accepted,
            AtomicLong failed,
            boolean[] running) {
        if (!running[0]) {
            return;
        }
        Template template = templates.get(index % templates.size());
        Buffer body = template.render(clock.addAndGet(1));
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost("127.0.0.1")
                .setPort(PORT)
                .setURI("/v1/reports")
                .putHeader("Authorization", "Bearer " + token(template.agent))
                .putHeader("Content-Type", "application/json");
        if (template.instance != null) {
            options.putHeader(INSTANCE_HEADER, template.instance);
        }
        client.request(options)
                .compose(request -> request.send(body))
                .compose(response -> response.body()
                        .map(answer -> response.statusCode() == 202 ? new JsonObject(answer).getLong("accepted") : -1L))
                .onComplete(done -> {
                    if (done.succeeded() && done.result() >= 0) {
                        accepted.addAndGet(done.result());
                    } else {
                        failed.incrementAndGet();
                    }
                    send(client, templates, index + stride, stride, clock, accepted, failed, running);
                });
    }

    /** Waits (up to 10 minutes: 100,000 targets take a while to load) until the aggregator has evaluated {@code targets}. */
    private static void waitForReadiness(HttpClient http, int targets, Path work) throws InterruptedException {
        String ready = "ready: " + targets + " targets evaluated";
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/readyz"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body()
                        .startsWith(ready)) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // starting
            }
            Thread.sleep(100); // polling a process this benchmark started, not waiting in place of a condition
        }
        throw new IllegalStateException("the aggregator did not say '" + ready + "' within 10 minutes; see " + work);
    }

    /** The longest "has been blocked for N ms" Vert.x logged, or "none over 2,000 ms". */
    private static String longestBlock(Path log) throws IOException {
        long longest = 0;
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("has been blocked for ");
            if (at >= 0) {
                String rest = line.substring(at + "has been blocked for ".length());
                longest = Math.max(longest, Long.parseLong(rest.substring(0, rest.indexOf(' '))));
            }
        }
        return longest == 0 ? "none over 2,000 ms" : String.format(Locale.ROOT, "%,d ms", longest);
    }

    private static String token(int agent) {
        return "benchmark-token-agent-" + agent + "-0123456789";
    }

    /** A batch body with every timestamp at a known offset, so a new batch costs a copy and some digit writes. */
    private static final class Template {
        final int agent;
        final String instance;
        final byte[] bytes;
        final int[] stampOffsets;

        /** {@code instance}: the member's {@code Vantage-Instance}, null to send none (one process per agent). */
        Template(int agent, String instance, int from, int to) {
            this.agent = agent;
            this.instance = instance;
            StringBuilder json = new StringBuilder("{\"version\":1,\"agentId\":\"agent-" + agent
                    + "\",\"region\":\"region-" + agent + "\",\"sentAt\":");
            List<Integer> offsets = new ArrayList<>();
            offsets.add(json.length());
            json.append("0000000000000,\"results\":[");
            for (int t = from; t < to; t++) {
                json.append(t == from ? "" : ",")
                        .append("{\"target\":\"t")
                        .append(t)
                        .append("\",\"timestamp\":");
                offsets.add(json.length());
                json.append(
                        "0000000000000,\"success\":true,\"statusCode\":200,"
                                + "\"timings\":{\"dns\":0.0012,\"connect\":0.0021,\"tls\":0.0105,\"firstByte\":0.0213,\"total\":0.0217}}");
            }
            json.append("]}");
            this.bytes = json.toString().getBytes(StandardCharsets.US_ASCII);
            this.stampOffsets = offsets.stream().mapToInt(Integer::intValue).toArray();
        }

        Buffer render(long timestamp) {
            byte[] copy = bytes.clone();
            byte[] digits = String.format(Locale.ROOT, "%013d", timestamp).getBytes(StandardCharsets.US_ASCII);
            for (int offset : stampOffsets) {
                System.arraycopy(digits, 0, copy, offset, 13);
            }
            return Buffer.buffer(copy);
        }
    }

    private static String scrape(HttpClient http) throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** The evaluation histogram's cumulative bucket counts by upper bound (seconds). */
    private static Map<Double, Double> buckets(String metrics) {
        Map<Double, Double> buckets = new TreeMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("vantage_evaluation_duration_seconds_bucket{le=\"")) {
                String le = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
                buckets.put(
                        le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return buckets;
    }

    /** The smallest bucket bound (ms) under which {@code quantile} of the evaluations in the window fell. */
    private static String bound(Map<Double, Double> before, Map<Double, Double> after, double quantile) {
        double total =
                after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        for (Map.Entry<Double, Double> bucket : after.entrySet()) {
            double count = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0);
            if (count >= quantile * total) {
                return bucket.getKey().isInfinite() ? "∞" : String.format(Locale.ROOT, "%.0f", bucket.getKey() * 1000);
            }
        }
        return "?";
    }

    /** The sum of every sample of {@code prefix} (a name with the start of its labels). */
    private static double sum(String metrics, String prefix) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(prefix)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static double metric(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }
}
