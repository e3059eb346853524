package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent removed by a reload leaves no series behind, one added gets its own; reloads are counted, a rejected one shows. */
class ReloadedAgentsTest {
    @TempDir
    Path directory;

    @Test
    void reportAgeSeriesFollowTheConfiguredAgents() throws Exception {
        Map<String, Object> server = Map.of("host", "127.0.0.1", "port", 0);
        Target target = Target.tcp("t", "127.0.0.1", 9);
        Path file = RunningAggregator.agents()
                .section("server", server)
                .target(target)
                .write(directory.resolve("aggregator.yaml"));
        try (RunningAggregator aggregator = RunningAggregator.startFromFile(file)) {
            assertThat(aggregator.registry().scrape()).contains("vantage_agent_report_age_seconds{agent=\"agent-c\"");

            AggregatorYaml.aggregator()
                    .section("server", server)
                    .agentWithTokenEnv("agent-a", "us-east-1", "TOKEN_A")
                    .agentWithTokenEnv("agent-b", "eu-central-1", "TOKEN_B")
                    .target(target)
                    .write(file);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !aggregator.registry().scrape().contains("agent=\"agent-c\""));
            String scrape = aggregator.registry().scrape();
            assertThat(scrape)
                    .contains("vantage_agent_report_age_seconds{agent=\"agent-a\",region=\"us-east-1\"}")
                    .contains("vantage_agent_report_age_seconds{agent=\"agent-b\",region=\"eu-central-1\"}")
                    .doesNotContain("region=\"eu-west-1\"")
                    .contains("vantage_config_reloads_total{outcome=\"success\"} 1.0")
                    .contains("vantage_config_last_reload_successful 1.0");

            Files.writeString(file, "server: {port: 'not a port'}\n");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> aggregator.registry().scrape().contains("vantage_config_last_reload_successful 0.0"));
            assertThat(aggregator.registry().scrape())
                    .contains("vantage_config_reloads_total{outcome=\"failure\"} 1.0")
                    .contains("agent=\"agent-b\"");
        }
    }
}
