package io.vantage.aggregator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.aggregator.AggregatorCommand;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Reports;
import io.vantage.testing.Target;
import io.vantage.testing.aws.LocalAws;
import io.vantage.testing.aws.LocalAwsBridge;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.QuorumSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failover drill on a running aggregator publishing to moto through the bridge: {@code drill} writes it into the
 * config, the aggregator publishes Healthy=0 for the target while its verdict stays HEALTHY, refuses a drill that would
 * leave the record group without a healthy target, and reverts by itself when the time is up.
 */
class DrillTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private static List<Double> healthy(LocalAwsBridge bridge, String target, long since) {
        return bridge.datums("Healthy", target, since);
    }

    private static void reportHealthy(RunningAggregator aggregator) throws Exception {
        long now = System.currentTimeMillis();
        for (String[] agent :
                new String[][] {{"agent-a", "us-east-1", "TOKEN_A"}, {"agent-b", "eu-west-1", "TOKEN_B"}}) {
            PhaseTimings timings = new PhaseTimings(null, null, null, null, 0.002);
            aggregator.post(
                    RunningAggregator.TOKENS.get(agent[2]),
                    Reports.from(agent[0], agent[1])
                            .sentAt(now)
                            .result(ProbeResult.success("api-one", now, 200, timings, null))
                            .result(ProbeResult.success("api-two", now, 200, timings, null))
                            .build());
        }
    }

    private int drill(Path config, String target, String duration) {
        return AggregatorCommand.commandLine()
                .execute(
                        "drill",
                        "--config",
                        config.toString(),
                        "--target",
                        target,
                        "--duration",
                        duration,
                        "--by",
                        "drill-test");
    }

    @Test
    void aDrillPublishesHealthyZeroAndRevertsByItself() throws Exception {
        try (LocalAws aws = LocalAws.start()) {
            QuorumSpec quorum = new QuorumSpec(2, 2, 1, 1, null);
            Path config = RunningAggregator.agents()
                    .section("server", Map.of("host", "127.0.0.1", "port", 0))
                    .deployment("test")
                    .awsCloudWatch("us-east-1", aws.endpoint())
                    .cloudWatchSetting("publishEvery", "1s")
                    .target(Target.tcp("api-one", "127.0.0.1", 9)
                            .quorum(quorum)
                            .route53("Z1", "api.example.com", "A", "one"))
                    .target(Target.tcp("api-two", "127.0.0.1", 9)
                            .quorum(quorum)
                            .route53("Z1", "api.example.com", "A", "two"))
                    .write(directory.resolve("aggregator.yaml"));
            try (RunningAggregator aggregator = RunningAggregator.startFromFile(config)) {
                await().atMost(Duration.ofSeconds(15)).until(() -> {
                    reportHealthy(aggregator);
                    return aggregator.verdict("api-one").equals("HEALTHY")
                            && aggregator.verdict("api-two").equals("HEALTHY");
                });

                // Longer than an hour: refused. Then a 6 s drill of api-one, written into the config file.
                assertThat(drill(config, "api-one", "2h")).isEqualTo(2);
                long started = System.currentTimeMillis();
                assertThat(drill(config, "api-one", "6s")).isZero();
                assertThat(Files.readString(config))
                        .contains("drills:\n  - {target: api-one, until: '")
                        .contains("by: 'drill-test'");
                // The other target of the group cannot be drilled as well: nothing would be left to take the traffic.
                assertThat(drill(config, "api-two", "5m")).isEqualTo(1);

                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    reportHealthy(aggregator);
                    assertThat(healthy(aws.bridge(), "api-one", started)).contains(0.0);
                });
                assertThat(aggregator.verdict("api-one"))
                        .as("the probes still say healthy")
                        .isEqualTo("HEALTHY");
                assertThat(healthy(aws.bridge(), "api-two", started)).doesNotContain(0.0);
                assertThat(aggregator.get("/v1/status", Map.of()).body())
                        .contains("in drill, started by")
                        .contains("started by drill-test");
                assertThat(aggregator.get("/metrics", Map.of()).body())
                        .contains("vantage_target_drill{target=\"api-one\"} 1.0");

                // The time is up: Healthy=1 again, with nobody touching anything.
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    reportHealthy(aggregator);
                    List<Double> values = healthy(aws.bridge(), "api-one", System.currentTimeMillis() - 1_500);
                    assertThat(values).isNotEmpty().containsOnly(1.0);
                });
                assertThat(aggregator.get("/metrics", Map.of()).body())
                        .contains("vantage_target_drill{target=\"api-one\"} 0.0");
            }
        }
    }
}
