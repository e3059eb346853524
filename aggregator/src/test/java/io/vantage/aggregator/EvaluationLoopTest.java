package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.cloudwatch.Datum;
import io.vantage.aggregator.cloudwatch.Datums;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.drill.Drills;
import io.vantage.aggregator.ingest.ResultStore;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.round.Round;
import io.vantage.aggregator.round.RoundConsumer;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.QuorumSpec;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The loop hands each round, one immutable object, to every consumer in the order registered: a consumer is added by
 * registering it, with no change to the loop. The verdict a drilled target publishes is the round's, written once.
 */
class EvaluationLoopTest {
    private static final long START = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();

    @Test
    void everyConsumerGetsEachRoundInOrderAndADrillIsPublishedFromTheRound() {
        QuorumSpec oneVote = new QuorumSpec(1, 1, 1, 1, null);
        String yaml = AggregatorYaml.aggregator()
                .agentWithTokenEnv("a", "us-east-1", "T")
                .target(Target.http("east", "http://127.0.0.1:1/")
                        .quorum(oneVote)
                        .route53("Z1", "app.test", "A", "east"))
                .target(Target.http("west", "http://127.0.0.1:2/")
                        .quorum(oneVote)
                        .route53("Z1", "app.test", "A", "west"))
                .drill("east", "2026-12-02T12:10:00Z", "ops")
                .yaml();
        AggregatorConfig config = new AggregatorConfigLoader(Map.of("T", "loop-test-token-0123456789"))
                .parse(yaml, null)
                .config();
        AtomicLong now = new AtomicLong(START);
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        ResultStore store = new ResultStore();
        store.configure(config.agents(), config.agentTargets(), config::agentTargets, START);
        List<String> calls = new ArrayList<>();
        List<Round> first = new ArrayList<>();
        List<Round> second = new ArrayList<>();
        RoundConsumer one = round -> {
            calls.add("one");
            first.add(round);
        };
        RoundConsumer two = round -> {
            calls.add("two");
            second.add(round);
        };
        Vertx vertx = Vertx.vertx();
        try {
            EvaluationLoop loop = new EvaluationLoop(
                    vertx.getOrCreateContext(),
                    store,
                    clock,
                    new Drills(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)),
                    List.of(one, two));
            loop.configure(config);
            for (int i = 0; i < 3; i++) {
                now.addAndGet(1_000);
                store.offer("a", 0, ProbeResult.success("east", now.get(), 200, null, null), now.get(), 1);
                store.offer("a", 0, ProbeResult.success("west", now.get(), 200, null, null), now.get(), 1);
                loop.evaluate();
            }

            assertThat(calls).containsExactly("one", "two", "one", "two", "one", "two");
            for (int i = 0; i < first.size(); i++) {
                assertThat(first.get(i))
                        .as("one round object, not a copy per consumer")
                        .isSameAs(second.get(i));
            }
            Round last = first.get(2);
            assertThat(loop.latest()).isSameAs(last);
            assertThat(last.at()).isEqualTo(now.get());
            assertThat(last.evaluations().get(0).verdict()).isEqualTo(Verdict.HEALTHY);
            assertThat(last.drilled())
                    .as("west is healthy: the drill of east runs")
                    .containsExactly("east");
            assertThat(last.published(0)).isEqualTo(Verdict.UNHEALTHY);
            assertThat(last.published())
                    .containsEntry("east", Verdict.UNHEALTHY)
                    .containsEntry("west", Verdict.HEALTHY);
            assertThat(Datums.of(last))
                    .filteredOn(datum -> datum.name().equals("Healthy"))
                    .extracting(Datum::target, Datum::value)
                    .containsExactly(Tuple.tuple("east", 0.0), Tuple.tuple("west", 1.0));
        } finally {
            vertx.close().await();
        }
    }
}
