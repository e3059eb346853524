package io.vantage.aggregator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.quorum.Verdict;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The running aggregator's side of the drill rule: what the command cannot know, the verdicts, decides here. */
class DrillsTest {
    private static final long NOW = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();

    private static AggregatorConfig config(String drills) {
        String yaml = "agents: [{id: a, region: us-east-1, tokenEnv: T}, {id: b, region: eu-west-1, tokenEnv: U}]\n"
                + "targets:\n"
                + "  - {name: east, http: {url: 'http://127.0.0.1:1/'}, route53: {hostedZoneId: Z1, recordName: app.test, "
                + "recordType: A, setIdentifier: east}}\n"
                + "  - {name: west, http: {url: 'http://127.0.0.1:2/'}, route53: {hostedZoneId: Z1, recordName: app.test, "
                + "recordType: A, setIdentifier: west}}\n"
                + drills;
        return new AggregatorConfigLoader(
                        Map.of("T", "drills-test-token-0123456789", "U", "drills-test-token-9876543210"))
                .parse(yaml, null)
                .config();
    }

    private static final String EAST_DRILL = "drills: [{target: east, until: '2026-12-02T12:10:00Z', by: ops}]\n";

    @Test
    void aDrillIsHonouredOnlyWhileAnotherTargetOfItsRecordIsHealthy() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Drills drills = new Drills(registry);
        AggregatorConfig config = config(EAST_DRILL);

        Drills.Round healthy = drills.evaluate(config, Map.of("east", Verdict.HEALTHY, "west", Verdict.HEALTHY), NOW);
        assertThat(healthy.honoured()).containsExactly("east");
        assertThat(healthy.notes()).containsEntry("east", "in drill until 2026-12-02T12:10:00Z, started by ops");
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
        AggregatorConfig config = config("drills:\n  - {target: east, until: '2026-12-02T12:10:00Z', by: ops}\n"
                + "  - {target: west, until: '2026-12-02T12:10:00Z', by: ops}\n");
        Drills.Round round = new Drills(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .evaluate(config, Map.of("east", Verdict.HEALTHY, "west", Verdict.HEALTHY), NOW);
        assertThat(round.honoured()).isEmpty();
        assertThat(round.notes()).containsOnlyKeys("east", "west");
    }

    @Test
    void anExpiredOrTooLongDrillIsNotHonoured() {
        Drills drills = new Drills(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        Map<String, Verdict> healthy = Map.of("east", Verdict.HEALTHY, "west", Verdict.HEALTHY);
        assertThat(drills.evaluate(config(EAST_DRILL), healthy, NOW + 11 * 60_000)
                        .honoured())
                .as("ended at 12:10")
                .isEmpty();
        Drills.Round tooLong = drills.evaluate(
                config("drills: [{target: east, until: '2026-12-02T14:00:00Z', by: ops}]\n"), healthy, NOW);
        assertThat(tooLong.honoured()).isEmpty();
        assertThat(tooLong.notes().get("east")).startsWith("drill refused: it ends more than 1h from now");
    }
}
