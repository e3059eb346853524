package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.BlockedThreadWarnings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover predictions cost seconds of CPU per distinct target setting. A reload that adds 20 distinct intervals
 * once blocked an API event loop and the evaluator for about 12 s (the first GET /v1/status computed them):
 * now they are computed on a worker thread, the status answers at once without them, and Vert.x never warns
 * of a blocked thread.
 */
class NothingBlocksTheLoopTest {
    @TempDir
    Path directory;

    @Test
    void reloadWithManyDistinctSettingsBlocksNoEventLoop() throws Exception {
        String head = "server: {host: 127.0.0.1, port: 0}\n" + RunningAggregator.AGENTS + "targets:\n";
        Path file = Files.writeString(
                directory.resolve("aggregator.yaml"),
                head + "  - {name: t0, interval: 10s, tcp: {host: 127.0.0.1, port: 9}}\n");
        try (BlockedThreadWarnings blocked = new BlockedThreadWarnings();
                RunningAggregator aggregator = RunningAggregator.startFromFile(file)) {
            StringBuilder many = new StringBuilder(head);
            for (int i = 0; i < 20; i++) {
                many.append("  - {name: t")
                        .append(i)
                        .append(", interval: ")
                        .append(5 + i)
                        .append("s, timeout: 2s, tcp: {host: 127.0.0.1, port: 9}}\n");
            }
            Files.writeString(file, many);
            await("the reload")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> aggregator.aggregator().snapshot().targets().size() == 20);
            assertThat(aggregator.get("/v1/status", Map.of()).statusCode()).isEqualTo(200);

            await("all 20 predictions, computed off the loops")
                    .atMost(Duration.ofSeconds(120))
                    .until(() -> aggregator.aggregator().snapshot().targets().stream()
                            .allMatch(target -> target.expected() != null));
            assertThat(blocked.warnings()).as("Vert.x blocked-thread warnings").isEmpty();
        }
    }
}
