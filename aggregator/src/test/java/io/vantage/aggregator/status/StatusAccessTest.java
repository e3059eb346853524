package io.vantage.aggregator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Reports;
import io.vantage.testing.Target;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who reads what: without a read token, anyone reads a summary of the status (no AWS ids, record names or probe
 * messages) unless {@code anonymousStatus: full}; with one, the status, the page and {@code /metrics} need it, and
 * health probes never do.
 */
class StatusAccessTest {
    static final String READ_TOKEN = "read-token-of-the-operators-0123";
    static final Target TARGET =
            Target.tcp("api", "127.0.0.1", 9).route53("ZSECRETZONE", "api.internal.example.com", "A", "us-east-1");
    static final String SECRET_MESSAGE = "JSON /status is 'secret-from-the-body', expected 'UP'";

    @TempDir
    Path directory;

    @Test
    void anonymousReadersSeeASummaryByDefault() throws Exception {
        try (RunningAggregator aggregator = start(Map.of("host", "127.0.0.1", "port", 0))) {
            reportFailure(aggregator);
            String status = aggregator.get("/v1/status", Map.of()).body();
            assertThat(status).contains("body_mismatch", "\"verdict\"", "\"name\":\"api\"");
            assertThat(status).doesNotContain("secret-from-the-body", "ZSECRETZONE", "api.internal.example.com");
            assertThat(aggregator.get("/", Map.of()).body())
                    .contains("body_mismatch")
                    .doesNotContain("secret-from-the-body", "ZSECRETZONE", "api.internal.example.com");
            assertThat(aggregator.get("/metrics", Map.of()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anonymousReadersSeeEverythingWhenTheOperatorSaysSo() throws Exception {
        try (RunningAggregator aggregator = start(Map.of("host", "127.0.0.1", "port", 0, "anonymousStatus", "full"))) {
            reportFailure(aggregator);
            assertThat(aggregator.get("/v1/status", Map.of()).body())
                    .contains("secret-from-the-body", "ZSECRETZONE", "api.internal.example.com");
        }
    }

    @Test
    void withAReadTokenTheStatusPageAndMetricsNeedItAndShowEverything() throws Exception {
        Files.writeString(directory.resolve("read-token"), READ_TOKEN + "\n");
        try (RunningAggregator aggregator =
                start(Map.of("host", "127.0.0.1", "port", 0, "readToken", Map.of("tokenFile", "read-token")))) {
            reportFailure(aggregator);
            for (String path : List.of("/", "/v1/status", "/metrics")) {
                HttpResponse<String> refused = aggregator.get(path, Map.of());
                assertThat(refused.statusCode()).as(path + " without the token").isEqualTo(401);
                assertThat(refused.headers().firstValue("WWW-Authenticate"))
                        .as(path)
                        .isPresent();
                assertThat(refused.body()).doesNotContain("api");
                assertThat(aggregator
                                .get(path, Map.of("Authorization", "Bearer not-the-read-token-0123456"))
                                .statusCode())
                        .as(path + " with a wrong token")
                        .isEqualTo(401);
                assertThat(aggregator
                                .get(path, Map.of("Authorization", "Bearer " + READ_TOKEN))
                                .statusCode())
                        .as(path + " with the token")
                        .isEqualTo(200);
            }
            String browser = "Basic "
                    + Base64.getEncoder().encodeToString(("operator:" + READ_TOKEN).getBytes(StandardCharsets.UTF_8));
            assertThat(aggregator.get("/", Map.of("Authorization", browser)).body())
                    .contains("secret-from-the-body", "api.internal.example.com");
            assertThat(aggregator
                            .get("/v1/status", Map.of("Authorization", "Bearer " + READ_TOKEN))
                            .body())
                    .contains("secret-from-the-body", "ZSECRETZONE");
            assertThat(aggregator
                            .get(
                                    "/v1/status",
                                    Map.of("Authorization", "Bearer " + RunningAggregator.TOKENS.get("TOKEN_A")))
                            .statusCode())
                    .as("an agent's token is not a read token")
                    .isEqualTo(401);
            assertThat(aggregator.get("/healthz", Map.of()).statusCode()).isEqualTo(200);
            assertThat(aggregator.get("/readyz", Map.of()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readAccessSettingsThatCannotWorkAreRefused() throws Exception {
        Files.writeString(directory.resolve("read-token"), READ_TOKEN);
        Files.writeString(directory.resolve("agent-token"), RunningAggregator.TOKENS.get("TOKEN_A"));
        AggregatorConfigLoader loader = new AggregatorConfigLoader(RunningAggregator.TOKENS);
        assertThatThrownBy(() ->
                        loader.parse("server: {anonymousStatus: everything}\n" + RunningAggregator.AGENTS, directory))
                .hasMessageContaining("anonymousStatus")
                .hasMessageContaining("summary or full");
        assertThatThrownBy(() -> loader.parse(
                        "server: {anonymousStatus: full, readToken: {tokenFile: read-token}}\n"
                                + RunningAggregator.AGENTS,
                        directory))
                .hasMessageContaining("anonymousStatus");
        assertThatThrownBy(() -> loader.parse(
                        "server: {readToken: {tokenFile: agent-token}}\n" + RunningAggregator.AGENTS, directory))
                .hasMessageContaining("server.readToken")
                .hasMessageContaining("agent-a");
        assertThatThrownBy(() -> loader.parse(
                        "server: {readToken: {tokenFile: read-token, tokenEnv: X}}\n" + RunningAggregator.AGENTS,
                        directory))
                .hasMessageContaining("exactly one of tokenFile and tokenEnv");
        assertThatThrownBy(() -> loader.parse(
                        "server: {readToken: {tokenFile: missing}}\n" + RunningAggregator.AGENTS, directory))
                .hasMessageContaining("server.readToken.tokenFile");
    }

    private RunningAggregator start(Map<String, Object> server) {
        Path file = RunningAggregator.agents()
                .section("server", server)
                .target(TARGET)
                .write(directory.resolve("aggregator.yaml"));
        return RunningAggregator.startFromFile(file);
    }

    private static void reportFailure(RunningAggregator aggregator) throws Exception {
        long now = System.currentTimeMillis();
        ProbeResult failed =
                ProbeResult.failure("api", now, FailureReason.BODY_MISMATCH, 200, null, null, SECRET_MESSAGE);
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
                .until(() -> aggregator
                        .aggregator()
                        .snapshot()
                        .targets()
                        .get(0)
                        .vantages()
                        .get(0)
                        .state()
                        .equals(StatusSnapshot.VantageState.UNHEALTHY));
    }
}
