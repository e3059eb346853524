package io.vantage.aggregator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import io.vantage.wire.Documents;
import org.junit.jupiter.api.Test;

/** What each topology survives, for the fleets people run: two regions, two regions and a witness, three regions. */
class TopologyTest {
    /** One agent per region of {@code agents}, and {@code targets} targets spread over them, each with a quorum of n of n. */
    private static AggregatorConfig config(String agents, int quorum, boolean regions, int targets) {
        AggregatorYaml yaml = AggregatorYaml.aggregator();
        String[] names = agents.split(",");
        for (String region : names) {
            yaml.agentWithTokenEnv("agent-" + region, region, "T");
        }
        for (int i = 0; i < targets; i++) {
            String region = names[i % names.length];
            Target target = Target.http("api-" + region + i, "http://api-" + region + ".test/")
                    .quorum(quorum, quorum);
            yaml.target(regions ? target.region(region) : target);
        }
        return Documents.readYaml(yaml.yaml(), AggregatorConfig.class);
    }

    private static Topology.Survival first(AggregatorConfig config) {
        return Topology.of(config).of(config.targets().get(0));
    }

    @Test
    void twoRegionsWithRegionsAndOneOfOneSurviveEverything() {
        AggregatorConfig config = config("us-east-1,eu-west-1", 1, true, 2);
        Topology.Survival survival = first(config);
        assertThat(survival.regionLost()).isEqualTo(Verdict.UNHEALTHY);
        assertThat(survival.agentBlind()).isEqualTo(Verdict.HEALTHY);
        assertThat(survival.agentRestarting()).isEqualTo(Verdict.HEALTHY);
        assertThat(Topology.of(config).warnings(config)).isEmpty();
    }

    @Test
    void twoRegionsWithoutRegionsNeverFailOverALostRegionAndSaySo() {
        AggregatorConfig config = config("us-east-1,eu-west-1", 1, false, 2);
        assertThat(first(config).regionLost()).isEqualTo(Verdict.INSUFFICIENT_DATA);
        assertThat(Topology.of(config).warnings(config))
                .hasSize(2)
                .first()
                .asString()
                .startsWith("api-us-east-10: a region lost together with its agent would never fail over")
                .contains("set region: on the target");
    }

    @Test
    void twoRegionsTwoOfTwoFailStaticOnABlindAgent() {
        AggregatorConfig config = config("us-east-1,eu-west-1", 2, true, 2);
        Topology.Survival survival = first(config);
        assertThat(survival.regionLost())
                .as("the lost agent counts as an unhealthy vote")
                .isEqualTo(Verdict.UNHEALTHY);
        assertThat(survival.agentBlind()).isEqualTo(Verdict.INSUFFICIENT_DATA);
        assertThat(survival.agentRestarting()).isEqualTo(Verdict.INSUFFICIENT_DATA);
        assertThat(Topology.of(config).warnings(config)).isEmpty();
    }

    @Test
    void aSingleTargetCannotTellABlindAgentFromAnOutage() {
        AggregatorConfig config = config("us-east-1,eu-west-1,ap-southeast-2", 3, true, 1);
        assertThat(first(config).agentBlind()).isEqualTo(Verdict.UNHEALTHY);
        assertThat(Topology.of(config).warnings(config))
                .anyMatch(w -> w.contains("one blind agent") && w.contains("with a single target"));
    }

    @Test
    void twoRegionsWithASingleTargetCannotTrustFateSharingAndSaySo() {
        AggregatorConfig config = config("us-east-1,eu-west-1", 1, true, 1);
        assertThat(first(config).regionLost()).isEqualTo(Verdict.INSUFFICIENT_DATA);
        assertThat(Topology.of(config).warnings(config))
                .singleElement()
                .asString()
                .contains("with a single target no agent's unhealthy vote shows that its own network works");
    }

    @Test
    void threeRegionsTwoOfThreeAndAWitnessSurviveEverythingWithoutRegions() {
        AggregatorConfig three = config("us-east-1,eu-west-1,ap-southeast-2", 2, false, 3);
        assertThat(first(three).regionLost()).isEqualTo(Verdict.UNHEALTHY);
        assertThat(first(three).agentBlind()).isEqualTo(Verdict.HEALTHY);
        assertThat(Topology.of(three).warnings(three)).isEmpty();
    }
}
