package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.aws.AwsClients;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.testing.aws.LocalAws;
import io.vantage.testing.aws.LocalAwsBridge;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.GenericContainer;

/**
 * The multi-region failure matrix: three regions (agent + endpoint each), two aggregator replicas each on its
 * own control network, CloudWatch and Route 53 on moto behind the protocol bridge. Each scenario breaks the
 * world, asserts verdicts over time and what reached CloudWatch, and records detection times; the table is
 * written to system-tests/target/failure-matrix.md (docs/failure-matrix.md keeps the latest).
 * Probes every 3 s with a 2 s timeout and maxLatency 1 s, quorum 2 healthy of at least 2 fresh, rise 2, fall 2; freshness 9 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailureMatrixIT {
    static final double INTERVAL = 3;
    static final double TIMEOUT = 2;
    static final int FALL = 2;
    static final List<String> TARGETS = List.of("api-us-east-1", "api-eu-west-1", "api-ap-southeast-2");
    static final Map<String, String> ALL_HEALTHY =
            Map.of("api-us-east-1", "HEALTHY", "api-eu-west-1", "HEALTHY", "api-ap-southeast-2", "HEALTHY");
    static final Matrix.Table TABLE = new Matrix.Table("failure → verdict (replica 1 / 2)");
    /** The verdicts every row starts from; adding and removing targets changes them. */
    static Map<String, String> baseline = ALL_HEALTHY;

    static LocalAws aws;
    static LocalAwsBridge bridge;
    static Fleet fleet;

    static String aggregatorYaml(String endpoint, List<String> targets) {
        StringBuilder yaml = Fleet.aggregatorYaml(Fleet.REGIONS).append(Fleet.awsSettings(endpoint));
        for (String target : targets) {
            String region = target.substring(target.indexOf('-') + 1);
            yaml.append("  - {name: ")
                    .append(target)
                    .append(", interval: 3s, timeout: 2s, http: {url: 'http://endpoint-")
                    .append(region.replace("-canary", ""))
                    .append(":8080/health', expectBody: {jsonPointer: {path: /status, equals: UP}}, maxLatency: 1s}, ")
                    .append("quorum: {minVantages: 2, healthy: 2, rise: 2, fall: 2}}\n");
        }
        return yaml.toString();
    }

    @BeforeAll
    static void start() throws Exception {
        Fleet.requireDockerAndBaseImages();
        fleet = new Fleet();
        // The bridge listens on the host's address on the first control network; both replicas reach it there.
        Map<String, String> tokens = new HashMap<>();
        Fleet.REGIONS.forEach(region -> tokens.put(Fleet.tokenVariable(region), "matrix-token-" + region));
        String agentYaml = "agent:\n  aggregators: [{url: 'http://aggregator-1:8080', tokenEnv: VANTAGE_TOKEN}, "
                + "{url: 'http://aggregator-2:8080', tokenEnv: VANTAGE_TOKEN}]\n  targetsRefresh: 2s\n  pushInterval: 500ms\nserver: {port: 9100}\n";
        fleet.startNetworksFirst(2);
        String gateway = Fleet.gateway(fleet.controls.get(0));
        aws = LocalAws.start(gateway);
        bridge = aws.bridge();
        fleet.start(
                aggregatorYaml(aws.endpoint(), TARGETS),
                agentYaml,
                tokens,
                2,
                Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing"));
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> verdicts(0).equals(ALL_HEALTHY) && verdicts(1).equals(ALL_HEALTHY));
    }

    /** Every row starts from the settled fleet, whatever the row before it did or failed to undo. */
    @BeforeEach
    void settled() {
        Matrix.awaitSettled(() -> List.of(status(0), status(1)), baseline, Fleet.REGIONS.size());
    }

    @AfterAll
    static void stop() throws Exception {
        TABLE.write(
                Repository.root().resolve("system-tests/target/failure-matrix.md"),
                "probes every 3 s, timeout 2 s, maxLatency 1 s, quorum 2 of at least 2 fresh, rise/fall 2, publish every "
                        + "2 s.");
        if (fleet != null) {
            fleet.close();
        }
        if (aws != null) {
            aws.close();
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------

    static Map<String, String> verdicts(int replica) throws Exception {
        return Matrix.verdicts(status(replica));
    }

    static JsonNode status(int replica) throws Exception {
        return Matrix.status(fleet, fleet.aggregators.get(replica));
    }

    static void control(String region, String action) throws Exception {
        // Through the endpoint's address on the test's backbone network (published ports are unreliable for
        // containers that joined networks after start; see Fleet.ipOn).
        String address = Fleet.ipOn(fleet.endpoints.get(region), fleet.backbone);
        int code = Matrix.HTTP
                .send(
                        HttpRequest.newBuilder(URI.create("http://" + address + ":8080/control/" + action))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
        assertThat(code).isEqualTo(204);
    }

    /** Seconds from {@code since} until both replicas satisfy {@code condition} (each measured separately). */
    static double[] detect(long since, Duration atMost, Predicate<Map<String, String>> condition) {
        double[] seconds = {Double.NaN, Double.NaN};
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (int replica = 0; replica < 2; replica++) {
                if (Double.isNaN(seconds[replica]) && condition.test(verdicts(replica))) {
                    seconds[replica] = (System.currentTimeMillis() - since) / 1000.0;
                }
            }
            return !Double.isNaN(seconds[0]) && !Double.isNaN(seconds[1]);
        });
        return seconds;
    }

    /** Values of Healthy{Target=target} that reached CloudWatch after {@code since}, in arrival order. */
    static List<Double> healthyDatums(String target, long since) {
        return bridge.datums("Healthy", target, since);
    }

    static double firstZeroDatum(String target, long since, Duration atMost) {
        return Matrix.firstZeroDatum(bridge, target, since, atMost);
    }

    /** Every verdict map of both replicas seen while sampling for {@code window}. */
    static List<Map<String, String>> observe(Duration window) throws Exception {
        return Matrix.observe(window, () -> List.of(verdicts(0), verdicts(1)));
    }

    // --- the matrix ----------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void endpointDownInOneRegion() throws Exception {
        long failedAt = System.currentTimeMillis();
        double[] verdict;
        double datum;
        control("eu-west-1", "break");
        try {
            verdict = detect(
                    failedAt,
                    Duration.ofSeconds(30),
                    v -> v.get("api-eu-west-1").equals("UNHEALTHY"));
            datum = firstZeroDatum("api-eu-west-1", failedAt, Duration.ofSeconds(30));
            assertThat(verdicts(0))
                    .containsEntry("api-us-east-1", "HEALTHY")
                    .containsEntry("api-ap-southeast-2", "HEALTHY");
            assertThat(verdicts(1))
                    .containsEntry("api-us-east-1", "HEALTHY")
                    .containsEntry("api-ap-southeast-2", "HEALTHY");
        } finally {
            control("eu-west-1", "repair");
        }
        // interval + timeout + fall rounds, plus a push and an evaluation: the bound the issue states, with 2 s of
        // slack.
        double bound = INTERVAL + TIMEOUT + FALL * INTERVAL + 2;
        assertThat(Math.max(verdict[0], verdict[1]))
                .as("detection within interval + timeout + fall rounds")
                .isLessThan(bound);
        TABLE.row(
                1,
                "endpoint in eu-west-1 returns 503",
                "only api-eu-west-1 UNHEALTHY",
                "api-eu-west-1 UNHEALTHY on both replicas, others HEALTHY",
                Matrix.seconds(verdict),
                Matrix.seconds(datum));
    }

    @Test
    @Order(2)
    void endpointGetsSlowThenRecovers() throws Exception {
        long slowAt = System.currentTimeMillis();
        double[] verdict;
        double datum;
        control("us-east-1", "slow");
        try {
            verdict = detect(
                    slowAt, Duration.ofSeconds(30), v -> v.get("api-us-east-1").equals("UNHEALTHY"));
            datum = firstZeroDatum("api-us-east-1", slowAt, Duration.ofSeconds(30));
            List<String> reasons = new ArrayList<>();
            for (JsonNode target : status(0).get("targets")) {
                if (target.get("name").asText().equals("api-us-east-1")) {
                    target.get("vantages")
                            .forEach(vantage -> reasons.add(
                                    vantage.path("reason").isTextual()
                                            ? vantage.get("reason").asText()
                                            : "none"));
                }
            }
            // Slow, not down: the failing vantage points say the answer came too late (maxLatency), not that it
            // failed (one whose next probe is not due yet may still show its last success).
            assertThat(reasons)
                    .as("why each vantage point fails api-us-east-1")
                    .contains("too_slow")
                    .isSubsetOf("too_slow", "none");
        } finally {
            control("us-east-1", "repair");
        }
        long repairedAt = System.currentTimeMillis();
        double[] recovered = detect(
                repairedAt, Duration.ofSeconds(30), v -> v.get("api-us-east-1").equals("HEALTHY"));
        TABLE.row(
                2,
                "endpoint in us-east-1 answers in 1.5 s (maxLatency 1 s), then recovers",
                "UNHEALTHY (too_slow), HEALTHY again after rise",
                "UNHEALTHY, then HEALTHY " + Matrix.seconds(recovered) + " after repair",
                Matrix.seconds(verdict),
                Matrix.seconds(datum));
    }

    @Test
    @Order(3)
    void oneAgentRegionLosesItsNetworkToAllEndpoints() throws Exception {
        fleet.cutOff("ap-southeast-2", true);
        try {
            List<Map<String, String>> seen = observe(Duration.ofSeconds(12));
            assertThat(seen).as("the quorum holds: nothing becomes UNHEALTHY").containsOnly(ALL_HEALTHY);
            assertThat(status(0).toString())
                    .as("failing every target the others see healthy: blind, its votes set aside")
                    .contains("\"agentId\":\"agent-ap-southeast-2\",\"region\":\"ap-southeast-2\",\"state\":\"blind\"");
            assertThat(status(0).at("/agents/2/blind").asBoolean()).isTrue();
        } finally {
            fleet.cutOff("ap-southeast-2", false);
        }
        TABLE.row(
                3,
                "agent in ap-southeast-2 cut off from every endpoint",
                "no target UNHEALTHY; its vantage shown failing",
                "all HEALTHY for 12 s on both replicas; agent-ap-southeast-2 shown blind (dns/connect errors, votes set aside)",
                "—",
                "—");
    }

    @Test
    @Order(4)
    void agentsCannotReachReplicaOne() throws Exception {
        for (GenericContainer<?> agent : fleet.agents.values()) {
            Fleet.disconnect(agent, fleet.controls.get(0));
        }
        long cutAt = System.currentTimeMillis();
        double[] blind = {Double.NaN};
        try {
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        boolean insufficient = verdicts(0).values().stream().allMatch("INSUFFICIENT_DATA"::equals);
                        if (insufficient) {
                            blind[0] = (System.currentTimeMillis() - cutAt) / 1000.0;
                        }
                        return insufficient;
                    });
            long afterBlind = System.currentTimeMillis();
            String replica2 = Fleet.ipOn(fleet.aggregators.get(1), fleet.controls.get(1));
            String replica1 = Fleet.ipOn(fleet.aggregators.get(0), fleet.controls.get(0));
            // Three publish cycles of replica 2 with Healthy datums, then what replica 1 sent in the same time.
            await("replica 2 keeps publishing Healthy")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> puts(afterBlind).stream()
                                    .filter(s -> s.from().equals(replica2)
                                            && s.body().contains("\"Healthy\""))
                                    .count()
                            >= 3);
            assertThat(puts(afterBlind).stream().filter(s -> s.from().equals(replica1)))
                    .as("blind replica 1 publishes no Healthy datum")
                    .noneMatch(s -> s.body().contains("\"MetricName\":\"Healthy\""));
            assertThat(verdicts(1)).isEqualTo(ALL_HEALTHY);
        } finally {
            for (GenericContainer<?> agent : fleet.agents.values()) {
                Fleet.connect(agent, fleet.controls.get(0), null);
            }
        }
        TABLE.row(
                4,
                "agents cannot reach aggregator replica 1",
                "replica 2 keeps publishing; replica 1 fails static",
                String.format(
                        Locale.ROOT,
                        "replica 1 INSUFFICIENT_DATA after %.1f s and sends no Healthy; replica 2 HEALTHY and publishing",
                        blind[0]),
                "—",
                "—");
    }

    /** The PutMetricData requests the bridge saw from {@code since} on. */
    static List<LocalAwsBridge.Seen> puts(long since) {
        return bridge.seen("PutMetricData").stream()
                .filter(s -> s.at() >= since)
                .toList();
    }

    @Test
    @Order(5)
    void endpointFailsEveryOtherProbe() throws Exception {
        control("eu-west-1", "flap");
        List<Map<String, String>> seen;
        try {
            seen = observe(Duration.ofSeconds(20));
        } finally {
            control("eu-west-1", "repair");
        }
        assertThat(seen).as("the verdict does not flap").containsOnly(ALL_HEALTHY);
        TABLE.row(
                7,
                "endpoint in eu-west-1 fails every other request",
                "verdict does not flap",
                "HEALTHY throughout 20 s (about 7 probe rounds per agent) on both replicas",
                "—",
                "—");
    }

    @Test
    @Order(6)
    void cloudWatchFailsForAWhile() throws Exception {
        bridge.fail("PutMetricData", 1_000, 500, "InternalServiceFault");
        long failingSince = System.currentTimeMillis();
        long recoveredAt;
        double datum;
        long attempts;
        try {
            // The scenario is an outage of a given length: 15 s here (a minute in the issue; the behaviour is the
            // same per publish). Nothing is awaited; the attempts made in it are counted below.
            TimeUnit.SECONDS.sleep(15);
            bridge.fail("PutMetricData", 0, 500, "InternalServiceFault");
            recoveredAt = System.currentTimeMillis();
            control("us-east-1", "break");
            datum = firstZeroDatum("api-us-east-1", recoveredAt, Duration.ofSeconds(30));
            String metrics = Matrix.HTTP
                    .send(
                            HttpRequest.newBuilder(URI.create(fleet.url(fleet.aggregators.get(0), 8080, "/metrics")))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics).containsPattern("vantage_cloudwatch_publish_total\\{outcome=\"failure\"\\} [1-9]");
            attempts = bridge.seen("PutMetricData").stream()
                    .filter(s -> s.at() >= failingSince && s.at() < recoveredAt)
                    .count();
            assertThat(attempts).as("retried during the outage").isGreaterThan(15 / 2);
            assertThat(fleet.aggregators.get(0).isRunning()
                            && fleet.aggregators.get(1).isRunning())
                    .isTrue();
        } finally {
            bridge.fail("PutMetricData", 0, 500, "InternalServiceFault");
            control("us-east-1", "repair");
        }
        TABLE.row(
                8,
                "CloudWatch answers 500 to every PutMetricData for 15 s",
                "retries, failures counted, recovery with current values",
                attempts + " attempts during the outage; failure counter > 0; after it, the current Healthy=0 arrives",
                "—",
                Matrix.seconds(datum));
    }

    @Test
    @Order(7)
    void aReplicaIsKilledAndRestarted() throws Exception {
        fleet.aggregators.get(1).stop();
        long restartedAt = System.currentTimeMillis();
        GenericContainer<?> restarted = fleet.startAggregator(1);
        fleet.aggregators.set(1, restarted);
        List<Map<String, String>> seen = new ArrayList<>();
        double[] correct = {Double.NaN};
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Map<String, String> verdicts = verdicts(1);
                    seen.add(verdicts);
                    if (verdicts.equals(ALL_HEALTHY)) {
                        correct[0] = (System.currentTimeMillis() - restartedAt) / 1000.0;
                        return true;
                    }
                    return false;
                });
        assertThat(seen)
                .as("only INSUFFICIENT_DATA on the way, never UNHEALTHY")
                .allMatch(v -> v.values().stream().noneMatch("UNHEALTHY"::equals));
        TABLE.row(
                6,
                "aggregator replica 2 killed and restarted",
                "correct again within one freshness window, no spurious verdict",
                String.format(
                        Locale.ROOT,
                        "HEALTHY everywhere %.1f s after the new container was ready (freshness 9 s); never UNHEALTHY",
                        correct[0] - 0.0),
                "—",
                "—");
    }

    /**
     * This machine's kernel has no sch_netem, so the 300 ms are added by every endpoint to the requests coming
     * from us-east-1's agent addresses (application-level latency: the TCP connect itself is not delayed).
     */
    @Test
    @Order(8)
    void latencyAddedBetweenOneRegionAndTheEndpoints() throws Exception {
        GenericContainer<?> agent = fleet.agents.get("us-east-1");
        List<String> addresses =
                List.of(Fleet.ipOn(agent, fleet.backbone), Fleet.ipOn(agent, fleet.regions.get("us-east-1")));
        for (String region : Fleet.REGIONS) {
            for (String address : addresses) {
                control(region, "delay/" + address + "/300");
            }
        }
        try {
            List<Map<String, String>> seen = observe(Duration.ofSeconds(12));
            assertThat(seen).as("no false verdict with 300 ms more latency").containsOnly(ALL_HEALTHY);
            JsonNode usAgent = null;
            for (JsonNode vantage : status(0).at("/targets/1/vantages")) {
                if (vantage.path("agentId").asText().equals("agent-us-east-1")) {
                    usAgent = vantage;
                }
            }
            assertThat(usAgent).isNotNull();
            assertThat(usAgent.path("state").asText())
                    .as("the delayed agent still succeeds within its timeout")
                    .isEqualTo("healthy");
            assertThat(usAgent.path("totalMs").asDouble())
                    .as("and its probes show the added latency")
                    .isGreaterThan(300);
            TABLE.row(
                    10,
                    "300 ms more latency between us-east-1's agent and every endpoint (endpoint-side: no netem in this kernel)",
                    "no false verdict at the configured timeout",
                    String.format(
                            Locale.ROOT,
                            "all HEALTHY for 12 s; agent-us-east-1's probes take %.0f ms and succeed",
                            usAgent.path("totalMs").asDouble()),
                    "—",
                    "—");
        } finally {
            for (String region : Fleet.REGIONS) {
                for (String address : addresses) {
                    control(region, "delay/" + address + "/0");
                }
            }
        }
    }

    /**
     * Agents restart one by one (each down longer than the freshness window, so its vote goes missing) while
     * ap-southeast-2's agent cannot reach any endpoint. With one healthy vote, one blind vote and one missing,
     * the missing one could overturn an UNHEALTHY verdict: the quorum must say INSUFFICIENT_DATA, never UNHEALTHY.
     */
    @Test
    @Order(9)
    void rollingRestartOfEveryAgentWhileOneRegionIsBlind() throws Exception {
        fleet.cutOff("ap-southeast-2", true);
        List<Map<String, String>> seen = new ArrayList<>();
        try {
            seen.addAll(observe(Duration.ofSeconds(6)));
            for (String region : Fleet.REGIONS) {
                GenericContainer<?> agent = fleet.agents.get(region);
                Fleet.stopKept(agent);
                try {
                    // longer than the 9 s freshness window: its vote goes missing
                    seen.addAll(observe(Duration.ofSeconds(11)));
                } finally {
                    Fleet.startKept(agent);
                }
                String id = "agent-" + region;
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            seen.add(verdicts(0));
                            seen.add(verdicts(1));
                            return votes(0, id) && votes(1, id);
                        });
            }
            seen.addAll(observe(Duration.ofSeconds(6)));
        } finally {
            fleet.cutOff("ap-southeast-2", false);
        }
        assertThat(seen)
                .as("never UNHEALTHY while agents rejoin beside a blind one")
                .allMatch(v -> !v.containsValue("UNHEALTHY"));
        boolean undecided = seen.stream().anyMatch(v -> v.containsValue("INSUFFICIENT_DATA"));
        TABLE.row(
                11,
                "every agent restarted in turn (each down 11 s, longer than freshness) while ap-southeast-2's agent is blind",
                "never UNHEALTHY: a missing vote could overturn it",
                "never UNHEALTHY on either replica; "
                        + (undecided
                                ? "INSUFFICIENT_DATA while one healthy, one blind and one missing vote stood"
                                : "HEALTHY throughout"),
                "—",
                "—");
    }

    /**
     * A region is lost with its agent: eu-west-1's endpoint and agent both stop. The other two agree the endpoint
     * is down, and the missing agent could not make it 2 of 3: UNHEALTHY, within the time the failover model
     * predicts for these settings when an endpoint stops answering (its worst case for the verdict, plus the
     * test's polling and push slack).
     */
    @Test
    @Order(10)
    void aRegionIsLostWithItsAgent() throws Exception {
        GenericContainer<?> agent = fleet.agents.get("eu-west-1");
        GenericContainer<?> endpoint = fleet.endpoints.get("eu-west-1");
        try {
            Fleet.stopKept(agent);
            long lostAt = System.currentTimeMillis();
            Fleet.stopKept(endpoint);
            List<Map<String, String>> seen = new ArrayList<>();
            double[] verdict = detect(lostAt, Duration.ofSeconds(60), v -> {
                seen.add(v);
                return v.get("api-eu-west-1").equals("UNHEALTHY");
            });
            double datum = firstZeroDatum("api-eu-west-1", lostAt, Duration.ofSeconds(30));
            assertThat(seen)
                    .as("the other regions' targets never UNHEALTHY (status: %s)", status(0))
                    .allMatch(v -> !v.get("api-us-east-1").equals("UNHEALTHY")
                            && !v.get("api-ap-southeast-2").equals("UNHEALTHY"));
            Map<String, String> tokens = new HashMap<>();
            Fleet.REGIONS.forEach(region -> tokens.put(Fleet.tokenVariable(region), "matrix-token-" + region));
            var config = new AggregatorConfigLoader(tokens)
                    .parse(aggregatorYaml(aws.endpoint(), TARGETS), null)
                    .config();
            var target = config.targets().stream()
                    .filter(t -> t.name().equals("api-eu-west-1"))
                    .findFirst()
                    .orElseThrow();
            // The lost endpoint's address is gone: the other agents' probes time out, as in the model's endpoint-hang
            // scenario.
            FailoverRange predicted = FailoverModel.predict(
                            new FailoverModel.Inputs(
                                    target,
                                    config.agents().size(),
                                    config.cloudwatch().publishEvery(),
                                    config.alarm()),
                            FailoverModel.Scenario.ENDPOINT_HANG,
                            Predictions.TRIALS,
                            Predictions.SEED)
                    .verdict();
            assertThat(Math.max(verdict[0], verdict[1]))
                    .as("verdict within the predicted worst case %.0f s (+2 s slack)", predicted.worst())
                    .isLessThan(predicted.worst() + 2);
            boolean othersUndecided = seen.stream()
                    .anyMatch(v -> !v.get("api-us-east-1").equals("HEALTHY")
                            || !v.get("api-ap-southeast-2").equals("HEALTHY"));
            TABLE.row(
                    12,
                    "eu-west-1 lost with its agent (endpoint and agent containers stopped)",
                    "api-eu-west-1 UNHEALTHY within the prediction; " + "nothing else UNHEALTHY",
                    String.format(
                            Locale.ROOT,
                            "UNHEALTHY on both replicas (predicted %.0f / %.0f / %.0f s); the other targets %s",
                            predicted.best(),
                            predicted.typical(),
                            predicted.worst(),
                            othersUndecided ? "never UNHEALTHY (briefly INSUFFICIENT_DATA)" : "HEALTHY"),
                    Matrix.seconds(verdict),
                    Matrix.seconds(datum));
        } finally {
            Fleet.startKept(endpoint);
            Fleet.startKept(agent);
        }
    }

    /** Whether {@code agentId}'s latest result for the first target is fresh on {@code replica} (a blind one's too). */
    static boolean votes(int replica, String agentId) throws Exception {
        for (JsonNode vantage : status(replica).at("/targets/0/vantages")) {
            if (vantage.path("agentId").asText().equals(agentId)) {
                String state = vantage.path("state").asText();
                return state.equals("healthy") || state.equals("unhealthy") || state.equals("blind");
            }
        }
        return false;
    }

    @Test
    @Order(11)
    void targetsAddedAndRemovedWhileRunning() throws Exception {
        List<String> next = List.of("api-us-east-1", "api-eu-west-1", "api-eu-west-1-canary");
        String endpoint = aws.endpoint();
        Map<String, String> expected =
                Map.of("api-us-east-1", "HEALTHY", "api-eu-west-1", "HEALTHY", "api-eu-west-1-canary", "HEALTHY");
        fleet.rewriteAggregatorConfig(aggregatorYaml(endpoint, next));
        baseline = expected;
        long changedAt = System.currentTimeMillis();
        double[] pickedUp = detect(changedAt, Duration.ofSeconds(40), expected::equals);
        // Alarms and health checks follow at the next reconcile (every minute): the new target's appear, the removed
        // one's go.
        var cloudWatch = AwsClients.cloudWatch(
                "us-east-1",
                URI.create(endpoint),
                Duration.ofSeconds(10),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try {
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        var names = cloudWatch.describeAlarms().get().metricAlarms().stream()
                                .map(a -> a.alarmName())
                                .toList();
                        return names.contains("vantage-api-eu-west-1-canary-unhealthy")
                                && !names.contains("vantage-api-ap-southeast-2-unhealthy");
                    });
        } finally {
            cloudWatch.close();
        }
        double reconciled = (System.currentTimeMillis() - changedAt) / 1000.0;
        TABLE.row(
                9,
                "target api-eu-west-1-canary added and api-ap-southeast-2 removed in the aggregators' file",
                "agents pick it up; alarms and health checks reconciled, orphans removed",
                String.format(
                        Locale.ROOT,
                        "new target HEALTHY on both replicas after %s; alarm created and the orphan deleted after %.0f s",
                        Matrix.seconds(pickedUp),
                        reconciled),
                "—",
                "—");
    }

    @Test
    @Order(12)
    void everyAgentDies() throws Exception {
        long deadAt = System.currentTimeMillis();
        fleet.agents.values().forEach(GenericContainer::stop);
        double[] insufficient =
                detect(deadAt, Duration.ofSeconds(30), v -> v.values().stream().allMatch("INSUFFICIENT_DATA"::equals));
        long blindAt = System.currentTimeMillis();
        List<Map<String, String>> seen = observe(Duration.ofSeconds(6));
        assertThat(seen).allMatch(v -> v.values().stream().noneMatch("UNHEALTHY"::equals));
        for (String target : verdicts(0).keySet()) {
            assertThat(healthyDatums(target, blindAt + 3_500))
                    .as("no Healthy datum for " + target + " once blind")
                    .isEmpty();
        }
        TABLE.row(
                5,
                "every agent dies",
                "INSUFFICIENT_DATA, Healthy no longer published (fail static), nothing UNHEALTHY",
                "INSUFFICIENT_DATA on both replicas after " + Matrix.seconds(insufficient)
                        + "; no Healthy datum afterwards; never UNHEALTHY",
                "—",
                "—");
    }
}
