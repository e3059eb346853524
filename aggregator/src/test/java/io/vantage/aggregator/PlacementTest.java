package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Reports;
import io.vantage.testing.Target;
import io.vantage.wire.report.FailureReason;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A placed target over real HTTP (agent-a in us-east-1, agent-b in eu-west-1, agent-c in ap-southeast-2): only the
 * vantage points its probeFrom names are sent it, only they count in its verdict, and the status shows the others as
 * not placed.
 */
class PlacementTest {
    private static final String TOKEN_A = RunningAggregator.TOKENS.get("TOKEN_A");
    private static final String TOKEN_B = RunningAggregator.TOKENS.get("TOKEN_B");
    private static final String TOKEN_C = RunningAggregator.TOKENS.get("TOKEN_C");

    private static final String CONFIG = """
            targets:
              - {name: public, tcp: {host: 127.0.0.1, port: 9}}
              - {name: private, tcp: {host: 127.0.0.1, port: 9}, probeFrom: [eu-west-1, agent-a], quorum: {rise: 1, fall: 1}}
            """;

    @Test
    void anAgentOutsideThePlacementIsNeverSentTheTargetAndOneInsideIs() throws Exception {
        try (RunningAggregator aggregator = RunningAggregator.start(CONFIG)) {
            HttpResponse<String> outside = targets(aggregator, TOKEN_C, null);
            assertThat(outside.statusCode()).isEqualTo(200);
            assertThat(outside.body()).contains("\"name\":\"public\"").doesNotContain("\"private\"");

            HttpResponse<String> byRegion = targets(aggregator, TOKEN_B, null);
            HttpResponse<String> byId = targets(aggregator, TOKEN_A, null);
            for (HttpResponse<String> inside : new HttpResponse[] {byRegion, byId}) {
                assertThat(inside.statusCode()).isEqualTo(200);
                assertThat(inside.body())
                        .contains("\"name\":\"public\"")
                        .contains("\"name\":\"private\"")
                        .as("the placement is the aggregator's business")
                        .doesNotContain("probeFrom");
            }
            String outsideTag = outside.headers().firstValue("ETag").orElseThrow();
            String insideTag = byRegion.headers().firstValue("ETag").orElseThrow();
            assertThat(insideTag).isNotEqualTo(outsideTag);
            assertThat(byId.headers().firstValue("ETag"))
                    .as("placed alike, one list")
                    .hasValue(insideTag);
            assertThat(targets(aggregator, TOKEN_C, outsideTag).statusCode()).isEqualTo(304);
            assertThat(targets(aggregator, TOKEN_C, insideTag).statusCode())
                    .as("another vantage point's list is not this one's")
                    .isEqualTo(200);
        }
    }

    @Test
    void onlyPlacedVantagePointsCountAndTheOthersShowAsNotPlaced() throws Exception {
        try (RunningAggregator aggregator = RunningAggregator.start(CONFIG)) {
            // a and b (placed) see it healthy; c, never sent it, is silent and is not missing: HEALTHY.
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                long now = System.currentTimeMillis();
                report(aggregator, TOKEN_A, "agent-a", "us-east-1", now, true);
                report(aggregator, TOKEN_B, "agent-b", "eu-west-1", now, true);
                return aggregator.verdict("private").equals("HEALTHY");
            });
            String status = aggregator.get("/v1/status", Map.of()).body();
            assertThat(status)
                    .contains("\"agentId\":\"agent-c\",\"region\":\"ap-southeast-2\",\"state\":\"not placed\"")
                    .contains("\"agentId\":\"agent-b\",\"region\":\"eu-west-1\",\"state\":\"healthy\"");
            assertThat(aggregator.get("/", Map.of()).body()).contains("class=\"cell not-placed\">not placed");

            // b fails it: 1 of 2 placed healthy, UNHEALTHY. c reports it healthy (as an agent still holding an old
            // list would): counted, that would make 2 of 3 healthy; it counts for nothing.
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                long now = System.currentTimeMillis();
                report(aggregator, TOKEN_A, "agent-a", "us-east-1", now, true);
                report(aggregator, TOKEN_B, "agent-b", "eu-west-1", now, false);
                report(aggregator, TOKEN_C, "agent-c", "ap-southeast-2", now, true);
                return aggregator.verdict("private").equals("UNHEALTHY");
            });
            assertThat(aggregator.get("/v1/status", Map.of()).body())
                    .as("a result from a vantage point not placed is not shown as its state")
                    .contains("\"agentId\":\"agent-c\",\"region\":\"ap-southeast-2\",\"state\":\"not placed\"");
        }
    }

    @Test
    void aReloadThatMovesThePlacementChangesWhatEachAgentIsSent(@TempDir Path directory) throws Exception {
        Map<String, Object> server = Map.of("host", "127.0.0.1", "port", 0);
        Path file = RunningAggregator.agents()
                .section("server", server)
                .target(Target.tcp("private", "127.0.0.1", 9)
                        .probeFrom("eu-west-1")
                        .quorum(1, 1))
                .write(directory.resolve("aggregator.yaml"));
        try (RunningAggregator aggregator = RunningAggregator.startFromFile(file)) {
            assertThat(targets(aggregator, TOKEN_B, null).body()).contains("\"private\"");
            assertThat(targets(aggregator, TOKEN_C, null).body()).doesNotContain("\"private\"");

            RunningAggregator.agents()
                    .section("server", server)
                    .target(Target.tcp("private", "127.0.0.1", 9)
                            .probeFrom("ap-southeast-2")
                            .quorum(1, 1))
                    .write(file);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> targets(aggregator, TOKEN_C, null).body().contains("\"private\""));
            assertThat(targets(aggregator, TOKEN_B, null).body()).doesNotContain("\"private\"");
        }
    }

    private static void report(
            RunningAggregator aggregator, String token, String agent, String region, long now, boolean healthy)
            throws Exception {
        Reports batch = Reports.from(agent, region).sentAt(now);
        HttpResponse<String> response = aggregator.post(
                token,
                (healthy
                                ? batch.success("private", now)
                                : batch.failure("private", now, FailureReason.REFUSED, "refused"))
                        .build());
        assertThat(response.statusCode()).isEqualTo(202);
    }

    private static HttpResponse<String> targets(RunningAggregator aggregator, String token, String etag)
            throws Exception {
        return etag == null
                ? aggregator.get("/v1/targets", Map.of("Authorization", "Bearer " + token))
                : aggregator.get("/v1/targets", Map.of("Authorization", "Bearer " + token, "If-None-Match", etag));
    }
}
