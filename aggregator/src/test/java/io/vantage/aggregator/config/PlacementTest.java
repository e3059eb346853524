package io.vantage.aggregator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.wire.target.TargetSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which vantage points a target is placed at, and the configs that place targets. */
class PlacementTest {
    private static final Map<String, String> ENV =
            Map.of("T1", "first-token-0123456789", "T2", "second-token-0123456789", "T3", "third-token-0123456789");
    private static final String AGENTS = "agents:\n"
            + "  - {id: eu-a, region: eu-west-1, tokenEnv: T1}\n"
            + "  - {id: eu-b, region: eu-west-1, tokenEnv: T2}\n"
            + "  - {id: us-a, region: us-east-1, tokenEnv: T3}\n";

    @Test
    void aTargetIsPlacedWhereItsProbeFromNamesTheRegionOrTheAgent() {
        AggregatorConfig config = new AggregatorConfigLoader(ENV)
                .parse(
                        AGENTS
                                + "targets:\n"
                                + "  - {name: everywhere, tcp: {host: h, port: 1}}\n"
                                + "  - {name: private-eu, tcp: {host: h, port: 1}, probeFrom: [eu-west-1]}\n"
                                + "  - {name: one-agent, tcp: {host: h, port: 1}, probeFrom: [us-a],"
                                + " quorum: {minVantages: 1}}\n"
                                + "  - {name: mixed, tcp: {host: h, port: 1}, probeFrom: [eu-b, us-east-1]}\n",
                        null)
                .config();
        List<AggregatorConfig.AgentEntry> agents = config.agents();

        assertThat(Placement.placed(target(config, "everywhere"), agents)).containsExactly(true, true, true);
        assertThat(Placement.placed(target(config, "private-eu"), agents)).containsExactly(true, true, false);
        assertThat(Placement.placed(target(config, "one-agent"), agents)).containsExactly(false, false, true);
        assertThat(Placement.placed(target(config, "mixed"), agents)).containsExactly(false, true, true);
        assertThat(Placement.count(target(config, "everywhere"), agents)).isEqualTo(3);
        assertThat(Placement.count(target(config, "private-eu"), agents)).isEqualTo(2);
        assertThat(Placement.count(target(config, "one-agent"), agents)).isEqualTo(1);
        assertThat(Placement.placedAt(target(config, "private-eu"), "anyone", "eu-west-1"))
                .isTrue();
        assertThat(Placement.placedAt(target(config, "private-eu"), "eu-a", "us-east-1"))
                .as("an id never matches a region's name by accident here")
                .isFalse();
    }

    @Test
    void aTargetRegionOutsideItsPlacementIsAllowed() {
        // Fate sharing then never applies: no placed vantage point serves from the target's region.
        AggregatorConfig config = new AggregatorConfigLoader(ENV)
                .parse(
                        AGENTS
                                + "targets:\n"
                                + "  - {name: x, region: us-east-1, tcp: {host: h, port: 1}, probeFrom: [eu-west-1]}\n",
                        null)
                .config();

        assertThat(Placement.count(config.targets().get(0), config.agents())).isEqualTo(2);
    }

    private static TargetSpec target(AggregatorConfig config, String name) {
        return config.targets().stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
