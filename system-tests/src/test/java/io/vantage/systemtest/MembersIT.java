package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.round.FailoverRange;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The failure matrix's members rows with three regions: each vantage point runs as two agent processes (same id and
 * token, their own {@code VANTAGE_INSTANCE}), the packaged jars on loopback; each region has its endpoint (a loopback
 * server) with two targets on it. Probes every 1 s with a 800 ms timeout, quorum 2 healthy of at least 2 fresh, rise 2,
 * fall 2, freshness 3 s; the agents push every 500 ms and fetch their shares every second. A member is killed with
 * SIGKILL. Each run writes its rows to system-tests/target/failure-matrix-members.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MembersIT {
    static final double INTERVAL = 1;
    /** Push every 500 ms, the round, and the polling: what a reading's age may add to the probe interval. */
    static final double SLACK = 1;

    static final Map<String, String> REGIONS = new LinkedHashMap<>();
    static final Map<String, String> ALL_HEALTHY = new LinkedHashMap<>();
    static final Matrix.Table TABLE = new Matrix.Table("failure → verdict");

    static {
        for (String region : Fleet.REGIONS) {
            REGIONS.put("agent-" + region, region);
            ALL_HEALTHY.put("api-" + region + "-1", "HEALTHY");
            ALL_HEALTHY.put("api-" + region + "-2", "HEALTHY");
        }
    }

    static Path directory;
    static Vertx vertx;
    static Map<String, MemberProcesses.Endpoint> endpoints = new LinkedHashMap<>();
    static MemberProcesses fleet;
    static String yaml;

    @BeforeAll
    static void start() throws Exception {
        directory = Files.createTempDirectory("members-it");
        vertx = Vertx.vertx();
        fleet = new MemberProcesses(directory, List.copyOf(REGIONS.keySet()));
        StringBuilder config = new StringBuilder(fleet.aggregatorYaml(REGIONS, ""));
        for (String region : Fleet.REGIONS) {
            MemberProcesses.Endpoint endpoint = new MemberProcesses.Endpoint(vertx);
            endpoints.put(region, endpoint);
            for (int i = 1; i <= 2; i++) {
                config.append("  - {name: api-")
                        .append(region)
                        .append('-')
                        .append(i)
                        .append(", interval: 1s, timeout: 800ms, http: {url: '")
                        .append(endpoint.url())
                        .append("', expectBody: {jsonPointer: {path: /status, equals: UP}}}, ")
                        .append("quorum: {minVantages: 2, healthy: 2, rise: 2, fall: 2}}\n");
            }
        }
        yaml = config.toString();
        fleet.startAggregator(yaml);
        for (String region : Fleet.REGIONS) {
            fleet.startMember("agent-" + region, region, region + "-a");
            fleet.startMember("agent-" + region, region, region + "-b");
        }
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    fleet.assertRunning();
                    return fleet.verdicts().equals(ALL_HEALTHY);
                });
        for (String agent : REGIONS.keySet()) {
            // perVantage 2 of two members: both probe every target
            fleet.awaitSettledShares(agent, ALL_HEALTHY.size(), 2);
        }
    }

    /** Every row starts from the settled fleet: every target HEALTHY on every vantage point's fresh vote. */
    @BeforeEach
    void settled() {
        Matrix.awaitSettled(() -> List.of(fleet.status()), ALL_HEALTHY, REGIONS.size());
    }

    @AfterAll
    static void stop() throws Exception {
        TABLE.write(
                Repository.root().resolve("system-tests/target/failure-matrix-members.md"),
                "three regions, two agent processes per vantage point (perVantage 2), probes every 1 s, timeout "
                        + "800 ms, quorum 2 of at least 2 fresh, rise/fall 2, freshness 3 s.");
        try {
            if (fleet != null) {
                fleet.close();
            }
        } finally {
            endpoints.values().forEach(MemberProcesses.Endpoint::close);
            if (vertx != null) {
                vertx.close().await();
            }
        }
    }

    /** The statuses read every 200 ms for {@code window}. */
    static List<JsonNode> watch(Duration window) throws Exception {
        List<JsonNode> seen = new ArrayList<>();
        long until = System.currentTimeMillis() + window.toMillis();
        while (System.currentTimeMillis() < until) {
            seen.add(fleet.status());
            TimeUnit.MILLISECONDS.sleep(200); // sampling over a window: the assertion is about everything seen in it
        }
        return seen;
    }

    /** The largest age of {@code agent}'s newest reading of any target in {@code statuses}; NaN when one had none. */
    static double oldestReading(List<JsonNode> statuses, String agent) {
        double oldest = 0;
        for (JsonNode status : statuses) {
            for (JsonNode target : status.get("targets")) {
                boolean found = false;
                for (JsonNode vantage : target.get("vantages")) {
                    if (vantage.path("agentId").asText().equals(agent)) {
                        found = true;
                        JsonNode age = vantage.get("ageSeconds");
                        if (age == null || age.isNull()) {
                            return Double.NaN;
                        }
                        oldest = Math.max(oldest, age.asDouble());
                    }
                }
                if (!found) {
                    return Double.NaN;
                }
            }
        }
        return oldest;
    }

    /**
     * One of us-east-1's two members is killed. The other already probes every target (perVantage 2), so the vantage
     * point's vote never goes missing: no verdict moves, never INSUFFICIENT_DATA, and its newest reading of every
     * target stays within two intervals (plus push slack), watched for 50 s: across the killed member leaving the
     * shares when it has been silent for 45 s.
     */
    @Test
    @Order(1)
    void oneMemberOfARegionIsKilled() throws Exception {
        fleet.kill("us-east-1-b");
        List<JsonNode> seen = watch(Duration.ofSeconds(50));
        fleet.assertRunning();
        List<Map<String, String>> verdicts = seen.stream().map(Matrix::verdicts).toList();
        double oldest = oldestReading(seen, "agent-us-east-1");
        System.out.printf(
                Locale.ROOT,
                "members: us-east-1-b killed; %d statuses in 50 s, agent-us-east-1's oldest newest reading %.2f s%n",
                seen.size(),
                oldest);
        assertThat(verdicts).as("no verdict moves, never INSUFFICIENT_DATA").containsOnly(ALL_HEALTHY);
        assertThat(oldest)
                .as("agent-us-east-1's newest reading of every target, at most two intervals old (+ %.0f s)", SLACK)
                .isLessThanOrEqualTo(2 * INTERVAL + SLACK);
        assertThat(fleet.share("us-east-1-a"))
                .as("the survivor probes every target")
                .containsExactlyInAnyOrderElementsOf(ALL_HEALTHY.keySet());
        TABLE.row(
                16,
                "members: one of us-east-1's two agent processes killed (SIGKILL), watched 50 s (it leaves at 45 s)",
                "no verdict moves, never INSUFFICIENT_DATA; every target still probed by us-east-1 within 2 intervals",
                String.format(
                        Locale.ROOT,
                        "all HEALTHY in %d statuses (every 200 ms); us-east-1's newest reading at most %.1f s old",
                        seen.size(),
                        oldest),
                "—",
                "—");
    }

    /**
     * eu-west-1 is lost with every member of its vantage point: both agent processes killed and its endpoint hangs.
     * The other two vantage points agree its targets are down: UNHEALTHY within the failover model's worst case for
     * an endpoint that hangs (as row 12 with one process per vantage point), nothing else UNHEALTHY.
     */
    @Test
    @Order(2)
    void aRegionIsLostWithAllItsMembers() throws Exception {
        fleet.kill("eu-west-1-a");
        fleet.kill("eu-west-1-b");
        long lostAt = System.currentTimeMillis();
        endpoints.get("eu-west-1").breakIt();
        List<Map<String, String>> seen = new ArrayList<>();
        double[] verdict = {Double.NaN};
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Map<String, String> now = fleet.verdicts();
                    seen.add(now);
                    if (now.get("api-eu-west-1-1").equals("UNHEALTHY")
                            && now.get("api-eu-west-1-2").equals("UNHEALTHY")) {
                        verdict[0] = (System.currentTimeMillis() - lostAt) / 1000.0;
                        return true;
                    }
                    return false;
                });
        seen.addAll(watch(Duration.ofSeconds(5)).stream().map(Matrix::verdicts).toList());
        assertThat(seen)
                .as("the other regions' targets never UNHEALTHY")
                .allMatch(v -> v.entrySet().stream()
                        .filter(e -> !e.getKey().startsWith("api-eu-west-1-"))
                        .noneMatch(e -> e.getValue().equals("UNHEALTHY")));
        var config = new AggregatorConfigLoader(fleet.tokenEnvironment())
                .parse(yaml, null)
                .config();
        var target = config.targets().stream()
                .filter(t -> t.name().equals("api-eu-west-1-1"))
                .findFirst()
                .orElseThrow();
        FailoverRange predicted = FailoverModel.predict(
                        FailoverModel.Inputs.of(config, target),
                        FailoverModel.Scenario.ENDPOINT_HANG,
                        Predictions.TRIALS,
                        Predictions.SEED)
                .verdict();
        System.out.printf(
                Locale.ROOT,
                "members: eu-west-1 lost with both members; UNHEALTHY after %.1f s (predicted %.0f / %.0f / %.0f s)%n",
                verdict[0],
                predicted.best(),
                predicted.typical(),
                predicted.worst());
        assertThat(verdict[0])
                .as("verdict within the predicted worst case %.0f s (+2 s slack)", predicted.worst())
                .isLessThan(predicted.worst() + 2);
        TABLE.row(
                17,
                "members: eu-west-1 lost with both its agent processes (both killed, its endpoint hangs)",
                "its targets UNHEALTHY within the prediction; nothing else UNHEALTHY",
                String.format(
                        Locale.ROOT,
                        "both UNHEALTHY (predicted %.0f / %.0f / %.0f s); the other targets never UNHEALTHY",
                        predicted.best(),
                        predicted.typical(),
                        predicted.worst()),
                Matrix.seconds(verdict[0]),
                "—");
    }
}
