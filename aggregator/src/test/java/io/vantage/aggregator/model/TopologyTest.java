package io.vantage.aggregator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.quorum.Verdict;
import org.junit.jupiter.api.Test;

/** What each topology survives, for the fleets people run: two regions, two regions and a witness, three regions. */
class TopologyTest {
    private static AggregatorConfig config(String agents, String quorum, boolean regions, int targets) {
        StringBuilder yaml = new StringBuilder("agents:\n");
        for (String region : agents.split(",")) {
            yaml.append("  - {id: agent-")
                    .append(region)
                    .append(", region: ")
                    .append(region)
                    .append(", tokenEnv: T}\n");
        }
        yaml.append("targets:\n");
        String[] names = agents.split(",");
        for (int i = 0; i < targets; i++) {
            String region = names[i % names.length];
            yaml.append("  - {name: api-")
                    .append(region)
                    .append(i)
                    .append(regions ? ", region: " + region : "")
                    .append(", http: {url: 'http://api-")
                    .append(region)
                    .append(".test/'}, quorum: ")
                    .append(quorum)
                    .append("}\n");
        }
        return io.vantage.wire.Documents.readYaml(yaml.toString(), AggregatorConfig.class);
    }

    private static Topology.Survival first(AggregatorConfig config) {
        return Topology.of(config).of(config.targets().get(0));
    }

    @Test
    void twoRegionsWithRegionsAndOneOfOneSurviveEverything() {
        AggregatorConfig config = config("us-east-1,eu-west-1", "{minVantages: 1, healthy: 1}", true, 2);
        Topology.Survival survival = first(config);
        assertThat(survival.regionLost()).isEqualTo(Verdict.UNHEALTHY);
        assertThat(survival.agentBlind()).isEqualTo(Verdict.HEALTHY);
        assertThat(survival.agentRestarting()).isEqualTo(Verdict.HEALTHY);
        assertThat(Topology.of(config).warnings(config)).isEmpty();
    }

    @Test
    void twoRegionsWithoutRegionsNeverFailOverALostRegionAndSaySo() {
        AggregatorConfig config = config("us-east-1,eu-west-1", "{minVantages: 1, healthy: 1}", false, 2);
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
        AggregatorConfig config = config("us-east-1,eu-west-1", "{minVantages: 2, healthy: 2}", true, 2);
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
        AggregatorConfig config = config("us-east-1,eu-west-1,ap-southeast-2", "{minVantages: 3, healthy: 3}", true, 1);
        assertThat(first(config).agentBlind()).isEqualTo(Verdict.UNHEALTHY);
        assertThat(Topology.of(config).warnings(config))
                .anyMatch(w -> w.contains("one blind agent") && w.contains("with a single target"));
    }

    @Test
    void twoRegionsWithASingleTargetCannotTrustFateSharingAndSaySo() {
        AggregatorConfig config = config("us-east-1,eu-west-1", "{minVantages: 1, healthy: 1}", true, 1);
        assertThat(first(config).regionLost()).isEqualTo(Verdict.INSUFFICIENT_DATA);
        assertThat(Topology.of(config).warnings(config))
                .singleElement()
                .asString()
                .contains("with a single target no agent's unhealthy vote shows that its own network works");
    }

    @Test
    void threeRegionsTwoOfThreeAndAWitnessSurviveEverythingWithoutRegions() {
        AggregatorConfig three = config("us-east-1,eu-west-1,ap-southeast-2", "{minVantages: 2, healthy: 2}", false, 3);
        assertThat(first(three).regionLost()).isEqualTo(Verdict.UNHEALTHY);
        assertThat(first(three).agentBlind()).isEqualTo(Verdict.HEALTHY);
        assertThat(Topology.of(three).warnings(three)).isEmpty();
    }
}
