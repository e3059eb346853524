package io.vantage.aggregator.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Reports;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ReportBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Replicas share nothing: fed the same reports they agree, and a restarted one is right again within a freshness window. */
class ReplicaTest {
    private static final String CONFIG = """
            targets:
              - {name: up, interval: 1s, timeout: 500ms, tcp: {host: 127.0.0.1, port: 9}, quorum: {minVantages: 2, healthy: 2, rise: 2, fall: 2}}
              - {name: down, interval: 1s, timeout: 500ms, tcp: {host: 127.0.0.1, port: 9}, quorum: {minVantages: 2, healthy: 2, rise: 2, fall: 2}}
            """;
    private static final String[][] AGENTS = {
        {"agent-a", "us-east-1", "TOKEN_A"},
        {"agent-b", "eu-west-1", "TOKEN_B"},
        {"agent-c", "ap-southeast-2", "TOKEN_C"}
    };

    /**
     * Every 300 ms each agent reports "up" healthy and "down" failing, to every replica in the list; {@code rounds}
     * counts, per replica, the rounds it accepted from all three agents. A fixed delay, not a fixed rate: a round held
     * up is not followed by a burst of others.
     */
    private static ScheduledExecutorService feed(
            List<RunningAggregator> replicas,
            Map<RunningAggregator, AtomicInteger> rounds,
            AtomicBoolean failuresSeen) {
        ScheduledExecutorService feeder = Executors.newSingleThreadScheduledExecutor();
        feeder.scheduleWithFixedDelay(
                () -> {
                    long now = System.currentTimeMillis();
                    Map<RunningAggregator, Integer> accepted = new HashMap<>();
                    for (String[] agent : AGENTS) {
                        ReportBatch batch = Reports.from(agent[0], agent[1])
                                .sentAt(now)
                                .success("up", now)
                                .failure("down", now, FailureReason.REFUSED, "refused")
                                .build();
                        for (RunningAggregator replica : List.copyOf(replicas)) {
                            try {
                                if (replica.post(RunningAggregator.TOKENS.get(agent[2]), batch)
                                                .statusCode()
                                        == 202) {
                                    accepted.merge(replica, 1, Integer::sum);
                                } else {
                                    failuresSeen.set(true);
                                }
                            } catch (Exception e) {
                                // a replica being restarted refuses connections; the others keep being fed
                            }
                        }
                    }
                    accepted.forEach((replica, batches) -> {
                        if (batches == AGENTS.length) {
                            rounds.computeIfAbsent(replica, r -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    });
                },
                0,
                300,
                TimeUnit.MILLISECONDS);
        return feeder;
    }

    @Test
    void twoReplicasAgreeAndARestartedReplicaRecoversWithinAFreshnessWindow() throws Exception {
        List<RunningAggregator> replicas = new CopyOnWriteArrayList<>();
        replicas.add(RunningAggregator.start(CONFIG));
        replicas.add(RunningAggregator.start(CONFIG));
        Map<RunningAggregator, AtomicInteger> rounds = new ConcurrentHashMap<>();
        AtomicBoolean rejected = new AtomicBoolean();
        ScheduledExecutorService feeder = feed(replicas, rounds, rejected);
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> replicas.stream()
                            .allMatch(r -> r.verdict("up").equals("HEALTHY")
                                    && r.verdict("down").equals("UNHEALTHY")));

            RunningAggregator killed = replicas.remove(1);
            killed.close();
            long restartedAt = System.nanoTime();
            RunningAggregator restarted = RunningAggregator.start(CONFIG);
            assertThat(restarted.verdict("up"))
                    .as("a fresh replica knows nothing yet")
                    .isEqualTo("INSUFFICIENT_DATA");
            replicas.add(restarted);

            List<String> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        seen.add(restarted.verdict("up") + "/" + restarted.verdict("down"));
                        return restarted.verdict("up").equals("HEALTHY")
                                && restarted.verdict("down").equals("UNHEALTHY");
                    });
            Duration recovery = Duration.ofNanos(System.nanoTime() - restartedAt);
            int roundsToRecover =
                    rounds.getOrDefault(restarted, new AtomicInteger()).get();
            System.out.printf(
                    "restarted replica right after %d report rounds, %d ms after its start%n",
                    roundsToRecover, recovery.toMillis());
            // Counted in reports, not milliseconds: a start-up slowed down by a busy machine delays the first report,
            // not the evidence needed. A freshness window (3 x 1 s) holds 10 rounds at 300 ms.
            assertThat(roundsToRecover)
                    .as("right within the rounds of one freshness window")
                    .isLessThanOrEqualTo(10);
            assertThat(seen)
                    .as("no spurious verdict on the way: only insufficient data, then the right verdicts")
                    .allMatch(pair -> pair.matches("(INSUFFICIENT_DATA|HEALTHY)/(INSUFFICIENT_DATA|UNHEALTHY)"));
            assertThat(replicas.get(0).verdict("up")).isEqualTo("HEALTHY");
            assertThat(rejected.get()).isFalse();
        } finally {
            feeder.shutdownNow();
            replicas.forEach(RunningAggregator::close);
        }
    }
}
