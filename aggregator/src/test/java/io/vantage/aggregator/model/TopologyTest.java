package io.vantage.aggregator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import io.vantage.wire.Documents;
import java.util.Random;
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

    /**
     * Two agents in eu-west-1 and one in us-east-1; a private endpoint in eu-west-1 placed at eu-west-1 only, 1 of 1,
     * beside a public target: its failures play among the two placed agents. Lost with its region, nobody placed is
     * left to see it (fail static), where unplaced the us agent would have failed it over.
     */
    @Test
    void aPlacedTargetsFailuresPlayAmongItsPlacedAgents() {
        AggregatorConfig config = Documents.readYaml(
                AggregatorYaml.aggregator()
                        .agentWithTokenEnv("agent-eu-1", "eu-west-1", "T")
                        .agentWithTokenEnv("agent-eu-2", "eu-west-1", "T")
                        .agentWithTokenEnv("agent-us", "us-east-1", "T")
                        .target(Target.http("private", "http://private.test/")
                                .region("eu-west-1")
                                .probeFrom("eu-west-1")
                                .quorum(1, 1))
                        .target(Target.http("everywhere", "http://everywhere.test/")
                                .region("eu-west-1")
                                .quorum(1, 1))
                        .target(Target.http("by-id", "http://by-id.test/")
                                .region("eu-west-1")
                                .probeFrom("agent-us", "agent-eu-1")
                                .quorum(1, 1))
                        .yaml(),
                AggregatorConfig.class);
        Topology topology = Topology.of(config);

        Topology.Survival placed = topology.of(config.targets().get(0));
        assertThat(placed.agents()).isEqualTo(2);
        assertThat(placed.colocated()).isEqualTo(2);
        assertThat(placed.regionLost()).isEqualTo(Verdict.INSUFFICIENT_DATA);
        assertThat(placed.agentBlind()).isEqualTo(Verdict.HEALTHY);
        assertThat(placed.describe()).contains("2 agents placed by probeFrom [eu-west-1]");

        Topology.Survival everywhere = topology.of(config.targets().get(1));
        assertThat(everywhere.agents()).isEqualTo(3);
        assertThat(everywhere.regionLost())
                .as("unplaced, the us agent sees the region gone")
                .isEqualTo(Verdict.UNHEALTHY);

        Topology.Survival byId = topology.of(config.targets().get(2));
        assertThat(byId.agents()).isEqualTo(2);
        assertThat(byId.colocated()).isEqualTo(1);
        assertThat(byId.regionLost()).isEqualTo(Verdict.UNHEALTHY);

        assertThat(topology.warnings(config))
                .singleElement()
                .asString()
                .startsWith("private: a region lost together with its agents would never fail over")
                .contains("every agent its probeFrom places it at is in its region eu-west-1");

        FailoverModel.Inputs inputs =
                FailoverModel.Inputs.of(config, config.targets().get(0));
        assertThat(inputs.agents()).isEqualTo(2);
        assertThat(inputs.colocated()).isEqualTo(2);
        FailoverModel.Inputs byIdInputs =
                FailoverModel.Inputs.of(config, config.targets().get(2));
        assertThat(byIdInputs.agents()).isEqualTo(2);
        assertThat(byIdInputs.colocated()).isEqualTo(1);
        Predictions predictions = new Predictions(config);
        assertThat(predictions.report(config.targets().get(0), FailoverModel.Scenario.ENDPOINT_DOWN, Predictions.SEED))
                .contains("by 2 agents");
        assertThat(predictions.of(config.targets().get(0)).failover().clients().worst())
                .as("the endpoint down, its two placed agents see it: it fails over")
                .isFinite();
        assertThat(FailoverModel.simulate(inputs, FailoverModel.Scenario.REGION_LOST, new Random(7))
                        .verdict())
                .as("its region lost with both placed agents: nobody left to see it")
                .isNaN();
        assertThat(FailoverModel.simulate(
                                FailoverModel.Inputs.of(config, config.targets().get(1)),
                                FailoverModel.Scenario.REGION_LOST,
                                new Random(7))
                        .verdict())
                .as("unplaced, the us agent sees it gone")
                .isFinite();
    }
}
