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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the agent benchmark and prints a table. Usage:
 * {@code java -jar bench/target/vantage-bench.jar AGENT_JAR WORK_DIR [TARGET_COUNTS] [MEASURE_SECONDS]},
 * e.g. {@code ... agent/target/vantage-agent.jar bench-out 1000,10000 30}. Needs nginx and
 * prometheus-blackbox-exporter (Debian packages); everything listens on 127.0.0.1 only.
 */
public final class AgentBenchmark {
    static final int NGINX_PORT = 18081;
    static final int AGENT_PORT = 19101;
    static final int EXPORTER_PORT = 19115;
    static final int INTERVAL_SECONDS = 10;
    /** The agent's JVM flags, as in the agent's Dockerfile. */
    static final List<String> AGENT_JVM = List.of("-XX:+UseSerialGC", "-Xmx112m", "-XX:ReservedCodeCacheSize=40m",
            "-XX:MaxMetaspaceSize=64m", "-Xss512k");

    private final Path agentJar;
    private final Path work;
    private final int measureSeconds;
    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    AgentBenchmark(Path agentJar, Path work, int measureSeconds) {
        this.agentJar = agentJar;
        this.work = work;
        this.measureSeconds = measureSeconds;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: AgentBenchmark AGENT_JAR WORK_DIR [TARGET_COUNTS=1000,10000] [MEASURE_SECONDS=30]");
            System.exit(2);
        }
        int measure = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        AgentBenchmark benchmark = new AgentBenchmark(Path.of(args[0]), Path.of(args[1]), measure);
        Files.createDirectories(benchmark.work);
        List<String> rows = new ArrayList<>();
        try {
            benchmark.startNginx();
            for (String count : (args.length > 2 ? args[2] : "1000,10000").split(",")) {
                int targets = Integer.parseInt(count.trim());
                rows.add(benchmark.agent(targets));
                rows.add(benchmark.blackbox(targets));
                rows.add(benchmark.bare(targets));
            }
        } finally {
            benchmark.stopAll();
        }
        String table = "| targets | rate (probes/s) | prober | sustained probes/s | CPU s per 1,000 probes | probes per CPU-second | RSS MiB (peak) "
                + "| CPU s of the one /metrics scrape in the window |\n"
                + "|---:|---:|---|---:|---:|---:|---:|---|\n" + String.join("\n", rows) + "\n";
        System.out.println();
        System.out.print(table);
        Files.writeString(benchmark.work.resolve("agent-benchmark.md"), table);
    }

    private static String row(int targets, String prober, long probes, double seconds, double cpu, String rss) {
        return String.format(Locale.ROOT, "| %,d | %,d | %s | %,.0f | %.3f | %,.0f | %s |", targets, targets / INTERVAL_SECONDS, prober,
                probes / seconds, cpu / probes * 1000, probes / cpu, rss);
    }

    private void startNginx() throws IOException, InterruptedException {
        Path prefix = Files.createDirectories(work.resolve("nginx"));
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(prefix.resolve("nginx.conf"), """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 8192; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  keepalive_timeout 0;
                  server {
                    listen 127.0.0.1:%2$d;
                    location / { return 200 "ok\\n"; }
                  }
                }
                """.formatted(prefix.toAbsolutePath(), NGINX_PORT));
        start(List.of("nginx", "-p", prefix.toAbsolutePath().toString(), "-c", prefix.resolve("nginx.conf").toAbsolutePath().toString()), "nginx");
        waitFor("http://127.0.0.1:" + NGINX_PORT + "/");
        System.out.println("nginx serving on 127.0.0.1:" + NGINX_PORT);
    }

    private String agent(int targets) throws Exception {
        StringBuilder config = new StringBuilder("agent: {id: bench, region: local, maxInFlight: 10000}\nserver: {host: 127.0.0.1, port: "
                + AGENT_PORT + "}\ntargets:\n");
        for (int i = 0; i < targets; i++) {
            config.append("  - {name: t").append(i).append(", interval: ").append(INTERVAL_SECONDS)
                    .append("s, timeout: 5s, http: {url: 'http://127.0.0.1:").append(NGINX_PORT).append("/p").append(i).append("'}}\n");
        }
        Path file = Files.writeString(work.resolve("agent-" + targets + ".yaml"), config);
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(AGENT_JVM);
        command.addAll(List.of("-jar", agentJar.toString(), "--config", file.toString()));
        Process agent = start(command, "agent-" + targets);
        waitFor("http://127.0.0.1:" + AGENT_PORT + "/readyz");
        System.out.printf("vantage agent: %,d targets; warming up for one interval%n", targets);
        Thread.sleep((INTERVAL_SECONDS + 5) * 1000L);
        long probes0 = probesDone();
        double cpu0 = ProcessStats.cpuSeconds(agent.pid());
        long t0 = System.nanoTime();
        Thread.sleep(measureSeconds * 1000L);
        double cpuBeforeScrape = ProcessStats.cpuSeconds(agent.pid());
        long probes1 = probesDone();
        double cpu1 = ProcessStats.cpuSeconds(agent.pid());
        long t1 = System.nanoTime();
        double scrape = cpu1 - cpuBeforeScrape;
        String rss = String.format(Locale.ROOT, "%.0f (%.0f)", ProcessStats.residentMiB(agent.pid(), "VmRSS"),
                ProcessStats.residentMiB(agent.pid(), "VmHWM"));
        stop(agent);
        return row(targets, "vantage agent", probes1 - probes0, (t1 - t0) / 1e9, cpu1 - cpu0, rss)
                + String.format(Locale.ROOT, " %.2f (%,.0f without it) |", scrape, (probes1 - probes0) / (cpu1 - cpu0 - scrape));
    }

    /** Completed probes per the agent's own counter (the two scrapes bracket the window; their cost is included). */
    private long probesDone() throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + AGENT_PORT + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        long total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("vantage_probes_total{")) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private String blackbox(int targets) throws Exception {
        Path config = Files.writeString(work.resolve("blackbox.yml"), """
                modules:
                  http_2xx:
                    prober: http
                    timeout: 5s
                    http:
                      preferred_ip_protocol: ip4
                """);
        Process exporter = start(List.of("prometheus-blackbox-exporter", "--config.file=" + config, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT),
                "blackbox-" + targets);
        waitFor("http://127.0.0.1:" + EXPORTER_PORT + "/metrics");
        int rate = targets / INTERVAL_SECONDS;
        System.out.printf("blackbox_exporter: driven at %,d probes/s%n", rate);
        Vertx vertx = Vertx.vertx();
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(500));
        AtomicLong succeeded = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long[] next = {0};
        int perTick = Math.max(1, rate / 100);
        long driver = vertx.setPeriodic(1000L * perTick / rate, tick -> {
            for (int i = 0; i < perTick; i++) {
                String target = URLEncoder.encode("http://127.0.0.1:" + NGINX_PORT + "/p" + (next[0]++ % targets), StandardCharsets.UTF_8);
                client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(EXPORTER_PORT)
                                .setURI("/probe?module=http_2xx&target=" + target))
                        .compose(request -> request.send())
                        .compose(response -> response.body())
                        .onComplete(done -> (done.succeeded() && done.result().toString().contains("\nprobe_success 1") ? succeeded : failed)
                                .incrementAndGet());
            }
        });
        Thread.sleep(5_000);
        long done0 = succeeded.get();
        double cpu0 = ProcessStats.cpuSeconds(exporter.pid());
        long t0 = System.nanoTime();
        Thread.sleep(measureSeconds * 1000L);
        long done1 = succeeded.get();
        double cpu1 = ProcessStats.cpuSeconds(exporter.pid());
        long t1 = System.nanoTime();
        String rss = String.format(Locale.ROOT, "%.0f (%.0f)", ProcessStats.residentMiB(exporter.pid(), "VmRSS"),
                ProcessStats.residentMiB(exporter.pid(), "VmHWM"));
        vertx.cancelTimer(driver);
        vertx.close().await();
        stop(exporter);
        if (failed.get() > 0) {
            System.out.printf("blackbox_exporter: %,d probes failed or did not report success%n", failed.get());
        }
        return row(targets, "blackbox_exporter 0.23", done1 - done0, (t1 - t0) / 1e9, cpu1 - cpu0, rss) + " - |";
    }

    private String bare(int targets) throws Exception {
        int rate = targets / INTERVAL_SECONDS;
        System.out.printf("bare Vert.x client: %,d requests/s%n", rate);
        String jar = Path.of(AgentBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process client = new ProcessBuilder("java", "-XX:+UseSerialGC", "-cp", jar, BareClient.class.getName(), String.valueOf(NGINX_PORT),
                String.valueOf(targets), String.valueOf(rate), "5", String.valueOf(measureSeconds)).redirectErrorStream(true).start();
        String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        client.waitFor();
        String line = output.lines().filter(l -> l.startsWith("completed=")).findFirst()
                .orElseThrow(() -> new IllegalStateException("bare client printed no result:\n" + output));
        long completed = 0;
        double seconds = 0;
        double cpu = 0;
        for (String field : line.split(" ")) {
            String[] pair = field.split("=");
            switch (pair[0]) {
                case "completed" -> completed = Long.parseLong(pair[1]);
                case "seconds" -> seconds = Double.parseDouble(pair[1]);
                case "cpu" -> cpu = Double.parseDouble(pair[1]);
                default -> { }
            }
        }
        return row(targets, "bare Vert.x client (ceiling)", completed, seconds, cpu, "-") + " - |";
    }

    private Process start(List<String> command, String name) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start();
        started.add(process);
        return process;
    }

    private void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private void stopAll() throws InterruptedException {
        for (Process process : started) {
            if (process.isAlive()) {
                stop(process);
            }
        }
    }

    private void waitFor(String url) throws InterruptedException {
        waitFor(http, url, work);
    }

    /** Polls until {@code url} answers 200: another process's start-up has no event to wait on. */
    static void waitFor(HttpClient http, String url, Path logs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " did not answer 200 within 60 s; see the logs in " + logs);
    }
}
