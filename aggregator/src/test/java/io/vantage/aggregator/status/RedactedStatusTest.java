package io.vantage.aggregator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Reports;
import io.vantage.testing.Target;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With server.redactMessages, the status JSON and page (no login needed) carry no probe message, only its reason. */
class RedactedStatusTest {
    @TempDir
    Path directory;

    @Test
    void messagesStayOutOfTheStatus() throws Exception {
        Path file = RunningAggregator.agents()
                .section("server", Map.of("host", "127.0.0.1", "port", 0, "redactMessages", true))
                .target(Target.tcp("api", "127.0.0.1", 9))
                .write(directory.resolve("aggregator.yaml"));
        try (RunningAggregator aggregator = RunningAggregator.startFromFile(file)) {
            long now = System.currentTimeMillis();
            ProbeResult failed = ProbeResult.failure(
                    "api",
                    now,
                    FailureReason.BODY_MISMATCH,
                    200,
                    null,
                    null,
                    "JSON /status is 'secret-from-the-body', expected 'UP'");
            assertThat(aggregator
                            .post(
                                    RunningAggregator.TOKENS.get("TOKEN_A"),
                                    Reports.from("agent-a", "us-east-1")
                                            .sentAt(now)
                                            .result(failed)
                                            .build())
                            .statusCode())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> aggregator.get("/v1/status", Map.of()).body().contains("body_mismatch"));

            assertThat(aggregator.get("/v1/status", Map.of()).body()).doesNotContain("secret-from-the-body");
            assertThat(aggregator.get("/", Map.of()).body())
                    .contains("body_mismatch")
                    .doesNotContain("secret-from-the-body");
        }
    }
}
