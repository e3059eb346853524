package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.testing.Ports;
import io.vantage.testing.TestHttpServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's launcher as the build writes it ({@code agent/target/vantage-agent}): with the AOT cache the build trained
 * (this machine has a JDK 25: CI fails here if the build found none), the JVM must accept the cache ({@code
 * -XX:AOTMode=on} makes a refused cache an error at start) and the agent must probe; with another java it runs without
 * the cache.
 */
class LauncherIT {
    private static final Path TARGET = Repository.root().resolve("agent/target");
    private static Vertx vertx;
    private static TestHttpServer endpoint;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEndpoint() {
        vertx = Vertx.vertx();
        endpoint = TestHttpServer.plain(vertx);
    }

    @AfterAll
    static void stopEndpoint() {
        endpoint.close();
        vertx.close().await();
    }

    @Test
    void theLauncherRunsTheAgentWithTheCacheTheBuildTrained() throws Exception {
        Path launcher = TARGET.resolve("vantage-agent");
        assertThat(launcher)
                .as("the launcher (written by the agent module's package phase)")
                .isExecutable();
        assertThat(TARGET.resolve("vantage-agent.aot"))
                .as("the AOT cache: the build found no JDK 25 or later (VANTAGE_AOT_JAVA, JAVA_HOME, /usr/lib/jvm), or "
                        + "ran with -Dvantage.aot.skip=true; see the agent module's build output")
                .exists();
        int port = Ports.free();
        ProcessBuilder builder = new ProcessBuilder(
                        launcher.toString(), "--config", config(port).toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile());
        builder.environment().put("JAVA_OPTS", "-XX:AOTMode=on");
        Process agent = builder.start();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !agent.isAlive() || status("http://127.0.0.1:" + port + "/readyz") == 200);
            String log = Files.readString(dir.resolve("agent.log"));
            assertThat(agent.isAlive())
                    .as("the agent runs; its output:\n%s", log)
                    .isTrue();
            String commandLine = Files.readString(Path.of("/proc/" + agent.pid() + "/cmdline"))
                    .replace('\0', ' ');
            assertThat(commandLine)
                    .contains("-XX:AOTCache=" + TARGET.toRealPath().resolve("vantage-agent.aot"))
                    .contains("-XX:+UseSerialGC", "-Xms8m", "-XX:MaxRAMPercentage=50", "-jar");
            assertThat(log).as("no warning from the JVM about the cache").doesNotContain("[warning]", "[error");
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.requests() > 0);
        } finally {
            agent.destroy();
            agent.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anotherJavaRunsTheAgentWithoutTheCache() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder =
                new ProcessBuilder(TARGET.resolve("vantage-agent").toString(), "--version").redirectErrorStream(true);
        builder.environment().put("VANTAGE_JAVA", java.toString());
        builder.environment().put("VANTAGE_HEAP", "64m");
        Process version = builder.start();
        String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(version.waitFor()).as(output).isZero();
        assertThat(output).startsWith("vantage-agent ").doesNotContain("aot");
    }

    private Path config(int port) throws IOException {
        return Files.writeString(
                dir.resolve("agent.yaml"),
                "agent: {id: launcher, region: local}\nserver: {host: 127.0.0.1, port: " + port + "}\ntargets:\n"
                        + "  - {name: web, interval: 1s, http: {url: '" + endpoint.url("/ok") + "'}}\n");
    }

    private static int status(String url) throws InterruptedException {
        try {
            return HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        }
    }
}
