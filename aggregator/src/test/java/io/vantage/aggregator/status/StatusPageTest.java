package io.vantage.aggregator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.routing.Routing;
import io.vantage.wire.report.FailureReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPageTest {
    @Test
    void everythingAnEndpointOrConfigCanInfluenceIsEscaped() {
        StatusSnapshot.VantageStatus hostile = new StatusSnapshot.VantageStatus(
                "agent-a",
                "us-east-1",
                "unhealthy",
                1.0,
                FailureReason.BODY_MISMATCH,
                200,
                3.0,
                "JSON /status is '<script>alert(1)</script>', expected 'UP'");
        StatusSnapshot snapshot = new StatusSnapshot(
                1_000,
                List.of(new StatusSnapshot.AgentInfo("agent-a", "us-east-1", 1.0, false, true)),
                List.of(new StatusSnapshot.TargetStatus(
                        "api",
                        null,
                        "UNHEALTHY",
                        1_000,
                        null,
                        0,
                        1,
                        0,
                        0,
                        0,
                        1,
                        1,
                        3.0,
                        3.0,
                        "<hc>",
                        "api.example.com. A <eu> in zone Z1",
                        "attached",
                        "in drill until 2026-11-27T12:00:00Z, started by <ops>",
                        null,
                        List.of(hostile))),
                List.of(new Routing.ObservedName(
                        "api.example.com",
                        "A",
                        List.of(new Routing.Route(
                                "agent-a",
                                "us-east-1",
                                "routed",
                                List.of("192.0.2.1"),
                                List.of("lb.<example>.com"),
                                List.of("api<1>"),
                                List.of(),
                                2.0)))),
                List.of(new Routing.FailoverEvent("api<1>", "failover", 1_000, 42.5, 75.0, 193.0, false)));

        String html = StatusPage.render(snapshot, List.of("us-east-1"));

        assertThat(html)
                .doesNotContain("<script>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("class=\"v UNHEALTHY\"")
                .contains("via lb.&lt;example&gt;.com")
                .contains("two processes report as this agent")
                .contains("health check &lt;hc&gt;")
                .contains("guards api.example.com. A &lt;eu&gt; in zone Z1: attached")
                .contains("<b>in drill until 2026-11-27T12:00:00Z, started by &lt;ops&gt;</b>")
                .contains(
                        "<td>api.example.com A</td><td>us-east-1: api&lt;1&gt; <span class=\"small\">via lb.&lt;example&gt;.com</span></td>")
                .contains(
                        "api&lt;1&gt;: failover observed in 42.5 s (predicted 75 s typical, 193 s at worst; 0.57 of typical)")
                .contains("action=\"/demo/endpoints/us-east-1/break\"");
        assertThat(StatusPage.escape("\"'&<>")).isEqualTo("&quot;&#39;&amp;&lt;&gt;");
    }
}
