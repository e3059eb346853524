package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The members rows with two regions (the most common topology), the packaged jars as processes on loopback: each
 * vantage point (perVantage 2) grows from one agent process to two, three and four. Targets: each region's own
 * (every 1 s, timeout 800 ms, quorum 1 of at least 1, rise/fall 2, regionLostAfter 12 s), {@code traffic} (every 1 s,
 * on an endpoint that counts the probes it answers) and 300 {@code bulk-} targets (every 10 s), whose owners show
 * what a join moves. Each run writes its rows to system-tests/target/failure-matrix-members-two-regions.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MembersTwoRegionsIT {
    static final List<String> REGION_NAMES = List.of("us-east-1", "eu-west-1");
    static final int BULK = 300;
    static final int PER_VANTAGE = 2;
    static final double INTERVAL = 1;
    static final double SLACK = 1;
    /** How long the probes at the traffic endpoint are counted. */
    static final Duration TRAFFIC_WINDOW = Duration.ofSeconds(15);

    static final Map<String, String> REGIONS = new LinkedHashMap<>();
    static final Map<String, String> ALL_HEALTHY = new LinkedHashMap<>();
    static final Matrix.Table TABLE = new Matrix.Table("failure → verdict");
    static final List<String> TRAFFIC = new ArrayList<>();

    static {
        for (String region : REGION_NAMES) {
            REGIONS.put("agent-" + region, region);
            ALL_HEALTHY.put("api-" + region, "HEALTHY");
        }
        ALL_HEALTHY.put("traffic", "HEALTHY");
        for (int i = 0; i < BULK; i++) {
            ALL_HEALTHY.put(String.format(Locale.ROOT, "bulk-%03d", i), "HEALTHY");
        }
    }

    static Vertx vertx;
    static final Map<String, MemberProcesses.Endpoint> endpoints = new LinkedHashMap<>();
    static MemberProcesses fleet;

    @BeforeAll
    static void start() throws Exception {
        Path directory = Files.createTempDirectory("members-two-regions-it");
        vertx = Vertx.vertx();
        fleet = new MemberProcesses(directory, List.copyOf(REGIONS.keySet()));
        StringBuilder config = new StringBuilder(fleet.aggregatorYaml(REGIONS, "perVantage: " + PER_VANTAGE));
        for (String name : List.of("us-east-1", "eu-west-1", "traffic", "bulk")) {
            endpoints.put(name, new MemberProcesses.Endpoint(vertx));
        }
        for (String region : REGION_NAMES) {
            config.append("  - {name: api-")
                    .append(region)
                    .append(", region: ")
                    .append(region)
                    .append(", interval: 1s, timeout: 800ms, http: {url: '")
                    .append(endpoints.get(region).url())
                    .append("'}, quorum: {minVantages: 1, healthy: 1, rise: 2, fall: 2, regionLostAfter: 12s}}\n");
        }
        config.append("  - {name: traffic, interval: 1s, timeout: 800ms, http: {url: '")
                .append(endpoints.get("traffic").url())
                .append("'}, quorum: {minVantages: 1, healthy: 1}}\n");
        for (int i = 0; i < BULK; i++) {
            config.append(String.format(Locale.ROOT, "  - {name: bulk-%03d", i))
                    .append(", interval: 10s, timeout: 2s, http: {url: '")
                    .append(endpoints.get("bulk").url())
                    .append("'}, quorum: {minVantages: 1, healthy: 1, rise: 1}}\n");
        }
        fleet.startAggregator(config.toString());
        for (String region : REGION_NAMES) {
            fleet.startMember("agent-" + region, region, region + "-1");
        }
        awaitHealthy();
    }

    @AfterAll
    static void stop() throws Exception {
        TABLE.write(
                Repository.root().resolve("system-tests/target/failure-matrix-members-two-regions.md"),
                "two regions, perVantage 2, targets every 1 s (quorum 1 of at least 1, rise/fall 2, regionLostAfter 12 s) "
                        + "and 300 every 10 s.");
        TRAFFIC.forEach(System.out::println);
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

    static void awaitHealthy() {
        await("every target HEALTHY on both vantage points' fresh votes")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    fleet.assertRunning();
                    return Matrix.settled(fleet.status(), ALL_HEALTHY, REGIONS.size());
                });
    }

    /** Waits until each vantage point's running members share every target {@code min(perVantage, members)} times. */
    static void awaitSettledShares(int members) {
        for (String agent : REGIONS.keySet()) {
            fleet.awaitSettledShares(agent, ALL_HEALTHY.size(), Math.min(PER_VANTAGE, members));
        }
    }

    /**
     * Probes per second at the traffic endpoint over {@link #TRAFFIC_WINDOW}, with {@code members} agent processes per
     * vantage point: expected vantage points × min(perVantage, members) per interval.
     */
    static void measureTraffic(int members) throws Exception {
        awaitSettledShares(members);
        MemberProcesses.Endpoint endpoint = endpoints.get("traffic");
        int before = endpoint.requests();
        long from = System.nanoTime();
        TimeUnit.MILLISECONDS.sleep(TRAFFIC_WINDOW.toMillis()); // a measurement window: counting what arrives in it
        double seconds = (System.nanoTime() - from) / 1e9;
        double perInterval = (endpoint.requests() - before) / seconds * INTERVAL;
        double expected = REGIONS.size() * Math.min(PER_VANTAGE, members);
        String figure = String.format(
                Locale.ROOT,
                "members: probe traffic with %d member(s) per vantage point (perVantage %d, %d vantage points): "
                        + "%.2f probes per interval at the endpoint, expected %.0f",
                members,
                PER_VANTAGE,
                REGIONS.size(),
                perInterval,
                expected);
        System.out.println(figure);
        TRAFFIC.add(figure);
        fleet.assertRunning();
        assertThat(perInterval)
                .as("probes per interval at one endpoint with %d members per vantage point", members)
                .isBetween(expected * 0.85, expected * 1.15);
    }

    @Test
    @Order(1)
    void trafficWithOneMemberPerVantagePoint() throws Exception {
        measureTraffic(1);
    }

    @Test
    @Order(2)
    void trafficWithTwoMembersPerVantagePoint() throws Exception {
        for (String region : REGION_NAMES) {
            fleet.startMember("agent-" + region, region, region + "-2");
        }
        awaitSettledShares(2);
        awaitHealthy();
        measureTraffic(2);
    }

    /**
     * Two regions of two members each; one of us-east-1's is killed. Its partner probes every target already: no
     * verdict moves and us-east-1's newest reading of each fast target stays within two intervals (+ push slack).
     */
    @Test
    @Order(3)
    void oneMemberKilledInTwoRegionsOfTwo() throws Exception {
        awaitHealthy();
        fleet.kill("us-east-1-2");
        List<JsonNode> seen = new ArrayList<>();
        long until = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < until) {
            seen.add(fleet.status());
            TimeUnit.MILLISECONDS.sleep(200); // sampling over a window: the assertion is about everything seen in it
        }
        double oldest = 0;
        for (JsonNode status : seen) {
            for (JsonNode target : status.get("targets")) {
                if (target.get("name").asText().startsWith("bulk-")) {
                    continue; // probed every 10 s
                }
                for (JsonNode vantage : target.get("vantages")) {
                    if (vantage.path("agentId").asText().equals("agent-us-east-1")) {
                        JsonNode age = vantage.get("ageSeconds");
                        oldest = Math.max(
                                oldest, age == null || age.isNull() ? Double.POSITIVE_INFINITY : age.asDouble());
                    }
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "members: two regions of two, us-east-1-2 killed; %d statuses in 20 s, agent-us-east-1's oldest newest "
                        + "reading of a 1 s target %.2f s%n",
                seen.size(),
                oldest);
        assertThat(seen.stream().map(Matrix::verdicts).toList())
                .as("no verdict moves, never INSUFFICIENT_DATA")
                .containsOnly(ALL_HEALTHY);
        assertThat(oldest)
                .as("agent-us-east-1's newest reading, at most two intervals old (+ %.0f s)", SLACK)
                .isLessThanOrEqualTo(2 * INTERVAL + SLACK);
        TABLE.row(
                18,
                "members, two regions of two agent processes: one of us-east-1's killed (SIGKILL), watched 20 s",
                "no verdict moves; us-east-1 still probes every target within 2 intervals",
                String.format(
                        Locale.ROOT,
                        "all %d targets HEALTHY in %d statuses (every 200 ms); us-east-1's newest reading at most "
                                + "%.1f s old",
                        ALL_HEALTHY.size(),
                        seen.size(),
                        oldest),
                "—",
                "—");
    }

    /**
     * A third process joins eu-west-1 (perVantage 2): it enters the top two of three rendezvous weights for about 2/3
     * of the targets, and only those change owners; the two members it joins only give targets up.
     */
    @Test
    @Order(4)
    void aMemberJoinsARegionOfTwo() throws Exception {
        String agent = "agent-eu-west-1";
        Map<String, Set<String>> before = fleet.awaitSettledShares(agent, ALL_HEALTHY.size(), 2);
        Map<String, Set<String>> ownersBefore = MemberProcesses.owners(before);
        fleet.startMember(agent, "eu-west-1", "eu-west-1-3");
        Map<String, Set<String>> after = fleet.awaitSettledShares(agent, ALL_HEALTHY.size(), 2);
        Map<String, Set<String>> ownersAfter = MemberProcesses.owners(after);
        long moved = ALL_HEALTHY.keySet().stream()
                .filter(target -> !ownersBefore.get(target).equals(ownersAfter.get(target)))
                .count();
        double fraction = (double) moved / ALL_HEALTHY.size();
        System.out.printf(
                Locale.ROOT,
                "members: eu-west-1 2 → 3 members (perVantage 2): %d of %d targets changed owners (%.1f %%, expected "
                        + "≈ 66.7 %%); shares %d / %d / %d%n",
                moved,
                ALL_HEALTHY.size(),
                100 * fraction,
                after.get("eu-west-1-1").size(),
                after.get("eu-west-1-2").size(),
                after.get("eu-west-1-3").size());
        for (String old : List.of("eu-west-1-1", "eu-west-1-2")) {
            assertThat(before.get(old)).as("%s's share before the join", old).containsAll(after.get(old));
        }
        assertThat(after.get("eu-west-1-3"))
                .as("the newcomer's share: the moved targets")
                .hasSize((int) moved);
        assertThat(fraction)
                .as("targets that changed owners when a third member joined (perVantage 2: ≈ 2/3)")
                .isBetween(2.0 / 3 - 0.1, 2.0 / 3 + 0.1);
        awaitHealthy();
        TABLE.row(
                19,
                "members: a third agent process joins eu-west-1 (perVantage 2, 303 targets)",
                "≈ 2/3 of the targets change owners, only to the newcomer; verdicts stay",
                String.format(
                        Locale.ROOT,
                        "%d of %d (%.0f %%) changed owners, each to the newcomer; the others only gave targets up",
                        moved,
                        ALL_HEALTHY.size(),
                        100 * fraction),
                "—",
                "—");
    }

    /**
     * Four running members per vantage point (us-east-1's killed one stays in the shares until it leaves at 45 s, which
     * the settled shares wait for): still vantage points × perVantage probes per interval.
     */
    @Test
    @Order(5)
    void trafficWithFourMembersPerVantagePoint() throws Exception {
        fleet.startMember("agent-eu-west-1", "eu-west-1", "eu-west-1-4");
        fleet.startMember("agent-us-east-1", "us-east-1", "us-east-1-3");
        fleet.startMember("agent-us-east-1", "us-east-1", "us-east-1-4");
        fleet.startMember("agent-us-east-1", "us-east-1", "us-east-1-5");
        awaitSettledShares(4);
        measureTraffic(4);
        TABLE.row(
                20,
                "members: probes at one endpoint per interval with 1, 2 and 4 agent processes per vantage point "
                        + "(two vantage points, perVantage 2)",
                "vantage points × min(perVantage, members): 2, 4, 4",
                String.join(
                        "; ",
                        TRAFFIC.stream()
                                .map(line -> line.substring(line.indexOf("with ")))
                                .toList()),
                "—",
                "—");
    }
}
