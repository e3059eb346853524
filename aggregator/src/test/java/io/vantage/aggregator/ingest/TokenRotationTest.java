package io.vantage.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Reports;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotating an agent's token without dropping results: while the aggregator lists a previous token, both are accepted
 * for that agent (and only for it); once the previous one is removed from the config, it is refused.
 */
class TokenRotationTest {
    private static final String OLD = "old-token-of-agent-a-0123456789";
    private static final String NEW = "new-token-of-agent-a-0123456789";
    private static final String OTHER = "token-of-agent-b-0123456789-xyz";

    @TempDir
    Path directory;

    private static ReportBatch from(String agent, String region) {
        long now = System.currentTimeMillis();
        return Reports.from(agent, region)
                .sentAt(now)
                .result(ProbeResult.success("api", now, null, new PhaseTimings(null, 0.001, null, null, 0.002), null))
                .build();
    }

    private Path config(boolean rotating) throws Exception {
        return Files.writeString(
                directory.resolve("aggregator.yaml"),
                "server: {host: 127.0.0.1, port: 0}\n"
                        + "agents:\n"
                        + "  - {id: agent-a, region: us-east-1, tokenFile: token-a"
                        + (rotating ? ", previousTokenFile: token-a-previous" : "") + "}\n"
                        + "  - {id: agent-b, region: eu-west-1, tokenFile: token-b}\n"
                        + "targets:\n  - {name: api, tcp: {host: 127.0.0.1, port: 9}}\n");
    }

    @Test
    void bothTokensAreAcceptedDuringARotationAndTheOldOneIsRefusedAfter() throws Exception {
        Files.writeString(directory.resolve("token-a"), NEW);
        Files.writeString(directory.resolve("token-a-previous"), OLD);
        Files.writeString(directory.resolve("token-b"), OTHER);
        Path file = config(true);
        try (RunningAggregator aggregator = RunningAggregator.startFromFile(file)) {
            assertThat(aggregator.post(OLD, from("agent-a", "us-east-1")).statusCode())
                    .as("previous token")
                    .isEqualTo(202);
            assertThat(aggregator.post(NEW, from("agent-a", "us-east-1")).statusCode())
                    .as("new token")
                    .isEqualTo(202);
            assertThat(aggregator.post(OLD, from("agent-b", "eu-west-1")).statusCode())
                    .as("agent-a's previous token reporting as agent-b")
                    .isEqualTo(403);
            assertThat(aggregator.post(OTHER, from("agent-b", "eu-west-1")).statusCode())
                    .isEqualTo(202);

            config(false); // rotation done: the aggregator reloads its file
            await().atMost(Duration.ofSeconds(15))
                    .until(() ->
                            aggregator.post(OLD, from("agent-a", "us-east-1")).statusCode() == 401);
            assertThat(aggregator.post(NEW, from("agent-a", "us-east-1")).statusCode())
                    .isEqualTo(202);
        }
    }
}
