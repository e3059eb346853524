package io.vantage.agent.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.agent.metrics.MetricNames;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.agent.testing.TestAggregator;
import io.vantage.testing.AgentYaml;
import io.vantage.testing.Ports;
import io.vantage.testing.Target;
import io.vantage.testing.TestHttpServer;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An aggregator that goes down and comes back gets the newest result per target; the buffer stays bounded. */
class PushTest {
    private static final String TOKEN = "push-test-token-0123456789";
    private static final int TARGETS = 20;

    @TempDir
    Path directory;

    @Test
    void outageKeepsOnlyTheNewestResultPerTargetAndDeliversItAfterwards() throws Exception {
        Vertx vertx = Vertx.vertx();
        int port = Ports.free();
        try (TestHttpServer endpoint = TestHttpServer.plain(vertx);
                TestAggregator aggregator = new TestAggregator(vertx, port, TOKEN).start()) {
            Files.writeString(directory.resolve("token"), TOKEN);
            AgentYaml yaml = AgentYaml.agent("agent-a", "eu-west-1")
                    .agentSetting("pushInterval", "200ms")
                    .aggregator("http://127.0.0.1:" + port, "token")
                    .server("127.0.0.1", 0);
            for (int i = 0; i < TARGETS; i++) {
                yaml.target(
                        Target.http("t" + i, endpoint.url("/ok")).interval("1s").timeout("500ms"));
            }
            Path config = yaml.write(directory.resolve("agent.yaml"));

            try (RunningAgent agent = RunningAgent.start(config)) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> aggregator.newest().size() == TARGETS);
                ReportBatch first = aggregator.batches().get(0);
                assertThat(first.agentId()).isEqualTo("agent-a");
                assertThat(first.region()).isEqualTo("eu-west-1");

                aggregator.stop();
                long downSince = System.currentTimeMillis();
                int batchesBefore = aggregator.batches().size();
                String aggregatorLabel = "127.0.0.1:" + port;
                double maxBuffered = 0;
                long until = System.currentTimeMillis() + 4_000;
                while (System.currentTimeMillis() < until) {
                    maxBuffered = Math.max(
                            maxBuffered, agent.value(MetricNames.REPORT_BUFFERED, "aggregator", aggregatorLabel));
                    Thread.sleep(50); // sampling a gauge during the outage, not waiting for a condition
                }
                // Four intervals of 1 s pass unsent: every target has a result waiting, and only one (a queue would
                // hold ~4 each).
                assertThat(maxBuffered)
                        .as("results waiting: exactly one per target")
                        .isEqualTo((double) TARGETS);
                assertThat(agent.value(MetricNames.REPORT_SUPERSEDED, "aggregator", aggregatorLabel))
                        .as("older unsent results were replaced, at least once per target")
                        .isGreaterThanOrEqualTo(TARGETS);
                assertThat(agent.value(MetricNames.REPORT_PUSH, "aggregator", aggregatorLabel, "outcome", "failure"))
                        .isPositive();

                aggregator.start();
                await().atMost(Duration.ofSeconds(45))
                        .until(() -> aggregator.batches().size() > batchesBefore);
                ReportBatch afterOutage = aggregator.batches().get(batchesBefore);
                Map<String, Long> perTarget = afterOutage.results().stream()
                        .collect(Collectors.groupingBy(ProbeResult::target, Collectors.counting()));
                assertThat(perTarget.values())
                        .as("one result per target, no backlog")
                        .allMatch(count -> count == 1);
                assertThat(afterOutage.results())
                        .as("results newer than the outage's start")
                        .allMatch(result -> result.timestamp() >= downSince - 1_000);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> aggregator.newest().values().stream()
                                .allMatch(result -> result.timestamp() > downSince));
                assertThat(aggregator.unauthorized()).isZero();
            }
        } finally {
            vertx.close().await();
        }
    }

    /**
     * A 202 that kept nothing (this agent's clock ahead, or stepped back) is not a success: the agent's votes are not
     * counted, and its own metrics say so. The body is the real aggregator's (IngestTest pins its shape).
     */
    @Test
    void anAnswerThatKeptNothingIsCountedAsIgnoredWithItsReasons() throws Exception {
        Vertx vertx = Vertx.vertx();
        int port = Ports.free();
        try (TestHttpServer endpoint = TestHttpServer.plain(vertx);
                TestAggregator aggregator = new TestAggregator(vertx, port, TOKEN)
                        .answering("{\"accepted\":0,\"duplicate\":1,\"unknownTarget\":0,\"future\":2,\"noVote\":0}")
                        .start()) {
            Files.writeString(directory.resolve("token"), TOKEN);
            Path config = Files.writeString(
                    directory.resolve("agent.yaml"),
                    "agent:\n  id: agent-a\n  region: eu-west-1\n  pushInterval: 200ms\n"
                            + "  aggregators: [{url: 'http://127.0.0.1:" + port + "', tokenFile: token}]\n"
                            + "server: {host: 127.0.0.1, port: 0}\ntargets:\n"
                            + "  - {name: t, interval: 1s, timeout: 500ms, http: {url: '" + endpoint.url("/ok")
                            + "'}}\n");
            String label = "127.0.0.1:" + port;
            try (RunningAgent agent = RunningAgent.start(config)) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() ->
                                agent.value(MetricNames.REPORT_PUSH, "aggregator", label, "outcome", "ignored") >= 2);
                assertThat(agent.value(MetricNames.REPORT_PUSH, "aggregator", label, "outcome", "success"))
                        .as("nothing kept is no success")
                        .isZero();
                assertThat(agent.value(MetricNames.REPORT_DROPPED, "aggregator", label, "reason", "future"))
                        .isGreaterThanOrEqualTo(4);
                assertThat(agent.value(MetricNames.REPORT_DROPPED, "aggregator", label, "reason", "duplicate"))
                        .isGreaterThanOrEqualTo(2);

                aggregator.answering("{\"accepted\":1,\"duplicate\":0,\"unknownTarget\":0,\"future\":0,\"noVote\":0}");
                await().atMost(Duration.ofSeconds(10))
                        .until(() ->
                                agent.value(MetricNames.REPORT_PUSH, "aggregator", label, "outcome", "success") >= 1);
            }
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void latestResultsKeepsOnePerTargetAndRestoresWithoutOverwritingNewer() {
        LatestResults buffer = new LatestResults();
        buffer.offer(ProbeResult.success("a", 1000, 200, null, null));
        buffer.offer(ProbeResult.success("b", 1000, 200, null, null));
        buffer.offer(ProbeResult.success("a", 2000, 200, null, null));
        assertThat(buffer.size()).isEqualTo(2);
        assertThat(buffer.superseded()).isEqualTo(1);

        List<ProbeResult> taken = buffer.take(10);
        assertThat(taken).extracting(ProbeResult::timestamp).containsExactly(2000L, 1000L);
        buffer.offer(ProbeResult.success("a", 3000, 200, null, null));
        buffer.restore(taken);
        assertThat(buffer.take(10))
                .extracting(ProbeResult::target, ProbeResult::timestamp)
                .containsExactlyInAnyOrder(Tuple.tuple("a", 3000L), Tuple.tuple("b", 1000L));
        buffer.offer(ProbeResult.success("x", 1000, 200, null, null));
        assertThat(buffer.retain(Set.of("y"))).isEqualTo(1);
    }

    @Test
    void aResultThatIsNoVoteNeverPushesOutAWaitingVote() {
        LatestResults buffer = new LatestResults();
        ProbeResult refused =
                ProbeResult.failure("a", 1000, FailureReason.REFUSED, null, null, null, "connection refused");
        ProbeResult timedOut = ProbeResult.failure("a", 2000, FailureReason.TIMEOUT, null, null, null, "timed out");
        buffer.offer(refused);
        buffer.offer(timedOut.overloaded("no vote: late"));
        assertThat(buffer.take(10)).containsExactly(refused);

        buffer.offer(timedOut.overloaded("no vote: late"));
        buffer.offer(ProbeResult.success("a", 3000, 200, null, null));
        assertThat(buffer.take(10)).extracting(ProbeResult::success).containsExactly(true);
    }

    /** One URL answered by two replicas in turn (a balancer): the agent counts it; one replica behind a URL counts nothing. */
    @Test
    void twoReplicasBehindOneUrlAreNoticed() throws Exception {
        Vertx vertx = Vertx.vertx();
        int balanced = Ports.free();
        int direct = Ports.free();
        try (TestHttpServer endpoint = TestHttpServer.plain(vertx);
                TestAggregator behindBalancer = new TestAggregator(vertx, balanced, TOKEN)
                        .answeringAs("aggregator-0", "aggregator-1")
                        .start();
                TestAggregator single = new TestAggregator(vertx, direct, TOKEN)
                        .answeringAs("aggregator-0")
                        .start()) {
            Files.writeString(directory.resolve("token"), TOKEN);
            Path config = Files.writeString(
                    directory.resolve("agent.yaml"),
                    "agent:\n  id: agent-a\n  region: eu-west-1\n  pushInterval: 200ms\n"
                            + "  aggregators: [{url: 'http://127.0.0.1:" + balanced
                            + "', tokenFile: token}, {url: 'http://127.0.0.1:"
                            + direct + "', tokenFile: token}]\n"
                            + "server: {host: 127.0.0.1, port: 0}\ntargets:\n"
                            + "  - {name: t, interval: 1s, timeout: 500ms, http: {url: '" + endpoint.url("/ok")
                            + "'}}\n");
            try (RunningAgent agent = RunningAgent.start(config)) {
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> behindBalancer.batches().size() >= 4
                                && single.batches().size() >= 4);
                assertThat(agent.value(MetricNames.AGGREGATOR_REPLICA_CHANGES, "aggregator", "127.0.0.1:" + balanced))
                        .as("replica changes behind the balanced URL")
                        .isGreaterThanOrEqualTo(3);
                assertThat(agent.value(MetricNames.AGGREGATOR_REPLICA_CHANGES, "aggregator", "127.0.0.1:" + direct))
                        .as("replica changes behind a URL with one replica")
                        .isZero();
            }
        } finally {
            vertx.close().await();
        }
    }
}
