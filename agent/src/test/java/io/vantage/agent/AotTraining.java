package io.vantage.agent;

import io.vantage.testing.Ports;
import io.vantage.testing.TestDnsServer;
import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Writes the agent's launcher, {@code target/vantage-agent}, unpacks the jar's native libraries (Netty's epoll and
 * BoringSSL) into {@code target/native}, and trains its AOT cache, {@code
 * target/vantage-agent.aot}: run by the build at package time (agent/pom.xml), after the jar is shaded. The cache
 * (JDK 25's {@code -XX:AOTCacheOutput}) holds the classes a training run loads and links, so that a started agent is
 * ready sooner and spends less CPU starting (its method profiles are recorded too; the launcher does not replay them:
 * docs/benchmarks.md, "Agent footprint"). The training run is the packaged jar, started by the launcher, probing
 * loopback servers this class starts: HTTP with body checks, HTTPS against a throw-away CA, TCP, TLS expiry and DNS,
 * with its {@code /metrics} scraped. Without a JDK 25 or later (searched: {@code VANTAGE_AOT_JAVA}, {@code
 * JAVA_HOME}, {@code /usr/lib/jvm}) the launcher is written without a cache and says so here.
 */
public final class AotTraining {
    static final int TRAINING_SECONDS = 20;
    static final int HTTPS_TARGETS = 150;
    static final int HTTP_TARGETS = 50;

    private AotTraining() {}

    /**
     * {@code args}: the module's target directory (with vantage-agent.jar), the launcher's template, and {@code true} to
     * write the launcher only.
     */
    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]).toAbsolutePath();
        Path cache = target.resolve("vantage-agent.aot");
        Files.deleteIfExists(cache);
        boolean skip = args.length > 2 && Boolean.parseBoolean(args[2]);
        Optional<Path> java = skip ? Optional.empty() : aotJava();
        writeLauncher(Path.of(args[1]), target, java.map(Path::toString).orElse("java"));
        unpackNatives(target);
        if (skip) {
            System.out.println(
                    "aot-training: skipped (vantage.aot.skip): target/vantage-agent runs without an AOT cache");
            return;
        }
        if (java.isEmpty()) {
            System.out.println("aot-training: no JDK 25 or later found (VANTAGE_AOT_JAVA, JAVA_HOME, /usr/lib/jvm): "
                    + "target/vantage-agent runs without an AOT cache");
            return;
        }
        long started = System.nanoTime();
        Vertx vertx = Vertx.vertx();
        Path work = Files.createDirectories(target.resolve("aot-training"));
        try (TestHttpServer http = TestHttpServer.plain(vertx)) {
            TestPki pki = new TestPki(work);
            try (TestHttpServer https = TestHttpServer.tls(vertx, pki.issue("train", 30, "train.vantage.test"));
                    TestDnsServer dns = TestDnsServer.start(vertx).add("train.vantage.test", "127.0.0.1")) {
                int port = Ports.free();
                Path config =
                        Files.writeString(work.resolve("agent.yaml"), config(port, http, https, dns, pki.caFile()));
                // The launcher itself, so that the training run has exactly its flags (the cache is refused when the
                // module options, the collector or the class path differ).
                ProcessBuilder launch =
                        new ProcessBuilder(target.resolve("vantage-agent").toString(), "--config", config.toString());
                launch.environment().put("VANTAGE_JAVA", java.get().toString());
                launch.environment().put("JAVA_OPTS", "-XX:AOTCacheOutput=" + cache);
                Process agent = launch.redirectErrorStream(true)
                        .redirectOutput(work.resolve("agent.log").toFile())
                        .start();
                try {
                    train(agent, port);
                } finally {
                    agent.destroy();
                }
                if (!agent.waitFor(120, TimeUnit.SECONDS) || !Files.exists(cache)) {
                    agent.destroyForcibly();
                    throw new IllegalStateException(
                            "the training run wrote no AOT cache; see " + work.resolve("agent.log"));
                }
            }
        } finally {
            vertx.close().await();
        }
        System.out.printf(
                "aot-training: %s (%.1f MB) trained with %s in %.0f s%n",
                cache, Files.size(cache) / 1e6, java.get(), (System.nanoTime() - started) / 1e9);
    }

    /** Waits for the agent to be ready, then lets it probe and scrapes its metrics for {@link #TRAINING_SECONDS}. */
    private static void train(Process agent, int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
        URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!status(client, ready, 200)) {
            if (!agent.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the training agent did not become ready");
            }
            Thread.sleep(100);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TRAINING_SECONDS);
        while (System.nanoTime() < end) {
            Thread.sleep(1_000);
            if (!status(client, metrics, 200)) {
                throw new IllegalStateException("the training agent stopped serving /metrics");
            }
        }
    }

    private static boolean status(HttpClient client, URI uri, int expected) throws InterruptedException {
        try {
            return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == expected;
        } catch (IOException e) {
            return false;
        }
    }

    private static String config(int port, TestHttpServer http, TestHttpServer https, TestDnsServer dns, Path ca) {
        StringBuilder yaml = new StringBuilder("agent: {id: aot-training, region: local}\n"
                + "server: {host: 127.0.0.1, port: " + port + "}\n"
                + "dns: {servers: ['127.0.0.1:" + dns.port() + "']}\n"
                + "targets:\n");
        for (int i = 0; i < HTTPS_TARGETS; i++) {
            yaml.append("  - {name: https-")
                    .append(i)
                    .append(", interval: 1s, http: {url: '")
                    .append(https.url("/ok").replace("127.0.0.1", "train.vantage.test"))
                    .append("', expectBody: {contains: ok}, tls: {caFile: '")
                    .append(ca)
                    .append("'}}}\n");
        }
        for (int i = 0; i < HTTP_TARGETS; i++) {
            yaml.append("  - {name: http-")
                    .append(i)
                    .append(", interval: 1s, http: {url: '")
                    .append(http.url(i % 2 == 0 ? "/json" : "/status/503"))
                    .append("', expectBody: {jsonPointer: {path: /status, equals: UP}}}}\n");
        }
        yaml.append("  - {name: tcp, interval: 1s, tcp: {host: 127.0.0.1, port: ")
                .append(http.port())
                .append("}}\n")
                .append("  - {name: tls, interval: 1s, tls: {host: 127.0.0.1, port: ")
                .append(https.port())
                .append(", serverName: train.vantage.test, caFile: '")
                .append(ca)
                .append("'}}\n")
                .append(
                        "  - {name: dns, interval: 1s, dns: {name: train.vantage.test, type: A, expectAnswer: {contains: 127.0.0.1}}}\n");
        return yaml.toString();
    }

    /** The newest JDK of feature version 25 or later: {@code VANTAGE_AOT_JAVA}, {@code JAVA_HOME}, /usr/lib/jvm/*. */
    static Optional<Path> aotJava() throws IOException {
        String explicit = System.getenv("VANTAGE_AOT_JAVA");
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(Path.of(explicit));
        }
        List<Path> homes = new ArrayList<>();
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            homes.add(Path.of(javaHome));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> listed = Files.list(jvms)) {
                listed.filter(home -> !Files.isSymbolicLink(home)).sorted().forEach(homes::add);
            }
        }
        return homes.stream()
                .filter(home -> Files.isExecutable(home.resolve("bin/java")) && feature(home) >= 25)
                .max(Comparator.comparingInt(AotTraining::feature))
                .map(home -> home.resolve("bin/java"));
    }

    /** The JDK's feature version from its {@code release} file ({@code JAVA_VERSION="25.0.1"}), or 0. */
    private static int feature(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"), StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring(13).replace("\"", "");
                    return Integer.parseInt(version.split("[.+-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /**
     * The jar's {@code META-INF/native/*.so} into {@code target/native}, which the launcher puts on {@code
     * java.library.path}: Netty loads them from there and does not copy them to {@code /tmp}, which a container's
     * tmpfs mounts {@code noexec} (Docker's default), where loading them failed and the agent fell back to the JDK's
     * TLS engine and NIO.
     */
    private static void unpackNatives(Path target) throws IOException {
        Path natives = target.resolve("native");
        if (Files.isDirectory(natives)) {
            try (Stream<Path> old = Files.list(natives)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.createDirectories(natives);
        int count = 0;
        try (ZipFile jar = new ZipFile(target.resolve("vantage-agent.jar").toFile())) {
            for (ZipEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                if (name.startsWith("META-INF/native/") && name.endsWith(".so") && name.indexOf('/', 16) < 0) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        Files.copy(in, natives.resolve(name.substring(16)));
                    }
                    count++;
                }
            }
        }
        if (count == 0) {
            throw new IllegalStateException("vantage-agent.jar holds no META-INF/native/*.so");
        }
    }

    private static void writeLauncher(Path template, Path target, String java) throws IOException {
        Path launcher = target.resolve("vantage-agent");
        Files.writeString(launcher, Files.readString(template).replace("@JAVA@", java));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
