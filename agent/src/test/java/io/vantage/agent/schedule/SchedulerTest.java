package io.vantage.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.agent.metrics.AgentMetrics;
import io.vantage.agent.overload.LoopLag;
import io.vantage.agent.probe.Dialer;
import io.vantage.agent.probe.ProbeRunner;
import io.vantage.agent.probe.Resolver;
import io.vantage.agent.probe.TlsEngine;
import io.vantage.agent.testing.Probes;
import io.vantage.runtime.Startup;
import io.vantage.testing.RawServer;
import io.vantage.testing.TestHttpServer;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import io.vantage.wire.target.TcpSpec;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    private Vertx vertx;
    private Context context;
    private PrometheusMeterRegistry registry;
    private final ConcurrentLinkedQueue<ProbeResult> results = new ConcurrentLinkedQueue<>();
    private Scheduler scheduler;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
    }

    @AfterEach
    void stop() {
        onContext(() -> {
            scheduler.stop();
            return null;
        });
        vertx.close().await();
    }

    private void newScheduler(int maxInFlight) {
        registry = Startup.newRegistry();
        Dialer dialer = new Dialer(vertx, TlsEngine.JDK, new Resolver(vertx, List.of(), Duration.ofSeconds(1)));
        ProbeRunner runner = new ProbeRunner(vertx, Clock.systemUTC(), dialer, new LoopLag(vertx));
        onContext(() -> {
            AgentMetrics metrics = new AgentMetrics(registry, "test", () -> scheduler.inFlight(), 0);
            scheduler = new Scheduler(vertx, runner, metrics, results::add, maxInFlight, new Random(7));
            return null;
        });
    }

    private <T> T onContext(Supplier<T> action) {
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> promise.complete(action.get()));
        return promise.future().await();
    }

    private static List<TargetSpec> tcpTargets(int count, int port, Duration interval, String prefix) {
        List<TargetSpec> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            targets.add(new TargetSpec(
                    prefix + i,
                    null,
                    TcpSpec.connect("127.0.0.1", port),
                    null,
                    null,
                    null,
                    interval,
                    Duration.ofMillis(900),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null));
        }
        return targets;
    }

    @Test
    void thousandTargetsAreSpreadEvenlyOverTheInterval() {
        newScheduler(2000);
        onContext(() -> {
            scheduler.update(tcpTargets(1000, 9, Duration.ofSeconds(10), "t"));
            return null;
        });
        Map<String, Long> offsets = onContext(scheduler::offsets);

        int[] perSecond = new int[10];
        int onSlotBoundary = 0;
        for (long offset : offsets.values()) {
            assertThat(offset).isBetween(0L, 9_999L);
            perSecond[(int) (offset / 1000)]++;
            if (offset % 10 == 0) {
                onSlotBoundary++;
            }
        }
        assertThat(perSecond).as("starts per second of the interval").containsOnly(100);
        assertThat(onSlotBoundary)
                .as("jitter moves starts off the slot boundaries")
                .isLessThan(200);
    }

    @Test
    void reloadKeepsTheScheduleOfUnchangedTargets() {
        newScheduler(2000);
        List<TargetSpec> first = tcpTargets(100, 9, Duration.ofSeconds(10), "t");
        onContext(() -> {
            scheduler.update(first);
            return null;
        });
        Map<String, Long> before = onContext(scheduler::offsets);

        List<TargetSpec> second = new ArrayList<>(first.subList(1, 100)); // t0 removed
        second.set(
                0,
                new TargetSpec(
                        "t1",
                        null,
                        TcpSpec.connect("127.0.0.1", 10),
                        null,
                        null,
                        null,
                        Duration.ofSeconds(10),
                        Duration.ofMillis(900),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));
        second.addAll(tcpTargets(10, 9, Duration.ofSeconds(10), "new"));
        onContext(() -> {
            scheduler.update(second);
            return null;
        });
        Map<String, Long> after = onContext(scheduler::offsets);

        assertThat(after).hasSize(109).doesNotContainKey("t0");
        for (int i = 2; i < 100; i++) {
            assertThat(after.get("t" + i)).as("t" + i + " keeps its offset").isEqualTo(before.get("t" + i));
        }
        // The changed t1 and the ten new targets are placed together: one each in 11 equal slots.
        List<String> placed = new ArrayList<>(List.of("t1"));
        for (int i = 0; i < 10; i++) {
            placed.add("new" + i);
        }
        for (int slot = 0; slot < placed.size(); slot++) {
            assertThat(after.get(placed.get(slot)))
                    .as(placed.get(slot))
                    .isBetween(slot * 10_000L / 11, (slot + 1) * 10_000L / 11);
        }
    }

    @Test
    void probesRunEveryIntervalAndInFlightIsBounded() {
        try (TestHttpServer server = TestHttpServer.plain(vertx);
                RawServer silent = RawServer.start(vertx, RawServer.Behaviour.SILENT)) {
            newScheduler(3);
            List<TargetSpec> targets = new ArrayList<>(tcpTargets(5, server.port(), Duration.ofSeconds(1), "ok"));
            onContext(() -> {
                scheduler.update(targets);
                return null;
            });
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> results.stream().filter(r -> r.success()).count() >= 20);
            Map<String, List<Long>> startsPerTarget = new ConcurrentHashMap<>();
            results.forEach(result -> startsPerTarget
                    .computeIfAbsent(result.target(), t -> new ArrayList<>())
                    .add(result.timestamp()));
            assertThat(startsPerTarget).hasSize(5);
            List<Long> gaps = new ArrayList<>();
            startsPerTarget.values().forEach(starts -> {
                starts.sort(null);
                for (int i = 1; i < starts.size(); i++) {
                    gaps.add(starts.get(i) - starts.get(i - 1));
                }
            });
            gaps.sort(null);
            // Each target keeps its offset in the 1 s interval: the gaps between its probes are the interval (a timer
            // may fire a little late, so the median is checked with room for that, not each gap).
            assertThat(gaps.get(gaps.size() / 2))
                    .as("median gap between a target's probes, ms")
                    .isBetween(900L, 1_100L);

            // Silent HTTP endpoints hold a probe for its whole timeout: with maxInFlight 3, some are skipped.
            List<TargetSpec> slow = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                slow.add(Probes.target("name: slow" + i
                        + "\ninterval: 1s\ntimeout: 900ms\nhttp: {url: 'http://127.0.0.1:" + silent.port() + "/'}"));
            }
            onContext(() -> {
                scheduler.update(slow);
                return null;
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            registry.get("vantage.probes.skipped").counter().count() > 0);
            // Counted by the silent server, not by the scheduler under test: never more than 3 connections at once.
            assertThat(silent.mostOpenAtOnce())
                    .as("connections open at once at the silent server")
                    .isBetween(1, 3);
        }
    }
}
