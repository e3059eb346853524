package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.testing.PackageGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The aggregator's packages use each other in one direction only, along exactly the edges docs/architecture.md
 * documents, and none of them uses the agent.
 */
class PackagesTest {
    @Test
    void noPackageCyclesAndNoAgentClasses() {
        PackageGraph graph = PackageGraph.of(Path.of("src/main/java"), "io.vantage.aggregator");
        assertThat(graph.packages()).contains("io.vantage.aggregator.quorum", "io.vantage.aggregator.reconcile");
        assertThat(graph.cycles()).isEmpty();
        assertThat(graph.edges("io.vantage.aggregator"))
                .as("the package edges docs/architecture.md documents; change both together")
                .containsExactly(
                        "(root) -> aws, cloudwatch, config, drill, gauges, ingest, members, metrics, model, quorum, "
                                + "reconcile, round, routing, status",
                        "aws -> metrics",
                        "cloudwatch -> aws, config, metrics, quorum, round",
                        "config -> ",
                        "drill -> config, metrics, quorum",
                        "gauges -> members, metrics, quorum, round",
                        "ingest -> config, members, metrics, quorum",
                        "members -> config",
                        "metrics -> ",
                        "model -> cloudwatch, config, quorum, round",
                        "quorum -> ",
                        "reconcile -> aws, cloudwatch, config, metrics",
                        "round -> config, members, quorum",
                        "routing -> config, metrics, quorum, round",
                        "status -> members, model, quorum, round, routing");
        assertThat(graph.usesOutside())
                .as("uses of other modules")
                .isNotEmpty()
                .noneMatch(use -> use.contains("-> io.vantage.agent")
                        || use.contains("-> io.vantage.demo")
                        || use.contains("-> io.vantage.testing"));
    }

    @Test
    void theAggregatorCarriesNothingOfTheDemo() throws IOException {
        try (var classes = Files.walk(Path.of("target/classes"))) {
            assertThat(classes.map(Path::toString)
                            .filter(name -> name.toLowerCase(Locale.ROOT).contains("demo")))
                    .as("the demo plugs in through Extension; its code lives in the demo module")
                    .isEmpty();
        }
    }
}
