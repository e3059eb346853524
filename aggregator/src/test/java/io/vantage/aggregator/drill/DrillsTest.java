package io.vantage.aggregator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The running aggregator's side of the drill rule: what the command cannot know, the verdicts, decides here. */
class DrillsTest {
    private static final long NOW = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();

    /** East and west, two records of one group, each drilled until the instant given (when not null). */
    private static AggregatorConfig config(String eastUntil, String westUntil) {
        AggregatorYaml yaml = AggregatorYaml.aggregator()
                .agentWithTokenEnv("a", "us-east-1", "T")
                .agentWithTokenEnv("b", "eu-west-1", "U")
                .target(Target.http("east", "http://127.0.0.1:1/").route53("Z1", "app.test", "A", "east"))
                .target(Target.http("west", "http://127.0.0.1:2/").route53("Z1", "app.test", "A", "west"));
        if (eastUntil != null) {
            yaml.drill("east", eastUntil, "ops");
        }
        if (westUntil != null) {
            yaml.drill("west", westUntil, "ops");
        }
        return new AggregatorConfigLoader(
                        Map.of("T", "drills-test-token-0123456789", "U", "drills-test-token-9876543210"))
                .parse(yaml.yaml(), null)
                .config();
    }

    @Test
    void aDrillIsHonouredOnlyWhileAnotherTargetOfItsRecordIsHealthy() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Drills drills = new Drills(registry);
        AggregatorConfig config = config("2026-12-02T12:10:00Z", null);

        Drills.Round healthy = drills.evaluate(config, Map.of("east", Verdict.HEALTHY, "west", Verdict.HEALTHY), NOW);
        assertThat(healthy.honoured()).containsExactly("east");
        assertThat(healthy.notes()).containsEntry("east", "in drill, started by ops");
        assertThat(drills.any()).isTrue();
        assertThat(registry.scrape()).contains("vantage_target_drill{target=\"east\"} 1");

        // west breaks during the drill: the drill must not take the record's last healthy target away.
        Drills.Round westDown =
                drills.evaluate(config, Map.of("east", Verdict.HEALTHY, "west", Verdict.UNHEALTHY), NOW + 1_000);
        assertThat(westDown.honoured()).isEmpty();
        assertThat(westDown.notes().get("east"))
                .isEqualTo("drill refused: no other target of app.test A is healthy and outside a drill to take the "
                        + "traffic");
        assertThat(registry.scrape()).contains("vantage_target_drill{target=\"east\"} 0");

        Drills.Round insufficient = drills.evaluate(
                config, Map.of("east", Verdict.HEALTHY, "west", Verdict.INSUFFICIENT_DATA), NOW + 2_000);
        assertThat(insufficient.honoured())
                .as("a target without a verdict takes no traffic for sure")
                .isEmpty();

        assertThat(drills.evaluate(config, Map.of("east", Verdict.HEALTHY, "west", Verdict.HEALTHY), NOW + 3_000)
                        .honoured())
                .as("west healthy again: the drill runs again")
                .containsExactly("east");
    }

    @Test
    void twoDrillsOfOneRecordLeaveItNoTargetAndNeitherRuns() {
        AggregatorConfig config = config("2026-12-02T12:10:00Z", "2026-12-02T12:10:00Z");
        Drills.Round round = new Drills(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .evaluate(config, Map.of("east", Verdict.HEALTHY, "west", Verdict.HEALTHY), NOW);
        assertThat(round.honoured()).isEmpty();
        assertThat(round.notes()).containsOnlyKeys("east", "west");
    }

    @Test
    void anExpiredOrTooLongDrillIsNotHonoured() {
        Drills drills = new Drills(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        Map<String, Verdict> healthy = Map.of("east", Verdict.HEALTHY, "west", Verdict.HEALTHY);
        assertThat(drills.evaluate(config("2026-12-02T12:10:00Z", null), healthy, NOW + 11 * 60_000)
                        .honoured())
                .as("ended at 12:10")
                .isEmpty();
        Drills.Round tooLong = drills.evaluate(config("2026-12-02T14:00:00Z", null), healthy, NOW);
        assertThat(tooLong.honoured()).isEmpty();
        assertThat(tooLong.notes().get("east")).startsWith("drill refused: it ends more than 1h from now");
    }
}
