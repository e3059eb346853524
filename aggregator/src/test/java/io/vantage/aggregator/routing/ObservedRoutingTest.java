package io.vantage.aggregator.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A running aggregator fed over HTTP by three agents (their reports written by the test): where DNS sends each vantage
 * point for an observed name, and the failover and failback observed after the verdict changes. The targets are probed
 * by host name, as in the field: what each stands for is learned from the addresses the agents report connecting to.
 */
class ObservedRoutingTest {
    private static final String OBSERVED = "observe-api.example.com-a";
    private static final String[][] AGENTS = {
        {"agent-a", "us-east-1", "TOKEN_A"},
        {"agent-b", "eu-west-1", "TOKEN_B"},
        {"agent-c", "ap-southeast-2", "TOKEN_C"}
    };
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());

    private void report(RunningAggregator aggregator, boolean oneHealthy, String... answers) throws Exception {
        for (int i = 0; i < AGENTS.length; i++) {
            long at = Math.max(clock.incrementAndGet(), System.currentTimeMillis());
            clock.set(at);
            PhaseTimings timings = new PhaseTimings(null, null, null, null, 0.002);
            ProbeResult one = oneHealthy
                    ? ProbeResult.success("api-one", at, 200, timings, null)
                    : ProbeResult.failure("api-one", at, FailureReason.HTTP_STATUS, 503, timings, null, "503");
            List<ProbeResult> results = List.of(
                    one.withAddress("127.0.0.2"),
                    ProbeResult.success("api-two", at, 200, timings, null).withAddress("127.0.0.3"),
                    ProbeResult.success(OBSERVED, at, null, timings, null).withAnswers(List.of(answers[i]), List.of()));
            assertThat(aggregator
                            .post(
                                    RunningAggregator.TOKENS.get(AGENTS[i][2]),
                                    new ReportBatch(1, AGENTS[i][0], AGENTS[i][1], at, results))
                            .statusCode())
                    .isEqualTo(202);
        }
    }

    private static JsonNode status(RunningAggregator aggregator) throws Exception {
        return new ObjectMapper()
                .readTree(aggregator.get("/v1/status", Map.of()).body());
    }

    @Test
    void routingIsObservedAndFailoverAndFailbackAreTimed() throws Exception {
        String quorum = "quorum: {minVantages: 2, healthy: 2, rise: 1, fall: 1, confirm: 1}";
        try (RunningAggregator aggregator = RunningAggregator.start("targets:\n"
                + "  - {name: api-one, http: {url: 'http://api-one.test:8080/health'}, " + quorum + "}\n"
                + "  - {name: api-two, http: {url: 'http://api-two.test:8080/health'}, " + quorum + "}\n"
                + "observe: [{name: api.example.com, type: A, interval: 1s}]\n")) {
            // Agents are sent the observed name as a dns target, without any record binding.
            assertThat(aggregator
                            .get(
                                    "/v1/targets",
                                    Map.of("Authorization", "Bearer " + RunningAggregator.TOKENS.get("TOKEN_A")))
                            .body())
                    .contains("\"name\":\"" + OBSERVED + "\"")
                    .contains("\"dns\":{\"name\":\"api.example.com\"");

            // Latency routing: two regions are sent to api-one, the third to api-two.
            report(aggregator, true, "127.0.0.2", "127.0.0.2", "127.0.0.3");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> aggregator.verdict("api-one").equals("HEALTHY")
                            && status(aggregator).at("/routing/0/vantages").size() == 3);
            JsonNode routes = status(aggregator).at("/routing/0/vantages");
            assertThat(routes.findValuesAsText("region")).containsExactly("ap-southeast-2", "eu-west-1", "us-east-1");
            assertThat(routes.get(0).get("targets").toString()).isEqualTo("[\"api-two\"]");
            assertThat(routes.get(1).get("targets").toString()).isEqualTo("[\"api-one\"]");
            assertThat(aggregator.get("/metrics", Map.of()).body())
                    .contains("vantage_route_vantages{name=\"api.example.com\",target=\"api-one\"} 2.0")
                    .contains("vantage_route_vantages{name=\"api.example.com\",target=\"api-two\"} 1.0");

            // api-one fails: the verdict turns UNHEALTHY while DNS still sends two regions there.
            report(aggregator, false, "127.0.0.2", "127.0.0.2", "127.0.0.3");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> aggregator.verdict("api-one").equals("UNHEALTHY"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            status(aggregator).at("/failovers/0/kind").asText().equals("failover"));
            assertThat(status(aggregator).at("/failovers/0/seconds").isMissingNode())
                    .as("not yet: DNS has not moved")
                    .isTrue();
            long movedAfter = System.currentTimeMillis();

            // DNS moves every region to api-two: the failover is observed, and timed from the verdict.
            report(aggregator, false, "127.0.0.3", "127.0.0.3", "127.0.0.3");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> status(aggregator).at("/failovers/0/seconds").isNumber());
            JsonNode failover = status(aggregator).at("/failovers/0");
            assertThat(failover.get("target").asText()).isEqualTo("api-one");
            assertThat(failover.get("seconds").asDouble())
                    .isPositive()
                    .isLessThanOrEqualTo((System.currentTimeMillis()
                                    - failover.get("startedAt").asLong())
                            / 1000.0);
            assertThat(failover.get("startedAt").asLong()).isLessThanOrEqualTo(movedAfter);
            assertThat(aggregator.get("/metrics", Map.of()).body())
                    .contains("vantage_observed_failover_seconds_count{kind=\"failover\"} 1")
                    .contains("vantage_route_vantages{name=\"api.example.com\",target=\"api-one\"} 0.0");

            // Repaired: HEALTHY again, and the failback is timed until a region is sent back.
            report(aggregator, true, "127.0.0.3", "127.0.0.3", "127.0.0.3");
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            status(aggregator).at("/failovers/0/kind").asText().equals("failback"));
            report(aggregator, true, "127.0.0.2", "127.0.0.3", "127.0.0.3");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> status(aggregator).at("/failovers/0/seconds").isNumber());
            assertThat(aggregator.get("/metrics", Map.of()).body())
                    .contains("vantage_observed_failover_seconds_count{kind=\"failback\"} 1");
            assertThat(aggregator.get("/", Map.of()).body())
                    .contains("Where DNS sends each vantage point")
                    .contains("us-east-1: api-one")
                    .contains("api-one: failback observed in")
                    .contains("api-one: failover observed in");
        }
    }
}
