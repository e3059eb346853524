package io.vantage.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.testing.PackageGraph;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The agent's packages use each other in one direction only, along exactly the edges docs/architecture.md draws. */
class PackagesTest {
    @Test
    void noPackageCycles() {
        PackageGraph graph = PackageGraph.of(Path.of("src/main/java"), "io.vantage.agent");
        assertThat(graph.packages()).contains("io.vantage.agent.probe", "io.vantage.agent.schedule");
        assertThat(graph.cycles()).isEmpty();
        assertThat(graph.edges("io.vantage.agent"))
                .as("the package edges docs/architecture.md documents; change both together")
                .containsExactly(
                        "(root) -> config, exporter, http, metrics, probe, report, schedule",
                        "check -> ",
                        "config -> exporter",
                        "exporter -> metrics, probe",
                        "http -> metrics",
                        "metrics -> overload",
                        "overload -> ",
                        "probe -> check, overload",
                        "report -> config, metrics",
                        "schedule -> metrics, overload, probe");
    }
}
