package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.agent.metrics.MetricNames;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.aggregator.status.StatusSnapshot;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.AgentYaml;
import io.vantage.testing.Target;
import io.vantage.testing.TestDnsServer;
import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vantage.wire.target.DnsSpec;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real agents and a real aggregator over HTTPS with verification on: targets flow down with ETags,
 * results flow up, a reloaded aggregator file reaches the agents, and an agent whose aggregator is gone
 * keeps probing its last known targets.
 */
class AgentToAggregatorTest {
    @TempDir
    Path directory;

    private static String state(RunningAggregator aggregator, String target, String agent) {
        return aggregator.aggregator().snapshot().targets().stream()
                .filter(t -> t.name().equals(target))
                .flatMap(t -> t.vantages().stream())
                .filter(v -> v.agentId().equals(agent))
                .map(v -> v.state().label())
                .findFirst()
                .orElse("absent");
    }

    @Test
    void overVerifiedHttpsWithReloadAndOutage() throws Exception {
        Vertx servers = Vertx.vertx();
        TestPki pki = new TestPki(directory);
        TestPki.Leaf leaf = pki.issue("aggregator", 30, "localhost");
        try (TestHttpServer endpoint = TestHttpServer.plain(servers)) {
            Files.writeString(directory.resolve("token-a"), RunningAggregator.TOKENS.get("TOKEN_A"));
            Target web = Target.http("web", endpoint.url("/ok")).interval("1s").timeout("500ms");
            Target tcp = Target.tcp("port", "127.0.0.1", endpoint.port())
                    .interval("1s")
                    .timeout("500ms");
            Map<String, Object> server = Map.of(
                    "host",
                    "127.0.0.1",
                    "port",
                    0,
                    "tls",
                    Map.of(
                            "certFile",
                            leaf.certFile().toString(),
                            "keyFile",
                            leaf.keyFile().toString()));
            Path aggregatorFile = RunningAggregator.agents()
                    .section("server", server)
                    .target(web)
                    .write(directory.resolve("aggregator.yaml"));

            try (RunningAggregator aggregator = RunningAggregator.startFromFile(aggregatorFile)) {
                int port = aggregator.aggregator().port();
                Path verified = agentA().aggregator(
                                "https://localhost:" + port,
                                "token-a",
                                pki.caFile().toString())
                        .write(directory.resolve("agent.yaml"));
                Path unverified = agentA().aggregator("https://localhost:" + port, "token-a")
                        .write(directory.resolve("agent-no-ca.yaml"));

                try (RunningAgent agent = RunningAgent.start(verified);
                        RunningAgent untrusting = RunningAgent.start(unverified)) {
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> state(aggregator, "web", "agent-a").equals("healthy"));
                    assertThat(agent.agent().probeLoops().size()).isEqualTo(1);

                    // The agent without the aggregator's CA refuses the connection: TLS verification is on by default.
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> untrusting.value(
                                            MetricNames.TARGETS_FETCH,
                                            "aggregator",
                                            "localhost:" + port,
                                            "outcome",
                                            "failure")
                                    >= 1);
                    assertThat(untrusting.agent().probeLoops().size()).isZero();

                    RunningAggregator.agents()
                            .section("server", server)
                            .target(web)
                            .target(tcp)
                            .write(aggregatorFile);
                    await().atMost(Duration.ofSeconds(15))
                            .until(() -> state(aggregator, "port", "agent-a").equals("healthy"));
                    assertThat(agent.agent().probeLoops().size()).isEqualTo(2);
                    // The list stays as it is now: the next refreshes (every second) are answered 304.
                    await("unchanged lists are answered 304")
                            .atMost(Duration.ofSeconds(10))
                            .until(() -> agent.value(
                                            MetricNames.TARGETS_FETCH,
                                            "aggregator",
                                            "localhost:" + port,
                                            "outcome",
                                            "not_modified")
                                    > 0);

                    aggregator.close();
                    double probesBefore = agent.value(MetricNames.PROBES, "outcome", "success");
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> agent.value(MetricNames.PROBES, "outcome", "success") >= probesBefore + 4
                                    && agent.value(
                                                    MetricNames.TARGETS_FETCH,
                                                    "aggregator",
                                                    "localhost:" + port,
                                                    "outcome",
                                                    "failure")
                                            >= 1);
                    assertThat(agent.agent().probeLoops().size())
                            .as("the last known targets are still probed")
                            .isEqualTo(2);
                }
            }
        } finally {
            servers.close().await();
        }
    }

    /**
     * Two agent processes with the id and token of an entry that says it runs one ({@code members: 1}): the aggregator
     * counts one, refuses the other's reports (409: the agent retries, in case the counted one stops) and says so on
     * the status.
     */
    @Test
    void twoProcessesReportingAsAOneProcessAgentAreDetectedAndOnlyOneCounts() throws Exception {
        Vertx servers = Vertx.vertx();
        try (TestHttpServer endpoint = TestHttpServer.plain(servers)) {
            Files.writeString(directory.resolve("token-a"), RunningAggregator.TOKENS.get("TOKEN_A"));
            Path aggregatorFile = RunningAggregator.agents()
                    .agentSetting("agent-a", "members", 1)
                    .section("server", Map.of("host", "127.0.0.1", "port", 0))
                    .target(Target.http("web", endpoint.url("/ok"))
                            .interval("1s")
                            .timeout("500ms")
                            .quorum(1, 1))
                    .write(directory.resolve("aggregator.yaml"));
            try (RunningAggregator aggregator = RunningAggregator.startFromFile(aggregatorFile)) {
                Path agentFile = agentA().aggregator(
                                "http://127.0.0.1:" + aggregator.aggregator().port(), "token-a")
                        .write(directory.resolve("agent.yaml"));
                try (RunningAgent first = RunningAgent.start(agentFile);
                        RunningAgent second = RunningAgent.start(agentFile)) {
                    await().atMost(Duration.ofSeconds(15))
                            .until(() -> aggregator.aggregator().snapshot().agents().stream()
                                    .anyMatch(StatusSnapshot.AgentStatus::duplicateIdentity));
                    // The refused process says so, and retries (the counted one may stop).
                    String refused = Pattern.quote("vantage_report_push_total{aggregator=\"127.0.0.1:"
                                    + aggregator.aggregator().port() + "\",outcome=\"failure\"}")
                            + " [1-9]";
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> Pattern.compile(refused)
                                    .matcher(first.registry().scrape()
                                            + second.registry().scrape())
                                    .find());
                    assertThat(aggregator.registry().scrape())
                            .containsPattern(
                                    "vantage_agent_identity_conflicts_total\\{agent=\"agent-a\",region=\"us-east-1\"\\} [1-9]");
                    assertThat(state(aggregator, "web", "agent-a")).isEqualTo("healthy");
                }
            }
        } finally {
            servers.close().await();
        }
    }
    /**
     * A real agent probes a real DNS server on loopback whose TXT record holds a tab, and asserts on it: the answer
     * matches, travels escaped, and the target stays HEALTHY; the probe's own care for the wire is no vote against it.
     */
    @Test
    void aTxtRecordWithATabKeepsAHealthyTargetHealthy() throws Exception {
        Vertx servers = Vertx.vertx();
        try {
            TestDnsServer dns = TestDnsServer.start(servers).txt("odd.test", "v=1\tkey");
            Files.writeString(directory.resolve("token-a"), RunningAggregator.TOKENS.get("TOKEN_A"));
            DnsSpec txt = new DnsSpec(
                    "odd.test",
                    "TXT",
                    List.of("127.0.0.1:" + dns.port()),
                    null,
                    new DnsSpec.Answer("v=1\tkey", null, null),
                    null,
                    null,
                    null);
            Path aggregatorFile = RunningAggregator.agents()
                    .section("server", Map.of("host", "127.0.0.1", "port", 0))
                    .target(Target.probing("txt", txt)
                            .interval("1s")
                            .timeout("500ms")
                            .quorum(1, 1))
                    .write(directory.resolve("aggregator.yaml"));
            try (RunningAggregator aggregator = RunningAggregator.startFromFile(aggregatorFile)) {
                Path agentFile = agentA().aggregator(
                                "http://127.0.0.1:" + aggregator.aggregator().port(), "token-a")
                        .write(directory.resolve("agent.yaml"));
                try (RunningAgent agent = RunningAgent.start(agentFile)) {
                    await().atMost(Duration.ofSeconds(15))
                            .until(() -> !List.of("absent", "missing").contains(state(aggregator, "txt", "agent-a")));
                    StatusSnapshot.VantageStatus vote = aggregator.aggregator().snapshot().targets().stream()
                            .filter(t -> t.name().equals("txt"))
                            .flatMap(t -> t.vantages().stream())
                            .filter(v -> v.agentId().equals("agent-a"))
                            .findFirst()
                            .orElseThrow();
                    assertThat(vote.state())
                            .as("the agent's vote: " + vote.reason() + " " + vote.message())
                            .isEqualTo(StatusSnapshot.VantageState.HEALTHY);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> aggregator.aggregator().snapshot().targets().stream()
                                    .filter(t -> t.name().equals("txt"))
                                    .findFirst()
                                    .orElseThrow()
                                    .verdict()
                                    .equals("HEALTHY"));
                    assertThat(agent.value(MetricNames.PROBES, "outcome", "failure"))
                            .as("no probe failed")
                            .isZero();
                }
            }
        } finally {
            servers.close().await();
        }
    }

    /** Agent a of us-east-1, fetching targets every second and pushing every 200 ms, to the aggregators added. */
    private static AgentYaml agentA() {
        return AgentYaml.agent("agent-a", "us-east-1")
                .agentSetting("targetsRefresh", "1s")
                .agentSetting("pushInterval", "200ms")
                .server("127.0.0.1", 0);
    }
}
