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
    final EvaluationLoop loop = new EvaluationLoop(
            vertx.getOrCreateContext(),
            store,
            clock(now),
            new Drills(registry),
            List.of(new RoundGauges(registry, now::get, target -> null)));

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

    /** Lays the store and the loop out for these agents (id, region, ...) and one target, as a reload does. */
    private void configure(String... agents) {
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
        yaml.append("targets: [{name: api, tcp: {host: 127.0.0.1, port: 9}, quorum: {minVantages: 1, healthy: 1}}]\n");
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
