package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.model.Predictions;
import io.vantage.testing.aws.LocalAws;
import io.vantage.testing.aws.LocalAwsBridge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.GenericContainer;

/**
 * The failure matrix's two-region rows: us-east-1 and eu-west-1, one endpoint and one agent each, in containers built
 * from the project's Dockerfiles; one aggregator publishing to moto behind the protocol bridge. The recommended
 * two-region settings (examples/aggregator-two-regions.yaml): each target names its region, quorum 1 healthy of at
 * least 1, rise/fall 2; probes every 3 s (freshness 9 s), regionLostAfter 12 s. Each run writes its rows to
 * system-tests/target/failure-matrix-two-regions.md (docs/failure-matrix.md keeps the latest).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoRegionMatrixIT {
    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1");
    static final Map<String, String> ALL_HEALTHY = Map.of("api-us-east-1", "HEALTHY", "api-eu-west-1", "HEALTHY");
    static final Matrix.Table TABLE = new Matrix.Table("failure → verdict");

    static LocalAws aws;
    static LocalAwsBridge bridge;
    static Fleet fleet;
    static String yaml;

    static String aggregatorYaml(String endpoint) {
        StringBuilder yaml = Fleet.aggregatorYaml(REGIONS).append(Fleet.awsSettings(endpoint));
        for (String region : REGIONS) {
            yaml.append("  - {name: api-")
                    .append(region)
                    .append(", region: ")
                    .append(region)
                    .append(", interval: 3s, timeout: 2s, http: {url: 'http://endpoint-")
                    .append(region)
                    .append(":8080/health', expectBody: {jsonPointer: {path: /status, equals: UP}}}, ")
                    .append("quorum: {minVantages: 1, healthy: 1, rise: 2, fall: 2, regionLostAfter: 12s}}\n");
        }
        return yaml.toString();
    }

    static Map<String, String> tokens() {
        Map<String, String> tokens = new HashMap<>();
        REGIONS.forEach(region -> tokens.put(Fleet.tokenVariable(region), "two-regions-token-" + region));
        return tokens;
    }

    @BeforeAll
    static void start() throws Exception {
        Fleet.requireDockerAndBaseImages();
        fleet = new Fleet(REGIONS);
        String agentYaml = "agent:\n  aggregators: [{url: 'http://aggregator:8080', tokenEnv: VANTAGE_TOKEN}]\n"
                + "  targetsRefresh: 2s\n  pushInterval: 500ms\nserver: {port: 9100}\n";
        fleet.startNetworksFirst(1);
        aws = LocalAws.start(Fleet.gateway(fleet.controls.get(0)));
        bridge = aws.bridge();
        yaml = aggregatorYaml(aws.endpoint());
        fleet.start(
                yaml,
                agentYaml,
                tokens(),
                1,
                Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing"));
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> verdicts().equals(ALL_HEALTHY));
    }

    /** Every row starts from the settled fleet, whatever the row before it did or failed to undo. */
    @BeforeEach
    void settled() {
        Matrix.awaitSettled(() -> List.of(status()), ALL_HEALTHY, REGIONS.size());
    }

    @AfterAll
    static void stop() throws Exception {
        TABLE.write(
                Repository.root().resolve("system-tests/target/failure-matrix-two-regions.md"),
                "two regions, probes every 3 s, timeout 2 s, quorum 1 of at least 1, rise/fall 2, regionLostAfter 12 s, "
                        + "publish every 2 s.");
        if (fleet != null) {
            fleet.close();
        }
        if (aws != null) {
            aws.close();
        }
    }

    static JsonNode status() throws Exception {
        return Matrix.status(fleet, fleet.aggregator);
    }

    static Map<String, String> verdicts() throws Exception {
        return Matrix.verdicts(status());
    }

    /** Every verdict map seen while sampling for {@code window}. */
    static List<Map<String, String>> observe(Duration window) throws Exception {
        return Matrix.observe(window, () -> List.of(verdicts()));
    }

    static long unhealthyRounds(List<Map<String, String>> seen) {
        return seen.stream().filter(v -> v.containsValue("UNHEALTHY")).count();
    }

    static boolean blind(String agentId) throws Exception {
        for (JsonNode agent : status().get("agents")) {
            if (agent.get("id").asText().equals(agentId)) {
                return agent.get("blind").asBoolean();
            }
        }
        return false;
    }

    /**
     * us-east-1 is lost with its agent. agent-eu-west-1 sees api-us-east-1 time out; agent-us-east-1 is missing, and
     * once it has been quiet for regionLostAfter it is taken as lost with its region: UNHEALTHY, within the model's
     * worst case for the same settings (scenario region-lost) plus 2 s of polling and push slack.
     */
    @Test
    @Order(1)
    void aRegionLostWithItsAgentFailsOver() throws Exception {
        GenericContainer<?> agent = fleet.agents.get("us-east-1");
        GenericContainer<?> endpoint = fleet.endpoints.get("us-east-1");
        try {
            Fleet.stopKept(agent);
            long lostAt = System.currentTimeMillis();
            Fleet.stopKept(endpoint);
            List<Map<String, String>> seen = new ArrayList<>();
            double[] verdict = {Double.NaN};
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        Map<String, String> now = verdicts();
                        seen.add(now);
                        if (now.get("api-us-east-1").equals("UNHEALTHY")) {
                            verdict[0] = (System.currentTimeMillis() - lostAt) / 1000.0;
                            return true;
                        }
                        return false;
                    });
            double datum = Matrix.firstZeroDatum(bridge, "api-us-east-1", lostAt, Duration.ofSeconds(30));
            assertThat(seen)
                    .as("eu-west-1's target never UNHEALTHY")
                    .allMatch(v -> !v.get("api-eu-west-1").equals("UNHEALTHY"));
            assertThat(status().at("/targets/0/lostVantages").asInt())
                    .as("counted as lost with its region")
                    .isEqualTo(1);
            var config = new AggregatorConfigLoader(tokens()).parse(yaml, null).config();
            FailoverModel.Prediction predicted = FailoverModel.predict(
                    FailoverModel.Inputs.of(config, config.targets().get(0)),
                    FailoverModel.Scenario.REGION_LOST,
                    Predictions.TRIALS,
                    Predictions.SEED);
            assertThat(verdict[0])
                    .as(
                            "verdict within the predicted worst case %.0f s (+2 s slack)",
                            predicted.verdict().worst())
                    .isLessThan(predicted.verdict().worst() + 2);
            TABLE.row(
                    13,
                    "two regions: us-east-1 lost with its agent (endpoint and agent containers stopped)",
                    "api-us-east-1 UNHEALTHY within the prediction; api-eu-west-1 never UNHEALTHY",
                    String.format(
                            Locale.ROOT,
                            "UNHEALTHY, agent-us-east-1 counted lost with its region (simulate region-lost: verdict "
                                    + "%.0f / %.0f / %.0f s, first datum %.0f / %.0f / %.0f s); api-eu-west-1 HEALTHY",
                            predicted.verdict().best(),
                            predicted.verdict().typical(),
                            predicted.verdict().worst(),
                            predicted.firstDatum().best(),
                            predicted.firstDatum().typical(),
                            predicted.firstDatum().worst()),
                    Matrix.seconds(verdict[0]),
                    Matrix.seconds(datum));
        } finally {
            Fleet.startKept(endpoint);
            Fleet.startKept(agent);
        }
    }

    /** agent-us-east-1 cut off from both endpoints: blind, its votes set aside; nothing UNHEALTHY. */
    @Test
    @Order(2)
    void oneAgentBlindFailsNothingOver() throws Exception {
        fleet.cutOff("us-east-1", true);
        try {
            long cutAt = System.currentTimeMillis();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> blind("agent-us-east-1"));
            double judged = (System.currentTimeMillis() - cutAt) / 1000.0;
            List<Map<String, String>> seen = observe(Duration.ofSeconds(15));
            assertThat(seen).as("no false UNHEALTHY").containsOnly(ALL_HEALTHY);
            assertThat(bridge.datums("Healthy", "api-us-east-1", cutAt))
                    .as("no Healthy=0 reached CloudWatch")
                    .doesNotContain(0.0);
            TABLE.row(
                    14,
                    "two regions: agent-us-east-1 cut off from both endpoints (blind)",
                    "no target UNHEALTHY; the agent shown blind",
                    String.format(
                            Locale.ROOT,
                            "judged blind after %.1f s; both targets HEALTHY throughout (%d samples, %d UNHEALTHY)",
                            judged,
                            seen.size(),
                            unhealthyRounds(seen)),
                    "—",
                    "—");
        } finally {
            fleet.cutOff("us-east-1", false);
        }
    }

    /**
     * agent-us-east-1 blind, then agent-eu-west-1 restarted (down 11 s: longer than the freshness window and, with its
     * last result's age, than regionLostAfter). Nobody else can see, so the blind agent's unhealthy votes must stay set
     * aside: never UNHEALTHY, only INSUFFICIENT_DATA while no vote stands.
     */
    @Test
    @Order(3)
    void anAgentRestartBesideABlindRegionFailsNothingOver() throws Exception {
        GenericContainer<?> restarting = fleet.agents.get("eu-west-1");
        fleet.cutOff("us-east-1", true);
        List<Map<String, String>> seen = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> blind("agent-us-east-1"));
            Fleet.stopKept(restarting);
            try {
                seen.addAll(observe(Duration.ofSeconds(11))); // down for longer than the freshness window
            } finally {
                Fleet.startKept(restarting);
            }
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        Map<String, String> now = verdicts();
                        seen.add(now);
                        return now.equals(ALL_HEALTHY);
                    });
            seen.addAll(observe(Duration.ofSeconds(5)));
        } finally {
            fleet.cutOff("us-east-1", false);
        }
        assertThat(unhealthyRounds(seen)).as("false UNHEALTHY samples").isZero();
        TABLE.row(
                15,
                "two regions: agent-eu-west-1 restarted (down 11 s) while agent-us-east-1 is blind",
                "never UNHEALTHY",
                String.format(
                        Locale.ROOT,
                        "never UNHEALTHY (%d samples, %d UNHEALTHY); %s",
                        seen.size(),
                        unhealthyRounds(seen),
                        seen.stream().anyMatch(v -> v.containsValue("INSUFFICIENT_DATA"))
                                ? "INSUFFICIENT_DATA while no vote stood, HEALTHY again after the restart"
                                : "HEALTHY throughout"),
                "—",
                "—");
    }
}
