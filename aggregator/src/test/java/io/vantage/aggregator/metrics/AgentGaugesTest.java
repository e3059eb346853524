package io.vantage.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-agent gauges the silent-agent alert reads, on a clock the test moves. */
class AgentGaugesTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AggregatorMetrics metrics = new AggregatorMetrics(registry, now::get);

    double age(String agent) {
        return registry.get(AggregatorMetrics.AGENT_REPORT_AGE)
                .tag("agent", agent)
                .gauge()
                .value();
    }

    double reported(String agent) {
        return registry.get(AggregatorMetrics.AGENT_REPORTED)
                .tag("agent", agent)
                .gauge()
                .value();
    }

    @Test
    void anAgentNeverHeardAgesFromWhenItWasConfigured() {
        metrics.agents(Map.of("agent-a", "us-east-1"));
        now.addAndGet(90_000);
        assertThat(age("agent-a"))
                .as("never heard since the start: the alert can fire")
                .isEqualTo(90.0);
        assertThat(reported("agent-a")).isZero();

        metrics.reported("agent-a", now.get());
        now.addAndGet(5_000);
        assertThat(age("agent-a")).isEqualTo(5.0);
        assertThat(reported("agent-a")).isEqualTo(1.0);

        // A reload that adds an agent: it ages from the reload, the one already known keeps its age.
        metrics.agents(Map.of("agent-a", "us-east-1", "agent-b", "eu-west-1"));
        now.addAndGet(30_000);
        assertThat(age("agent-b")).isEqualTo(30.0);
        assertThat(age("agent-a")).isEqualTo(35.0);
        assertThat(reported("agent-b")).isZero();
    }
}
