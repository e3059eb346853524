package io.vantage.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.status.StatusSnapshot;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Reports;
import io.vantage.wire.Documents;
import io.vantage.wire.Headers;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** POST /v1/reports and GET /v1/targets over real HTTP: authentication, limits and every kind of bad input. */
class IngestTest {
    static final String TOKEN_A = RunningAggregator.TOKENS.get("TOKEN_A");
    static final String TOKEN_B = RunningAggregator.TOKENS.get("TOKEN_B");
    /** A fresh aggregator per test: no test sees what another stored, counted or rate-limited. */
    RunningAggregator aggregator;

    @BeforeEach
    void start() {
        aggregator = RunningAggregator.start("""
                ingest: {maxClockSkew: 30s, maxRequestsPerSecond: 50}
                targets:
                  - {name: api, tcp: {host: 127.0.0.1, port: 9}}
                  - {name: db, tcp: {host: 127.0.0.1, port: 9}}
                """);
    }

    @AfterEach
    void stop() {
        aggregator.close();
    }

    static ReportBatch batch(String agent, String region, ProbeResult... results) {
        return Reports.from(agent, region).results(List.of(results)).build();
    }

    static ProbeResult ok(String target, long timestamp) {
        return ProbeResult.success(target, timestamp, null, new PhaseTimings(null, 0.001, null, null, 0.002), null);
    }

    static String json(String results) {
        return "{\"version\":1,\"agentId\":\"agent-a\",\"region\":\"us-east-1\",\"sentAt\":"
                + System.currentTimeMillis() + ",\"results\":[" + results + "]}";
    }

    @Test
    void acceptsAValidReportAndSaysWhatBecameOfEachResult() throws Exception {
        long now = System.currentTimeMillis();
        HttpResponse<String> response = aggregator.post(
                TOKEN_A, batch("agent-a", "us-east-1", ok("api", now), ok("nope", now), ok("db", now + 3_600_000)));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body())
                .isEqualTo("{\"accepted\":1,\"duplicate\":0,\"unknownTarget\":1,\"future\":1,\"noVote\":0}");
        // Every answer names the replica that gave it, so an agent can tell when one URL hides several.
        assertThat(response.headers().firstValue(Headers.REPLICA))
                .get(InstanceOfAssertFactories.STRING)
                .isNotBlank()
                .isEqualTo(aggregator
                        .get("/healthz", Map.of())
                        .headers()
                        .firstValue(Headers.REPLICA)
                        .orElseThrow());
    }

    @Test
    void aResultMeasuredWhileTheAgentRanLateIsCountedButIsNoVote() throws Exception {
        long now = System.currentTimeMillis();
        ProbeResult timedOut = ProbeResult.failure(
                "db",
                now,
                FailureReason.TIMEOUT,
                null,
                new PhaseTimings(null, 0.001, null, null, 1.0),
                null,
                "no answer within 1000ms: timed out waiting for the response");
        HttpResponse<String> late =
                aggregator.post(TOKEN_B, batch("agent-b", "eu-west-1", timedOut.overloaded("no vote: late")));
        assertThat(late.body()).contains("\"accepted\":0").contains("\"noVote\":1");

        // Nothing was kept for that probe: the same probe's real vote is new, not a duplicate.
        assertThat(aggregator
                        .post(TOKEN_B, batch("agent-b", "eu-west-1", ok("db", now)))
                        .body())
                .contains("\"accepted\":1");
        assertThat(aggregator.registry().scrape()).contains("vantage_ingest_results_total{outcome=\"no_vote\"} 1.0");
    }

    /**
     * An agent's clock 2 minutes ahead, then stepped back 10 minutes: its results are judged against the batch's own
     * sentAt and timed by their age, so none is lost as "future" or "duplicate"; a re-delivered copy still is one.
     */
    @Test
    void anAgentClockAheadOrSteppedBackLosesNoResult() throws Exception {
        long now = System.currentTimeMillis();
        long ahead = now + 120_000;
        assertThat(aggregator
                        .post(
                                TOKEN_A,
                                Reports.from("agent-a", "us-east-1")
                                        .sentAt(ahead)
                                        .result(ok("api", ahead - 2_000))
                                        .build())
                        .body())
                .as("2 minutes ahead")
                .contains("\"accepted\":1");
        long back = now - 600_000;
        assertThat(aggregator
                        .post(
                                TOKEN_A,
                                Reports.from("agent-a", "us-east-1")
                                        .sentAt(back)
                                        .result(ok("api", back))
                                        .build())
                        .body())
                .as("stepped back 10 minutes: a newer probe by the aggregator's clock")
                .contains("\"accepted\":1");
        assertThat(aggregator
                        .post(
                                TOKEN_A,
                                Reports.from("agent-a", "us-east-1")
                                        .sentAt(back + 5)
                                        .result(ok("api", back))
                                        .build())
                        .body())
                .as("the same result delivered again")
                .contains("\"duplicate\":1");
    }

    /**
     * A report whose every result is dropped does not count as hearing from the agent. The gauges follow the rounds: a
     * later report of another agent showing as heard means a round has seen the dropped one too.
     */
    @Test
    void onlyAcceptedResultsMakeAnAgentHeard() throws Exception {
        long now = System.currentTimeMillis();
        assertThat(aggregator
                        .post(
                                TOKEN_B,
                                Reports.from("agent-b", "eu-west-1")
                                        .sentAt(now)
                                        .result(ok("api", now + 60_000))
                                        .build())
                        .body())
                .contains("\"future\":1");
        aggregator.post(TOKEN_A, batch("agent-a", "us-east-1", ok("api", now)));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> aggregator
                        .registry()
                        .scrape()
                        .contains("vantage_agent_reported{agent=\"agent-a\",region=\"us-east-1\"} 1.0"));
        assertThat(aggregator.registry().scrape())
                .contains("vantage_agent_reported{agent=\"agent-b\",region=\"eu-west-1\"} 0.0")
                .doesNotContain("vantage_agent_report_age_seconds{agent=\"agent-b\",region=\"eu-west-1\"} NaN");
        aggregator.post(TOKEN_B, batch("agent-b", "eu-west-1", ok("api", now)));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> aggregator
                        .registry()
                        .scrape()
                        .contains("vantage_agent_reported{agent=\"agent-b\",region=\"eu-west-1\"} 1.0"));
    }

    @Test
    void anInstanceIdThatIsNotANameIsRefusedOnBothEndpoints() throws Exception {
        long now = System.currentTimeMillis();
        var report = aggregator.post(TOKEN_A, "pod<1>", batch("agent-a", "us-east-1", ok("api", now)));
        assertThat(report.statusCode()).isEqualTo(400);
        assertThat(report.body()).contains("Vantage-Instance").contains("pod<1>");
        var targets = aggregator.share(TOKEN_A, "p".repeat(65));
        assertThat(targets.statusCode()).isEqualTo(400);
        assertThat(targets.body()).contains("Vantage-Instance").contains("must be 1-64 characters");
        assertThat(aggregator.share(TOKEN_A, "pod-1.eu_west").statusCode()).isEqualTo(200);
    }

    @Test
    void duplicatedAndReorderedResultsKeepTheNewest() throws Exception {
        long now = System.currentTimeMillis();
        assertThat(aggregator
                        .post(TOKEN_B, batch("agent-b", "eu-west-1", ok("api", now)))
                        .body())
                .contains("\"accepted\":1");
        assertThat(aggregator
                        .post(TOKEN_B, batch("agent-b", "eu-west-1", ok("api", now)))
                        .body())
                .contains("\"duplicate\":1");
        assertThat(aggregator
                        .post(TOKEN_B, batch("agent-b", "eu-west-1", ok("api", now - 5_000)))
                        .body())
                .contains("\"duplicate\":1");
    }

    @Test
    void anAgentsClockOffsetCancelsOut() throws Exception {
        long now = System.currentTimeMillis();
        long slow = now - 120_000; // an agent whose clock is two minutes behind; its result is half a second old
        ReportBatch batch = Reports.from("agent-c", "ap-southeast-2")
                .sentAt(slow)
                .result(ok("api", slow - 500))
                .build();
        assertThat(aggregator
                        .post(RunningAggregator.TOKENS.get("TOKEN_C"), batch)
                        .body())
                .contains("\"accepted\":1");

        await().atMost(Duration.ofSeconds(5))
                .until(() -> aggregator.aggregator().snapshot().targets().stream()
                        .filter(t -> t.name().equals("api"))
                        .flatMap(t -> t.vantages().stream())
                        .anyMatch(v -> v.agentId().equals("agent-c")
                                && v.state() == StatusSnapshot.VantageState.HEALTHY
                                && v.ageSeconds() < 5));
    }

    @Test
    void authentication() throws Exception {
        ReportBatch fromA = batch("agent-a", "us-east-1", ok("api", System.currentTimeMillis()));
        assertThat(aggregator.post(null, fromA).statusCode()).isEqualTo(401);
        assertThat(aggregator.post("not-a-token-of-anyone-123456", fromA).statusCode())
                .isEqualTo(401);

        HttpResponse<String> impostor = aggregator.post(TOKEN_B, fromA);
        assertThat(impostor.statusCode()).isEqualTo(403);
        assertThat(impostor.body())
                .contains("this token belongs to agent agent-b in eu-west-1, not agent-a in us-east-1");

        HttpResponse<String> wrongRegion =
                aggregator.post(TOKEN_A, batch("agent-a", "eu-west-1", ok("api", System.currentTimeMillis())));
        assertThat(wrongRegion.statusCode()).isEqualTo(403);
    }

    @Test
    void aStreamOfForbiddenReportsLogsALineNowAndThenNotEveryTime() throws Exception {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(IngestHandler.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            ReportBatch asSomeoneElse = batch("agent-a", "us-east-1", ok("api", System.currentTimeMillis()));
            for (int i = 0; i < 20; i++) {
                assertThat(aggregator
                                .post(RunningAggregator.TOKENS.get("TOKEN_C"), asSomeoneElse)
                                .statusCode())
                        .isEqualTo(403);
            }
            assertThat(lines.list.stream()
                            .filter(line -> line.getFormattedMessage().contains("made with the token of agent-c"))
                            .count())
                    .as(
                            "403 lines logged for 20 forbidden reports within a few seconds (one per API event loop at most)")
                    .isBetween(1L, 4L);
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void badBodiesGet400NamingTheProblem() throws Exception {
        Map<String, String> cases = Map.of(
                "{\"version\":1,",
                "malformed document",
                "[".repeat(5000) + "]".repeat(5000),
                "expected a mapping",
                json("{\"target\":\"api\",\"timestamp\":\"yesterday\",\"success\":true}"),
                "results[0].timestamp: expected a whole number",
                json("{\"target\":\"api\",\"timestamp\":1,\"success\":true,\"timings\":{\"total\":NaN}}"),
                "malformed document",
                json("{\"target\":\"api\",\"timestamp\":1,\"success\":true,\"timings\":{\"connect\":-0.5}}"),
                "results[0].timings.connect: -0.5 is not a duration in seconds between 0 and 3600",
                json("{\"target\":\"api\",\"timestamp\":1,\"success\":true,\"timings\":{\"total\":1e12}}"),
                "results[0].timings.total: 1.0E12 is not a duration in seconds between 0 and 3600",
                json("{\"target\":\"api\",\"timestamp\":1,\"success\":true,\"extra\":1}"),
                "results[0].extra: unknown key",
                json("{\"target\":\"<script>\",\"timestamp\":1,\"success\":true}"),
                "results[0].target: '<script>' must be",
                "",
                "document is empty",
                "null",
                "document is JSON null; expected an object");
        for (Map.Entry<String, String> bad : cases.entrySet()) {
            HttpResponse<String> response =
                    aggregator.post(TOKEN_A, bad.getKey().getBytes(StandardCharsets.UTF_8));
            assertThat(response.statusCode())
                    .as(bad.getKey().length() > 80 ? bad.getKey().substring(0, 80) : bad.getKey())
                    .isEqualTo(400);
            assertThat(response.body()).contains(bad.getValue());
        }
    }

    /**
     * A failure whose DNS answer still holds a raw control character (an agent that does not escape what servers send):
     * the batch is refused with 400 naming the field, counted as a refused request, and nothing of it is a vote.
     */
    @Test
    void aResultWithAnUnescapedAnswerIsRefusedAndIsNoVote() throws Exception {
        long now = System.currentTimeMillis();
        HttpResponse<String> refused = aggregator.post(
                TOKEN_A,
                json("{\"target\":\"api\",\"timestamp\":" + now + ",\"success\":false,\"reason\":\"network\","
                                + "\"answers\":[\"v=1\\tkey\"]}")
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("results[0].answers[0]: 'v=1?key' contains a control character");
        assertThat(aggregator.registry().scrape())
                .contains("vantage_ingest_requests_total{code=\"400\"} 1.0")
                .doesNotContain("vantage_ingest_results_total{outcome=\"accepted\"} 1.0");
        assertThat(aggregator.aggregator().snapshot().targets().stream()
                        .filter(t -> t.name().equals("api"))
                        .flatMap(t -> t.vantages().stream())
                        .filter(v -> v.agentId().equals("agent-a"))
                        .map(v -> v.state()))
                .containsExactly(StatusSnapshot.VantageState.MISSING);
    }

    @Test
    void gzipBodiesAreDecompressedWithinTheLimitAndACorruptOneGets400() throws Exception {
        HttpClient http1 =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long now = System.currentTimeMillis();
        byte[] valid = gzip(Documents.writeJson(batch("agent-a", "us-east-1", ok("api", now))));
        assertThat(postEncoded(http1, valid, "gzip").statusCode()).isEqualTo(202);

        HttpResponse<String> corrupt =
                postEncoded(http1, "this is not gzip at all".getBytes(StandardCharsets.UTF_8), "gzip");
        assertThat(corrupt.statusCode()).isEqualTo(400);
        assertThat(corrupt.body()).contains("the gzip body could not be decompressed");

        byte[] bomb = gzip(new byte[64 * 1024 * 1024]); // 64 MiB of zeros in about 64 KiB
        assertThat(postEncoded(http1, bomb, "gzip").statusCode()).isEqualTo(413);

        assertThat(postEncoded(http1, valid, "br").statusCode()).isEqualTo(415);
    }

    private HttpResponse<String> postEncoded(HttpClient http, byte[] body, String encoding) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(aggregator.url("/v1/reports")))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .header("Authorization", "Bearer " + TOKEN_A)
                        .header("Content-Encoding", encoding)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zipped = new GZIPOutputStream(out)) {
            zipped.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void aBatchOfTenThousandResultsIsRefused() throws Exception {
        StringBuilder results = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            results.append(i == 0 ? "" : ",")
                    .append("{\"target\":\"api\",\"timestamp\":")
                    .append(i + 1)
                    .append(",\"success\":true}");
        }
        HttpResponse<String> response =
                aggregator.post(TOKEN_A, json(results.toString()).getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("results: 10000 results exceed the limit of 5000 per batch");
    }

    @Test
    void bodiesOverTheLimitGet413() throws Exception {
        byte[] huge = new byte[5 * 1024 * 1024];
        Arrays.fill(huge, (byte) ' ');
        assertThat(aggregator.post(TOKEN_A, huge).statusCode()).isEqualTo(413);
    }

    @Test
    void aSlowClientDoesNotDelayOtherAgents() throws Exception {
        try (Socket slow =
                new Socket("127.0.0.1", Integer.parseInt(aggregator.url("").replaceAll(".*:", "")))) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN_A
                            + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = slow.getInputStream();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> other =
                        aggregator.post(TOKEN_B, batch("agent-b", "eu-west-1", ok("db", System.currentTimeMillis())));
                assertThat(other.statusCode()).isEqualTo(202);
                // Judged by order, not by milliseconds: the other agent is answered while the slow request is still
                // open and unanswered, so it did not wait behind it.
                assertThat(in.available())
                        .as("the slow request is still unanswered when the other agent's is answered")
                        .isZero();
                out.write(' ');
                out.flush();
                Thread.sleep(1_000); // the slow client's pace: one byte a second
            }
            slow.setSoTimeout(15_000);
            String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(answer)
                    .as("the slow request is cut off at the body deadline")
                    .isEqualTo("HTTP/1.1 408");
        }
    }

    @Test
    void perAgentRateLimit() throws Exception {
        try (RunningAggregator limited = RunningAggregator.start(
                "ingest: {maxRequestsPerSecond: 1}\ntargets: [{name: api, tcp: {host: 127.0.0.1, port: 9}}]\n")) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(limited.post(
                                TOKEN_A, batch("agent-a", "us-east-1", ok("api", System.currentTimeMillis() + i)))
                        .statusCode());
            }
            assertThat(statuses)
                    .as("a burst of 2, then 429")
                    .startsWith(202, 202)
                    .contains(429);
            assertThat(limited.post(TOKEN_B, batch("agent-b", "eu-west-1", ok("api", System.currentTimeMillis())))
                            .statusCode())
                    .as("other agents are not affected")
                    .isEqualTo(202);
        }
    }

    @Test
    void targetsForAgentsWithETag() throws Exception {
        assertThat(aggregator.get("/v1/targets", Map.of()).statusCode()).isEqualTo(401);
        HttpResponse<String> first = aggregator.get("/v1/targets", Map.of("Authorization", "Bearer " + TOKEN_A));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"name\":\"api\"").contains("\"name\":\"db\"");
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again =
                aggregator.get("/v1/targets", Map.of("Authorization", "Bearer " + TOKEN_A, "If-None-Match", etag));
        assertThat(again.statusCode()).isEqualTo(304);
    }

    @Test
    void statusAndMetricsReflectIngest() throws Exception {
        long now = System.currentTimeMillis();
        aggregator.post(TOKEN_A, batch("agent-a", "us-east-1", ok("db", now)));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> aggregator
                        .get("/v1/status", Map.of())
                        .body()
                        .contains("\"agentId\":\"agent-a\",\"region\":\"us-east-1\",\"state\":\"healthy\""));
        String metrics = aggregator.get("/metrics", Map.of()).body();
        assertThat(metrics)
                .contains("vantage_ingest_results_total{outcome=\"accepted\"}")
                .contains("vantage_agent_report_age_seconds{agent=\"agent-a\",region=\"us-east-1\"}")
                .contains("vantage_target_vantages{state=\"healthy\",target=\"db\"}")
                .doesNotContain("vantage_target_healthy{target=\"db\"}");
        assertThat(aggregator.get("/", Map.of()).body())
                .contains("<title>vantage status</title>")
                .contains("INSUFFICIENT DATA");
    }

    @Test
    void agentsAreNotSentTheRecordBindings() throws Exception {
        try (RunningAggregator bound = RunningAggregator.start(
                "targets:\n  - {name: api, tcp: {host: 127.0.0.1, port: 9}, "
                        + "route53: {hostedZoneId: Z0SECRETZONE, recordName: api.example.com, recordType: A, setIdentifier: x}}\n")) {
            HttpResponse<String> targets = bound.get("/v1/targets", Map.of("Authorization", "Bearer " + TOKEN_A));
            assertThat(targets.statusCode()).isEqualTo(200);
            assertThat(targets.body())
                    .contains("\"api\"")
                    .doesNotContain("route53")
                    .doesNotContain("Z0SECRETZONE");
        }
    }
}
