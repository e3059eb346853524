package io.vantage.aggregator.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Reports;
import io.vantage.testing.Target;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import io.vantage.wire.target.FailoverSpec;
import io.vantage.wire.target.QuorumSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * A running aggregator fed over HTTP by three agents (their reports written by the test, every 300 ms, as agents keep
 * observing): where DNS sends each vantage point for an observed name, and the failover and failback observed after
 * the verdict changes. The targets are probed by host name, as in the field: what each stands for is learned from the
 * addresses the agents report connecting to.
 */
class ObservedRoutingTest {
    private static final String OBSERVED = "observe-api.example.com-a";
    private static final String ONE = "127.0.0.2";
    private static final String TWO = "127.0.0.3";
    private static final String[][] AGENTS = {
        {"agent-a", "us-east-1", "TOKEN_A"},
        {"agent-b", "eu-west-1", "TOKEN_B"},
        {"agent-c", "ap-southeast-2", "TOKEN_C"}
    };
    // One-second picks (the TTL and the observation interval): a target must stay out of the answers for 10 s.
    private static final String CONFIG = AggregatorYaml.aggregator()
            .target(observedTarget("api-one"))
            .target(observedTarget("api-two"))
            .section("observe", List.of(Map.of("name", "api.example.com", "type", "A", "interval", "1s")))
            .yaml();

    private static Target observedTarget(String name) {
        return Target.http(name, "http://" + name + ".test:8080/health")
                .quorum(new QuorumSpec(2, 2, 1, 1, null, 1, null))
                .failover(new FailoverSpec(Duration.ofSeconds(1)));
    }

    /** Three agents reporting every 300 ms: api-one's health and each one's answer for the observed name. */
    private static final class Agents implements AutoCloseable {
        private final RunningAggregator aggregator;
        private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
        private final AtomicLong clock = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean oneHealthy = true;
        private volatile IntFunction<String> answer;

        Agents(RunningAggregator aggregator, IntFunction<String> answer) {
            this.aggregator = aggregator;
            this.answer = answer;
            reporter.scheduleWithFixedDelay(this::reportOrRemember, 0, 300, TimeUnit.MILLISECONDS);
        }

        /** From now on, agent i's resolver answers {@code answer.apply(i)}. */
        void answer(IntFunction<String> answer) {
            this.answer = answer;
        }

        void oneHealthy(boolean healthy) {
            oneHealthy = healthy;
        }

        private void reportOrRemember() {
            try {
                report();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }

        private void report() throws Exception {
            for (int i = 0; i < AGENTS.length; i++) {
                long at = clock.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis()));
                PhaseTimings timings = new PhaseTimings(null, null, null, null, 0.002);
                ProbeResult one = oneHealthy
                        ? ProbeResult.success("api-one", at, 200, timings, null)
                        : ProbeResult.failure("api-one", at, FailureReason.HTTP_STATUS, 503, timings, null, "503");
                ReportBatch batch = Reports.from(AGENTS[i][0], AGENTS[i][1])
                        .sentAt(at)
                        .result(one.withAddress(ONE))
                        .result(ProbeResult.success("api-two", at, 200, timings, null)
                                .withAddress(TWO))
                        .result(ProbeResult.success(OBSERVED, at, null, timings, null)
                                .withAnswers(List.of(answer.apply(i)), List.of()))
                        .build();
                int status = aggregator
                        .post(RunningAggregator.TOKENS.get(AGENTS[i][2]), batch)
                        .statusCode();
                if (status != 202) {
                    throw new AssertionError("report of " + AGENTS[i][0] + " answered " + status);
                }
            }
        }

        @Override
        public void close() throws Exception {
            reporter.shutdown(); // a report under way finishes (interrupting it would fail it), no other starts
            assertThat(reporter.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(failure.get()).as("every report accepted").isNull();
        }
    }

    private static JsonNode status(RunningAggregator aggregator) throws Exception {
        return new ObjectMapper()
                .readTree(aggregator.get("/v1/status", Map.of()).body());
    }

    /** The failover (failback) of api-one in /v1/status, or a missing node. */
    private static JsonNode event(RunningAggregator aggregator, String kind) throws Exception {
        for (JsonNode event : status(aggregator).at("/failovers")) {
            if (event.get("target").asText().equals("api-one")
                    && event.get("kind").asText().equals(kind)) {
                return event;
            }
        }
        return status(aggregator).at("/missing");
    }

    @Test
    void routingIsObservedAndFailoverAndFailbackAreTimed() throws Exception {
        try (RunningAggregator aggregator = RunningAggregator.start(CONFIG);
                // Latency routing: two regions are sent to api-one, the third to api-two.
                Agents agents = new Agents(aggregator, i -> i < 2 ? ONE : TWO)) {
            // Agents are sent the observed name as a dns target, without any record binding.
            assertThat(aggregator
                            .get(
                                    "/v1/targets",
                                    Map.of("Authorization", "Bearer " + RunningAggregator.TOKENS.get("TOKEN_A")))
                            .body())
                    .contains("\"name\":\"" + OBSERVED + "\"")
                    .contains("\"dns\":{\"name\":\"api.example.com\"");

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
            agents.oneHealthy(false);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> event(aggregator, "failover").isObject());
            assertThat(event(aggregator, "failover").at("/seconds").isMissingNode())
                    .as("not yet: DNS has not moved")
                    .isTrue();
            long movedAt = System.currentTimeMillis();

            // DNS moves every region to api-two: once that has lasted, the failover is observed, timed from the
            // verdict until DNS moved.
            agents.answer(i -> TWO);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> event(aggregator, "failover").at("/seconds").isNumber());
            long observedAt = System.currentTimeMillis();
            JsonNode failover = event(aggregator, "failover");
            assertThat(failover.get("seconds").asDouble() * 1000
                            + failover.get("startedAt").asLong())
                    .as("when DNS moved")
                    .isBetween(movedAt - 1000.0, movedAt + 3000.0);
            assertThat(observedAt - movedAt)
                    .as("observed once api-one had stayed out of the answers for at least 3 picks of 1 s")
                    .isGreaterThanOrEqualTo(3_000);
            assertThat(aggregator.get("/metrics", Map.of()).body())
                    .contains("vantage_observed_failover_seconds_count{kind=\"failover\"} 1")
                    .contains("vantage_route_vantages{name=\"api.example.com\",target=\"api-one\"} 0.0");

            // Repaired: HEALTHY again, and the failback is timed until a region is sent back.
            agents.oneHealthy(true);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> event(aggregator, "failback").isObject());
            agents.answer(i -> i == 0 ? ONE : TWO);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> event(aggregator, "failback").at("/seconds").isNumber());
            assertThat(aggregator.get("/metrics", Map.of()).body())
                    .contains("vantage_observed_failover_seconds_count{kind=\"failback\"} 1");
            assertThat(aggregator.get("/", Map.of()).body())
                    .contains("Where DNS sends each vantage point")
                    .contains("us-east-1: api-one")
                    .containsPattern("api-one: failback after the verdict of \\d\\d:\\d\\d:\\d\\d: observed in")
                    .containsPattern("api-one: failover after the verdict of \\d\\d:\\d\\d:\\d\\d: observed in");
        }
    }

    /**
     * A weighted 50/50 name (a random answer per query, seeded): while Route 53 still answers with api-one, answers of
     * api-two alone are chance, however many vantage points get them at once; the failover is observed only once
     * api-one has stayed out of every answer long enough, and timed from when it did.
     */
    @Test
    void aWeightedNameIsFailedOverOnlyWhenTheTargetLeavesItsAnswers() throws Exception {
        Random random = new Random(4);
        IntFunction<String> weighted = i -> random.nextBoolean() ? ONE : TWO;
        try (RunningAggregator aggregator = RunningAggregator.start(CONFIG);
                Agents agents = new Agents(aggregator, weighted)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> aggregator.verdict("api-one").equals("HEALTHY")
                            && status(aggregator).at("/routing/0/vantages").size() == 3);
            Thread.sleep(12_000); // a history of random answers, longer than the 10 s lookback

            // api-one fails while agent-a's picks happen to be api-one, so that a failover is opened to be timed.
            agents.answer(i -> i == 0 ? ONE : weighted.apply(i));
            agents.oneHealthy(false);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> event(aggregator, "failover").isObject());
            agents.answer(weighted);
            long randomSince = System.currentTimeMillis();
            // Route 53 keeps answering at random: every vantage point gets api-two now and then, which is no failover.
            while (System.currentTimeMillis() - randomSince < 6_000) {
                assertThat(event(aggregator, "failover").at("/seconds").isMissingNode())
                        .as("observed %s ms into random answers", System.currentTimeMillis() - randomSince)
                        .isTrue();
                Thread.sleep(100); // sampling: no failover may be observed at any point of these 6 s
            }

            // Route 53 stops answering with api-one.
            long movedAt = System.currentTimeMillis();
            agents.answer(i -> TWO);
            await().atMost(Duration.ofSeconds(40))
                    .until(() -> event(aggregator, "failover").at("/seconds").isNumber());
            JsonNode failover = event(aggregator, "failover");
            assertThat(failover.get("seconds").asDouble() * 1000
                            + failover.get("startedAt").asLong())
                    .as("when the answers left api-one for good: after Route 53's change, but for a chance run")
                    .isBetween(movedAt - 2000.0, movedAt + 3000.0);
            assertThat(aggregator.get("/metrics", Map.of()).body())
                    .contains("vantage_observed_failover_seconds_count{kind=\"failover\"} 1");
        }
    }
}
