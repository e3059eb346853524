package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A placed target is never probed outside its placement: two regions of two agent processes each (the packaged jars on
 * loopback), a target {@code private} placed at us-east-1 ({@code probeFrom: [us-east-1]}, a private endpoint only that
 * region's VPC reaches) beside a {@code public} one. eu-west-1's members are never sent it, its endpoint sees us-east-1's
 * probes only (perVantage 2: two per interval), and its verdict is made by us-east-1 alone, eu-west-1 shown "not placed".
 */
class PlacementIT {
    @Test
    void aPlacedTargetIsProbedOnlyFromItsPlacement() throws Exception {
        Vertx vertx = Vertx.vertx();
        Map<String, String> regions = new LinkedHashMap<>();
        regions.put("agent-us-east-1", "us-east-1");
        regions.put("agent-eu-west-1", "eu-west-1");
        MemberProcesses.Endpoint publicEndpoint = new MemberProcesses.Endpoint(vertx);
        MemberProcesses.Endpoint privateEndpoint = new MemberProcesses.Endpoint(vertx);
        try (MemberProcesses fleet =
                new MemberProcesses(Files.createTempDirectory("placement-it"), List.copyOf(regions.keySet()))) {
            fleet.startAggregator(fleet.aggregatorYaml(regions, "")
                    + "  - {name: public, interval: 1s, timeout: 800ms, http: {url: '" + publicEndpoint.url()
                    + "'}, quorum: {minVantages: 2, healthy: 2, rise: 1}}\n"
                    + "  - {name: private, region: us-east-1, probeFrom: [us-east-1], interval: 1s, timeout: 800ms, "
                    + "http: {url: '" + privateEndpoint.url() + "'}, quorum: {minVantages: 1, healthy: 1, rise: 1}}\n");
            for (String instance : List.of("us-1", "us-2")) {
                fleet.startMember("agent-us-east-1", "us-east-1", instance);
            }
            for (String instance : List.of("eu-1", "eu-2")) {
                fleet.startMember("agent-eu-west-1", "eu-west-1", instance);
            }
            await("both targets HEALTHY")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        fleet.assertRunning();
                        return fleet.verdicts().equals(Map.of("public", "HEALTHY", "private", "HEALTHY"));
                    });
            fleet.awaitSettledShares("agent-us-east-1", 2, 2);
            fleet.awaitSettledShares("agent-eu-west-1", 1, 2);
            assertThat(fleet.share("eu-1")).containsExactly("public");
            assertThat(fleet.share("eu-2")).containsExactly("public");
            assertThat(fleet.share("us-1")).containsExactlyInAnyOrder("public", "private");

            int before = privateEndpoint.requests();
            int publicBefore = publicEndpoint.requests();
            long from = System.nanoTime();
            TimeUnit.SECONDS.sleep(10); // a measurement window: counting the probes that arrive in it
            double seconds = (System.nanoTime() - from) / 1e9;
            double privatePerInterval = (privateEndpoint.requests() - before) / seconds;
            double publicPerInterval = (publicEndpoint.requests() - publicBefore) / seconds;
            System.out.printf(
                    Locale.ROOT,
                    "placement: %.2f probes per interval at the private endpoint (placed at us-east-1, expected 2), "
                            + "%.2f at the public one (expected 4)%n",
                    privatePerInterval,
                    publicPerInterval);
            assertThat(privatePerInterval)
                    .as("us-east-1's two members only: eu-west-1 never probes it")
                    .isBetween(1.7, 2.3);
            assertThat(publicPerInterval)
                    .as("both vantage points, two members each")
                    .isBetween(3.4, 4.6);

            JsonNode privateStatus = null;
            for (JsonNode target : fleet.status().get("targets")) {
                if (target.get("name").asText().equals("private")) {
                    privateStatus = target;
                }
            }
            assertThat(privateStatus).isNotNull();
            Map<String, String> states = new LinkedHashMap<>();
            privateStatus
                    .get("vantages")
                    .forEach(v ->
                            states.put(v.get("agentId").asText(), v.get("state").asText()));
            assertThat(states)
                    .containsExactly(
                            Map.entry("agent-us-east-1", "healthy"), Map.entry("agent-eu-west-1", "not placed"));
        } finally {
            publicEndpoint.close();
            privateEndpoint.close();
            vertx.close().await();
        }
    }
}
