package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent started with SIGHUP ignored (as under nohup) says at start that kill -HUP will not reload it. */
class SighupIgnoredIT {
    private static final Path AGENT_JAR = Path.of("../agent/target/vantage-agent.jar");

    @TempDir
    Path directory;

    @Test
    void anIgnoredSighupIsReportedAtStart() throws Exception {
        assertThat(AGENT_JAR)
                .as("the agent jar (built by the agent module's package phase)")
                .exists();
        Path config = Files.writeString(
                directory.resolve("agent.yaml"),
                "server: {host: 127.0.0.1, port: 0}\ntargets:\n  - {name: t, tcp: {host: 127.0.0.1, port: 9}}\n");
        Path log = directory.resolve("agent.log");
        Process agent = new ProcessBuilder(
                        "sh", "-c", "trap '' HUP; exec java -jar " + AGENT_JAR.toAbsolutePath() + " --config " + config)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            // Waits for the warning itself: the "schedule: … probe loops" line comes before the watcher starts.
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(Files.readString(log))
                            .contains("SIGHUP is ignored by this process (started under nohup?)"));
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
