package io.vantage.aggregator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import io.vantage.wire.Documents;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Observed routing against every routing policy {@code discover} binds (failover, latency, geolocation, geoproximity,
 * IP-based, weighted, multivalue), played second by second from seeded random answers: three agents observe the name
 * every 5 s through their resolvers, api-us turns UNHEALTHY at t = 0 and Route 53 stops answering with it at t =
 * {@value #MOVE} s. Whatever the policy, the failover is never observed before Route 53 moved, and its time is when the
 * vantage points' answers left api-us for good.
 */
class RoutingPoliciesTest {
    private static final String OBSERVED = "observe-api.example.com-a";
    private static final String US = "10.0.1.5";
    private static final String EU = "10.0.2.7";
    private static final String[][] AGENTS = {
        {"agent-a", "us-east-1"}, {"agent-b", "eu-west-1"}, {"agent-c", "ap-southeast-2"}
    };
    /** When Route 53 stops answering with api-us, seconds after its verdict turned UNHEALTHY. */
    private static final int MOVE = 120;

    private static final int SEEDS = 20;

    /** What Route 53 answers vantage point {@code vantage}; {@code removed}: it no longer answers with api-us. */
    private interface Route53 {
        List<String> answer(int vantage, boolean removed, Random random);
    }

    /** A weighted record pair: api-us with {@code share} of the answers. */
    private static Route53 weighted(double share) {
        return (vantage, removed, random) -> List.of(!removed && random.nextDouble() < share ? US : EU);
    }

    /** A multivalue answer: every healthy record, in random order. */
    private static final Route53 MULTIVALUE = (vantage, removed, random) -> {
        if (removed) {
            return List.of(EU);
        }
        return random.nextBoolean() ? List.of(US, EU) : List.of(EU, US);
    };

    /**
     * One record per vantage point, the same every time: agents a and b are sent to api-us (the primary of a failover
     * pair, or the nearest, the one of their location or of their resolver's network), c to api-eu.
     */
    private static final Route53 ONE_PER_VANTAGE =
            (vantage, removed, random) -> List.of(vantage < 2 && !removed ? US : EU);

    /**
     * {@code policy}: the bound records' routingPolicy (null: unbound, judged from the answers alone); {@code cache}:
     * seconds each agent's resolver keeps an answer (0: it asks anew every time); {@code history}: seconds observed
     * before the verdict; the observed failover's seconds fall in [{@code earliest}, {@code latest}] and it is observed
     * within {@code confirmedWithin} s of the move, for at least {@code minEvents} of the seeds (a failover is timed
     * only when a vantage point's latest answer was api-us at the verdict).
     */
    private record Row(
            String name,
            String policy,
            Route53 route53,
            int cache,
            int history,
            double earliest,
            double latest,
            int confirmedWithin,
            int minEvents) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("failover", "failover", ONE_PER_VANTAGE, 0, 1200, MOVE, MOVE + 5, 25, SEEDS),
                new Row("latency", "latency", ONE_PER_VANTAGE, 0, 1200, MOVE, MOVE + 5, 25, SEEDS),
                new Row("latency, caching resolver", "latency", ONE_PER_VANTAGE, 60, 1200, MOVE, MOVE + 65, 85, SEEDS),
                new Row("geolocation", "geolocation", ONE_PER_VANTAGE, 0, 1200, MOVE, MOVE + 5, 25, SEEDS),
                new Row("geoproximity", "geoproximity", ONE_PER_VANTAGE, 0, 1200, MOVE, MOVE + 5, 25, SEEDS),
                new Row("ip-based", "ip-based", ONE_PER_VANTAGE, 0, 1200, MOVE, MOVE + 5, 25, SEEDS),
                new Row("one per vantage point, unbound", null, ONE_PER_VANTAGE, 0, 1200, MOVE, MOVE + 5, 195, SEEDS),
                new Row(
                        "one per vantage point, unbound, just started",
                        null,
                        ONE_PER_VANTAGE,
                        0,
                        30,
                        MOVE,
                        MOVE + 5,
                        615,
                        SEEDS),
                new Row("weighted 50/50", "weighted", weighted(0.5), 0, 1200, MOVE - 10, MOVE + 5, 1000, 15),
                new Row("weighted 50/50, unbound", null, weighted(0.5), 0, 1200, MOVE - 10, MOVE + 5, 1000, 15),
                new Row("weighted 50/50, just started", null, weighted(0.5), 0, 30, MOVE - 10, MOVE + 5, 2500, 15),
                new Row(
                        "weighted 50/50, caching resolver",
                        "weighted",
                        weighted(0.5),
                        60,
                        1200,
                        MOVE - 60,
                        MOVE + 65,
                        1500,
                        15),
                new Row(
                        "weighted 90/10, api-us the 90",
                        "weighted",
                        weighted(0.9),
                        0,
                        1200,
                        MOVE - 10,
                        MOVE + 5,
                        700,
                        19),
                new Row(
                        "weighted 10/90, api-us the 10",
                        "weighted",
                        weighted(0.1),
                        0,
                        1200,
                        MOVE - 40,
                        MOVE + 5,
                        10_000,
                        3),
                new Row("multivalue", "multivalue", MULTIVALUE, 0, 1200, MOVE, MOVE + 5, 195, SEEDS),
                new Row("multivalue, unbound", null, MULTIVALUE, 0, 1200, MOVE, MOVE + 5, 195, SEEDS));
    }

    private static AggregatorConfig config(String policy) {
        AggregatorYaml yaml = AggregatorYaml.aggregator();
        for (String[] agent : AGENTS) {
            yaml.agentWithTokenEnv(agent[0], agent[1], "T");
        }
        for (String[] target : new String[][] {{"api-us", US, "us"}, {"api-eu", EU, "eu"}}) {
            Target api =
                    Target.http(target[0], "http://" + target[1] + "/health").quorum(1, 1);
            if (policy != null) {
                api.route53("Z1", "api.example.com", "A", target[2], policy);
            }
            yaml.target(api);
        }
        yaml.section("observe", List.of(Map.of("name", "api.example.com", "type", "A", "interval", "5s")));
        return Documents.readYaml(yaml.yaml(), AggregatorConfig.class);
    }

    /** What one seed's play observed of api-us's failover. */
    private record Outcome(Routing.FailoverEvent event, long observedAt, String metrics) {}

    /** Plays one seed: rounds every second, each agent observing every 5 s, until the failover event closes. */
    private static Outcome play(Row row, long seed) {
        AggregatorConfig config = config(row.policy());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Routing routing = new Routing(registry);
        Random random = new Random(seed);
        Map<String, List<Observation>> latest = new HashMap<>();
        Observation[] observations = new Observation[AGENTS.length];
        List<List<String>> cached = new ArrayList<>();
        long[] cachedUntil = new long[AGENTS.length];
        for (int i = 0; i < AGENTS.length; i++) {
            cached.add(List.of());
        }
        long start = 1_000_000_000L;
        long verdictAt = start + row.history() * 1000L;
        long end = verdictAt + (MOVE + row.confirmedWithin() + 1_000) * 1000L;
        for (long now = start; now <= end; now += 1000) {
            long t = (now - verdictAt) / 1000;
            for (int i = 0; i < AGENTS.length; i++) {
                if (Math.floorMod(t + i, 5) != 0) {
                    continue;
                }
                if (now >= cachedUntil[i]) {
                    cached.set(i, row.route53().answer(i, t >= MOVE, random));
                    cachedUntil[i] = now + row.cache() * 1000L;
                }
                observations[i] = new Observation(
                        AGENTS[i][0],
                        AGENTS[i][1],
                        null,
                        1,
                        now - 200,
                        true,
                        true,
                        null,
                        null,
                        0.001,
                        null,
                        cached.get(i),
                        List.of(),
                        null);
            }
            List<Observation> fresh = new ArrayList<>();
            for (Observation observation : observations) {
                if (observation != null) {
                    fresh.add(observation);
                }
            }
            latest.put(OBSERVED, fresh);
            routing.update(
                    now,
                    config,
                    name -> latest.getOrDefault(name, List.of()),
                    Map.of("api-us", t >= 0 ? Verdict.UNHEALTHY : Verdict.HEALTHY, "api-eu", Verdict.HEALTHY),
                    Map.of(),
                    (target, kind) -> new FailoverRange(60, MOVE, 180));
            for (Routing.FailoverEvent event : routing.events()) {
                if (event.target().equals("api-us") && (event.seconds() != null || event.unresolved())) {
                    return new Outcome(event, now, registry.scrape());
                }
            }
        }
        boolean opened = routing.events().stream().anyMatch(e -> e.target().equals("api-us"));
        return new Outcome(null, opened ? -1 : 0, registry.scrape());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aFailoverIsObservedOnlyOnceRoute53MovedAndPersistently(Row row) {
        int events = 0;
        List<String> seen = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            Outcome outcome = play(row, seed);
            assertThat(outcome.observedAt())
                    .as("seed %d: an event was opened but neither observed nor closed as unresolved", seed)
                    .isNotEqualTo(-1);
            if (outcome.event() == null) {
                continue; // no vantage point's latest answer was api-us at the verdict: nothing to time
            }
            events++;
            Routing.FailoverEvent event = outcome.event();
            long verdictAt = 1_000_000_000L + row.history() * 1000L;
            double observedAfter = (outcome.observedAt() - verdictAt) / 1000.0;
            seen.add(String.format(
                    Locale.ROOT, "seed %d: %.0f s, observed at %.0f s", seed, event.seconds(), observedAfter));
            assertThat(event.unresolved())
                    .as("seed %d: the failover ends observed, not unresolved", seed)
                    .isFalse();
            assertThat(observedAfter)
                    .as("seed %d: observed %.1f s after the verdict; Route 53 moved at %d s", seed, observedAfter, MOVE)
                    .isGreaterThanOrEqualTo(MOVE)
                    .isLessThanOrEqualTo(MOVE + row.confirmedWithin());
            assertThat(event.seconds())
                    .as("seed %d: when the answers left api-us for good", seed)
                    .isBetween(row.earliest(), row.latest());
            assertThat(outcome.metrics()).contains("vantage_observed_failover_seconds_count{kind=\"failover\"} 1");
        }
        System.out.println(row + ": " + events + " of " + SEEDS + " seeds timed; " + seen);
        assertThat(events).as("seeds whose failover was timed").isGreaterThanOrEqualTo(row.minEvents());
    }
}
