package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.drill.Drills;
import io.vantage.aggregator.gauges.RoundGauges;
import io.vantage.aggregator.ingest.ResultStore;
import io.vantage.aggregator.metrics.MetricNames;
import io.vantage.wire.Documents;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-agent gauges the silent-agent alert reads, along the one data path: what ingest tells the store, the round the
 * loop builds from it, the gauges of that round at scrape time; on a clock the test moves.
 */
class AgentGaugesTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final ResultStore store = new ResultStore();
    final Vertx vertx = Vertx.vertx();
    final RoundGauges gauges = new RoundGauges(registry, now::get, target -> null);
    final EvaluationLoop loop =
            new EvaluationLoop(vertx.getOrCreateContext(), store, clock(now), new Drills(registry), List.of(gauges));

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void anAgentNeverHeardAgesFromWhenItWasConfigured() {
        configure("agent-a", "us-east-1");
        now.addAndGet(90_000);
        loop.evaluate();
        assertThat(age("agent-a"))
                .as("never heard since the start: the alert can fire")
                .isEqualTo(90.0);
        assertThat(reported("agent-a")).isZero();

        store.accepted("agent-a", 0, now.get());
        loop.evaluate();
        now.addAndGet(5_000);
        assertThat(age("agent-a"))
                .as("measured at the scrape, from the round's last report")
                .isEqualTo(5.0);
        assertThat(reported("agent-a")).isEqualTo(1.0);

        // A reload that adds an agent: it ages from the reload, the one already known keeps its age.
        configure("agent-a", "us-east-1", "agent-b", "eu-west-1");
        loop.evaluate();
        now.addAndGet(30_000);
        assertThat(age("agent-b")).isEqualTo(30.0);
        assertThat(age("agent-a")).isEqualTo(35.0);
        assertThat(reported("agent-b")).isZero();

        // A reload that moves an agent to another region: its series go with the old region, it starts unheard.
        configure("agent-a", "eu-central-1", "agent-b", "eu-west-1");
        loop.evaluate();
        now.addAndGet(2_000);
        assertThat(registry.find(MetricNames.AGENT_REPORT_AGE)
                        .tag("region", "us-east-1")
                        .gauges())
                .isEmpty();
        assertThat(age("agent-a")).isEqualTo(2.0);
        assertThat(reported("agent-a")).isZero();
    }

    @Test
    void membersOfEachVantagePointAreSeriesOfTheRound() throws Exception {
        configure(
                List.of("web-1", "web-2", "web-3", "web-4"),
                "agent-a",
                "us-east-1, perVantage: 1, expectedMembers: 3",
                "agent-b",
                "eu-west-1");
        loop.evaluate();
        String before = scrape();
        assertThat(before)
                .as("a vantage point nobody reports as: alive 0, so that the vantage-point-down alert can fire")
                .contains("vantage_agent_members{agent=\"agent-b\",region=\"eu-west-1\",state=\"alive\"} 0.0\n")
                .contains("vantage_agent_members{agent=\"agent-a\",region=\"us-east-1\",state=\"alive\"} 0.0\n")
                .contains("vantage_agent_members_expected{agent=\"agent-a\",region=\"us-east-1\"} 3.0\n")
                .doesNotContain("vantage_agent_members_expected{agent=\"agent-b\"")
                .contains("vantage_agent_targets_unassigned{agent=\"agent-a\",region=\"us-east-1\"} 4.0\n")
                .contains("# TYPE vantage_assignment_moves_total counter\n")
                .contains("vantage_assignment_moves_total{agent=\"agent-a\",region=\"us-east-1\"} 0.0\n")
                .doesNotContain("vantage_member_targets{", "vantage_member_report_age_seconds{");

        assertThat(share("agent-a", "pod-1"))
                .as("alone, pod-1 probes every target")
                .hasSize(4);
        List<String> taken = share("agent-a", "pod-2");
        int second = taken.size();
        assertThat(second).as("pod-2 takes some of pod-1's targets").isBetween(1, 3);
        assertThat(share("agent-a", "pod-1"))
                .as("make before break: pod-1 keeps them until pod-2 reported them")
                .hasSize(4);
        int seat = store.admit("agent-a", "pod-2", now.get());
        taken.forEach(target ->
                store.offer("agent-a", seat, ProbeResult.success(target, now.get(), null, null, null), now.get(), 1));
        store.accepted("agent-a", seat, now.get());
        loop.evaluate();
        int first = share("agent-a", "pod-1").size();
        assertThat(first + second).as("perVantage 1: the four targets split").isEqualTo(4);
        store.accepted("agent-a", store.admit("agent-a", "pod-1", now.get()), now.get());
        now.addAndGet(1_000);
        store.accepted("agent-a", seat, now.get());
        assertThat(share("agent-b", "pod-3")).hasSize(4);
        loop.evaluate();
        now.addAndGet(7_000);
        String after = scrape();
        assertThat(after)
                .contains("vantage_agent_members{agent=\"agent-a\",region=\"us-east-1\",state=\"alive\"} 2.0\n")
                .contains("vantage_agent_members{agent=\"agent-a\",region=\"us-east-1\",state=\"joining\"} 0.0\n")
                .contains("vantage_member_targets{agent=\"agent-a\",member=\"pod-1\",region=\"us-east-1\"} " + first
                        + ".0\n")
                .contains("vantage_member_targets{agent=\"agent-a\",member=\"pod-2\",region=\"us-east-1\"} " + second
                        + ".0\n")
                .contains("vantage_member_targets{agent=\"agent-b\",member=\"pod-3\",region=\"eu-west-1\"} 4.0\n")
                .contains("vantage_agent_members{agent=\"agent-b\",region=\"eu-west-1\",state=\"alive\"} 1.0\n")
                .as("measured at the scrape; pod-3 never reported, so it has no age")
                .contains("vantage_member_report_age_seconds{agent=\"agent-a\",member=\"pod-1\",region=\"us-east-1\"} "
                        + "8.0\n")
                .contains("vantage_member_report_age_seconds{agent=\"agent-a\",member=\"pod-2\",region=\"us-east-1\"} "
                        + "7.0\n")
                .doesNotContain("vantage_member_report_age_seconds{agent=\"agent-b\"")
                .contains("vantage_agent_targets_unassigned{agent=\"agent-a\",region=\"us-east-1\"} 0.0\n")
                .as("the targets pod-2 took from pod-1 moved")
                .contains("vantage_assignment_moves_total{agent=\"agent-a\",region=\"us-east-1\"} " + second + ".0\n");

        // pod-2 falls silent: once gone it is not alive, and its share moves to pod-1.
        now.addAndGet(40_000);
        store.share("agent-a", "pod-1", now.get());
        loop.evaluate();
        String gone = scrape();
        assertThat(gone)
                .contains("vantage_agent_members{agent=\"agent-a\",region=\"us-east-1\",state=\"alive\"} 1.0\n")
                .contains("vantage_member_targets{agent=\"agent-a\",member=\"pod-1\",region=\"us-east-1\"} 4.0\n")
                .doesNotContain("member=\"pod-2\"")
                .contains("vantage_assignment_moves_total{agent=\"agent-a\",region=\"us-east-1\"} " + 2 * second
                        + ".0\n");
    }

    /** The targets in the share of {@code instance} of {@code agent}, as it fetches it now. */
    private List<String> share(String agent, String instance) {
        return Documents.readJson(store.share(agent, instance, now.get()).json().getBytes(), TargetList.class)
                .targets()
                .stream()
                .map(TargetSpec::name)
                .toList();
    }

    /** The whole exposition, as /metrics writes it. */
    private String scrape() throws Exception {
        StringBuilder out = new StringBuilder();
        var parts = gauges.scrape();
        while (parts.next(out)) {
            // every part into one string
        }
        return out.toString();
    }

    /** Lays the store and the loop out for these agents (id, region, ...) and one target, as a reload does. */
    private void configure(String... agents) {
        configure(List.of("api"), agents);
    }

    /**
     * Lays the store and the loop out for these agents (id, region and any more settings of the entry, ...) and
     * targets, as a reload does.
     */
    private void configure(List<String> targets, String... agents) {
        Map<String, String> regions = new LinkedHashMap<>();
        StringBuilder yaml = new StringBuilder("agents:\n");
        for (int i = 0; i < agents.length; i += 2) {
            regions.put(agents[i], agents[i + 1]);
            yaml.append("  - {id: ")
                    .append(agents[i])
                    .append(", region: ")
                    .append(agents[i + 1])
                    .append(", tokenEnv: T")
                    .append(i)
                    .append("}\n");
        }
        yaml.append("targets:\n");
        for (String target : targets) {
            yaml.append("  - {name: ")
                    .append(target)
                    .append(", tcp: {host: 127.0.0.1, port: 9}, quorum: {minVantages: 1, healthy: 1}}\n");
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        for (int i = 0; i < agents.length; i += 2) {
            tokens.put("T" + i, "gauges-test-token-" + i + "-0123456789");
        }
        AggregatorConfig config =
                new AggregatorConfigLoader(tokens).parse(yaml.toString(), null).config();
        store.configure(config.agents(), config.agentTargets(), config::agentTargets, now.get());
        loop.configure(config);
    }

    private double age(String agent) {
        return registry.get(MetricNames.AGENT_REPORT_AGE)
                .tag("agent", agent)
                .gauge()
                .value();
    }

    private double reported(String agent) {
        return registry.get(MetricNames.AGENT_REPORTED)
                .tag("agent", agent)
                .gauge()
                .value();
    }

    private static Clock clock(AtomicLong now) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
    }
}
