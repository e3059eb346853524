package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.BlockedThreadWarnings;
import io.vantage.testing.Reports;
import io.vantage.testing.Target;
import io.vantage.wire.Limits;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover predictions cost seconds of CPU per distinct target setting. A reload that adds 20 distinct intervals
 * once blocked an API event loop and the evaluator for about 12 s (the first GET /v1/status computed them):
 * now they are computed on a worker thread, the status answers at once without them, and Vert.x never warns
 * of a blocked thread.
 */
class NothingBlocksTheLoopIT {
    static final long STRICT_MILLIS = 500;

    @TempDir
    Path directory;

    @Test
    void reloadWithManyDistinctSettingsBlocksNoEventLoop() throws Exception {
        Path file = loopback()
                .target(Target.tcp("t0", "127.0.0.1", 9).interval("10s"))
                .write(directory.resolve("aggregator.yaml"));
        try (BlockedThreadWarnings blocked = new BlockedThreadWarnings();
                RunningAggregator aggregator = RunningAggregator.startFromFile(file)) {
            AggregatorYaml many = loopback();
            for (int i = 0; i < 20; i++) {
                many.target(Target.tcp("t" + i, "127.0.0.1", 9)
                        .interval((5 + i) + "s")
                        .timeout("2s"));
            }
            many.write(file);
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

    /** The guard the tests here rely on hears a blocked event loop (it once listened under a name Vert.x 5 left). */
    @Test
    void theGuardHearsABlockedEventLoop() throws Exception {
        try (BlockedThreadWarnings blocked = new BlockedThreadWarnings()) {
            Vertx vertx = Vertx.vertx(strict());
            try {
                vertx.runOnContext(block -> pause(STRICT_MILLIS * 3));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> !blocked.warnings().isEmpty());
                assertThat(blocked.warnings().get(0)).contains("has been blocked for");
            } finally {
                vertx.close().await();
            }
        }
    }

    /**
     * 20,000 targets once held the evaluator's event loop when their verdicts first came (a gauge registered per target,
     * a log line per change) and after every reload (the failover predictions written into a multi-gauge of 60,000
     * rows): once the aggregator has evaluated its first rounds, nothing that grows with the targets runs on an event
     * loop for longer than {@link #STRICT_MILLIS} (Vert.x's own limit is 2 s) as every target gets its verdict, through
     * a reload and its predictions, and the reload changes no verdict. The start before that (the first evaluations of
     * a cold JIT, the config's first application) is measured by AggregatorBenchmark.
     */
    @Test
    void aLargeFleetStartsAndReloadsWithoutBlockingAnEventLoop() throws Exception {
        int count = 20_000;
        AggregatorYaml targets = loopback();
        for (int i = 0; i < count; i++) {
            targets.target(Target.tcp("t" + i, "127.0.0.1", 9).interval("10s"));
        }
        Path file = targets.write(directory.resolve("aggregator.yaml"));
        try (BlockedThreadWarnings blocked = new BlockedThreadWarnings();
                RunningAggregator aggregator = RunningAggregator.startFromFile(file, strict())) {
            long first = aggregator.aggregator().snapshot().generatedAt();
            await("two more rounds")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> aggregator.aggregator().snapshot().generatedAt() > first + 1_000);
            blocked.clear(); // from here on: the verdicts' first arrival, the predictions and a reload
            // Two agents report every target every 5 s, as agents would, so that results stay fresh through the reload.
            ScheduledExecutorService agents = Executors.newSingleThreadScheduledExecutor();
            agents.scheduleWithFixedDelay(() -> reportAll(aggregator, count), 0, 5, TimeUnit.SECONDS);
            try {
                await("every target healthy")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> aggregator.aggregator().snapshot().targets().stream()
                                .allMatch(target -> target.verdict().equals("HEALTHY")));
                await("the predictions")
                        .atMost(Duration.ofSeconds(120))
                        .until(() -> aggregator
                                        .aggregator()
                                        .snapshot()
                                        .targets()
                                        .get(0)
                                        .expected()
                                != null);
                assertThat(aggregator.get("/metrics", Map.of()).body())
                        .contains("vantage_target_healthy{target=\"t19999\"} 1.0");

                targets.target(Target.tcp("added", "127.0.0.1", 9).interval("10s"))
                        .write(file);
                await("the reload")
                        .atMost(Duration.ofSeconds(60))
                        .until(() ->
                                aggregator.aggregator().snapshot().targets().size() == count + 1);
                await("the predictions after the reload")
                        .atMost(Duration.ofSeconds(120))
                        .until(() -> aggregator
                                        .aggregator()
                                        .snapshot()
                                        .targets()
                                        .get(count)
                                        .expected()
                                != null);
                assertThat(aggregator.aggregator().snapshot().targets().subList(0, count))
                        .as("verdicts after the reload")
                        .allMatch(target -> target.verdict().equals("HEALTHY"));
            } finally {
                agents.shutdownNow();
            }
            assertThat(blocked.warnings()).as("Vert.x blocked-thread warnings").isEmpty();
        }
    }

    /** Vert.x that warns, with the stack, of any event-loop task over {@link #STRICT_MILLIS}. */
    private static VertxOptions strict() {
        return new VertxOptions()
                .setMaxEventLoopExecuteTime(STRICT_MILLIS)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
                .setWarningExceptionTime(STRICT_MILLIS)
                .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS)
                .setBlockedThreadCheckInterval(50)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the blocking under test
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reportAll(RunningAggregator aggregator, int count) {
        long now = System.currentTimeMillis();
        try {
            for (String[] agent :
                    new String[][] {{"agent-a", "us-east-1", "TOKEN_A"}, {"agent-b", "eu-west-1", "TOKEN_B"}}) {
                for (int from = 0; from < count; from += Limits.MAX_RESULTS_PER_BATCH) {
                    Reports batch = Reports.from(agent[0], agent[1]).sentAt(now);
                    for (int i = from; i < Math.min(count, from + Limits.MAX_RESULTS_PER_BATCH); i++) {
                        batch.success("t" + i, now);
                    }
                    int status = aggregator
                            .post(RunningAggregator.TOKENS.get(agent[2]), batch.build())
                            .statusCode();
                    if (status != 202) {
                        throw new IllegalStateException("a report was answered " + status);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The in-process aggregator's agents, served on a free loopback port; the targets are the test's. */
    private static AggregatorYaml loopback() {
        return RunningAggregator.agents().section("server", Map.of("host", "127.0.0.1", "port", 0));
    }
}
