package io.vantage.aggregator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.aggregator.routing.Routing;
import io.vantage.wire.report.FailureReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPageTest {
    @Test
    void everythingAnEndpointOrConfigCanInfluenceIsEscaped() {
        StatusSnapshot.VantageStatus hostile = new StatusSnapshot.VantageStatus(
                "agent-a",
                "us-east-1",
                StatusSnapshot.VantageState.UNHEALTHY,
                1.0,
                FailureReason.BODY_MISMATCH,
                200,
                3.0,
                "JSON /status is '<script>alert(1)</script>', expected 'UP'",
                2,
                "pod-<a>");
        StatusSnapshot snapshot = new StatusSnapshot(
                1_000,
                List.of(new StatusSnapshot.AgentStatus(
                        "agent-a",
                        "us-east-1",
                        1.0,
                        false,
                        true,
                        List.of(
                                new StatusSnapshot.MemberStatus("pod-<a>", true, 1, 1.0, 1.0),
                                new StatusSnapshot.MemberStatus("pod-b", true, 1, 2.0, null),
                                new StatusSnapshot.MemberStatus("pod-c", false, 0, 0.5, 4.0)),
                        3,
                        7,
                        0)),
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
                        "Z1 api.example.com. <A>",
                        "in drill, started by <ops>",
                        true,
                        61_000L,
                        null,
                        List.of(hostile))),
                List.of(new Routing.ObservedName(
                        "api.example.com",
                        "A",
                        List.of(new Routing.Route(
                                "agent-a",
                                "us-east-1",
                                Routing.RouteState.ROUTED,
                                List.of("192.0.2.1"),
                                List.of("lb.<example>.com"),
                                List.of("api<1>"),
                                List.of(),
                                2.0)))),
                List.of(new Routing.FailoverEvent(
                        "api<1>", Routing.FailoverKind.FAILOVER, 1_000, 42.5, 75.0, 193.0, false)));

        String html = StatusPage.render(
                snapshot,
                new StatusPage.Section("<div id=\"added\">section</div>", "<div id=\"below\">log</div>", false));

        assertThat(html)
                .doesNotContain("<script>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("class=\"v UNHEALTHY\"")
                .contains("via lb.&lt;example&gt;.com")
                .contains("more processes than members allows report as this agent")
                .contains("members: 2 alive of 3 expected, 1 joining")
                .contains("<br>pod-&lt;a&gt;: 1 target · reported 1 s ago")
                .contains("<br>pod-b: 1 target · no report yet")
                .contains("<br>pod-c: 0 targets (joining) · reported 4 s ago")
                .contains(
                        "<div class=\"cell unhealthy\" title=\"unhealthy (2 members); newest result from pod-&lt;a&gt;\">")
                .contains("health check &lt;hc&gt;")
                .contains("\">guards</span> api.example.com. A &lt;eu&gt; in zone Z1: attached")
                .contains("<b>in drill, started by &lt;ops&gt;</b>")
                .contains("\">DRILL</span><div class=\"small\">drill ends 00:01:01 (in 60 s)</div>")
                .contains(
                        "<td>api.example.com A</td><td>us-east-1: api&lt;1&gt; <span class=\"small\">via lb.&lt;example&gt;.com</span></td>")
                .contains(
                        "api&lt;1&gt;: failover after the verdict of 00:00:01: observed in 42.5 s (predicted 75 s typical, 193 s at worst; 0.57 of typical)")
                .contains("every target of Z1 api.example.com. &lt;A&gt; is failing")
                .contains("<div id=\"added\">section</div>");
        assertThat(html.indexOf("<div id=\"added\">"))
                .as("the section above the verdicts, the rest below them")
                .isLessThan(html.indexOf("<table id=\"verdicts\">"));
        assertThat(html.indexOf("<div id=\"below\">")).isGreaterThan(html.indexOf("id=\"legend\""));
        assertThat(StatusPage.escape("\"'&<>")).isEqualTo("&quot;&#39;&amp;&lt;&gt;");
    }

    private static final Predictions.ForTarget EXPECTED = new Predictions.ForTarget(
            new FailoverModel.Prediction(
                    1000,
                    new FailoverRange(8, 12, 20),
                    new FailoverRange(9, 14, 22),
                    new FailoverRange(70, 105, 130),
                    new FailoverRange(100, 136, 190),
                    new FailoverRange(90, 124, 180)),
            null,
            null);

    /** {@code group}: its record set (null: unbound); {@code drill}: the page's note, drilled when it runs. */
    private static StatusSnapshot.TargetStatus target(String name, String verdict, String group, String drill) {
        return new StatusSnapshot.TargetStatus(
                name,
                null,
                verdict,
                3_600_000,
                null,
                0,
                3,
                0,
                0,
                0,
                2,
                2,
                null,
                null,
                null,
                group == null
                        ? null
                        : group + " " + name + " in zone Z1", // each target its own record (set identifier)
                null,
                group,
                drill,
                drill != null && drill.startsWith("in drill"),
                null,
                EXPECTED,
                List.of());
    }

    private static String failoverNow(StatusSnapshot.TargetStatus subject, StatusSnapshot.TargetStatus... others) {
        return failoverNow(3_600_000 + 10_000, List.of(), subject, others);
    }

    /** As the page says it at {@code now}, with {@code failovers} observed. */
    private static String failoverNow(
            long now,
            List<Routing.FailoverEvent> failovers,
            StatusSnapshot.TargetStatus subject,
            StatusSnapshot.TargetStatus... others) {
        List<StatusSnapshot.TargetStatus> targets = new ArrayList<>(List.of(others));
        targets.add(0, subject);
        return StatusPage.failoverNow(
                new StatusSnapshot(now, List.of(), targets, List.of(), failovers), subject, false);
    }

    @Test
    void theFailoverColumnSaysWhatWouldHappenNow() {
        assertThat(failoverNow(target("a", "HEALTHY", null, null), target("b", "HEALTHY", null, null)))
                .as("healthy: the clients' time from the model, not the alarm's")
                .startsWith("if it breaks: clients move in ~136 s")
                .contains("100–190 s; verdict ~12 s, alarm ~105 s");
        assertThat(failoverNow(target("a", "UNHEALTHY", null, null), target("b", "HEALTHY", null, null)))
                .as("unhealthy since 01:00:00, 10 s ago: the steps still to come, counted from the verdict")
                .startsWith("failing over: Healthy=0 published since 01:00:00")
                .contains("alarm expected 01:01:33 (in 83 s)")
                .contains("clients expected to move 01:02:04 (in 114 s)")
                .doesNotContain("due");
        assertThat(failoverNow(
                        3_600_000 + 100_000,
                        List.of(),
                        target("a", "UNHEALTHY", null, null),
                        target("b", "HEALTHY", null, null)))
                .as("100 s after the verdict: the alarm is no longer expected, it is due")
                .contains("alarm due since 01:01:33 (7 s ago) by the model")
                .contains("clients expected to move 01:02:04 (in 24 s)")
                .doesNotContain("alarm expected");
        assertThat(failoverNow(
                        3_600_000 + 200_000,
                        List.of(new Routing.FailoverEvent(
                                "a", Routing.FailoverKind.FAILOVER, 3_600_000, 110.5, 124.0, 180.0, false)),
                        target("a", "UNHEALTHY", null, null),
                        target("b", "HEALTHY", null, null)))
                .as("DNS seen to move: when, beside the one prediction for it")
                .contains("DNS moved 01:01:50, 110.5 s after the verdict (predicted ~124 s)")
                .doesNotContain("expected");
        assertThat(failoverNow(
                        target("a", "HEALTHY", null, "in drill until 02:00"), target("b", "HEALTHY", null, null)))
                .as("a drill publishes Healthy=0 whatever the verdict; the verdict's since is not when it began")
                .startsWith("failing over (drill): Healthy=0 published while the probes say HEALTHY")
                .contains("alarm 93 s and clients 124 s after the drill began");
        assertThat(failoverNow(
                        target("a", "HEALTHY", null, "drill refused: no other target"),
                        target("b", "HEALTHY", null, null)))
                .as("a refused drill publishes the verdict")
                .startsWith("if it breaks:");
        assertThat(failoverNow(target("a", "UNHEALTHY", "app A", null), target("b", "UNHEALTHY", "app A", null)))
                .as("two records of one set, each with its own set identifier")
                .startsWith("every target of app A is failing: Route 53 answers with all of them");
        assertThat(failoverNow(target("a", "UNHEALTHY", "app A", null), target("b", "HEALTHY", "app A", null)))
                .as("the other record of the set still healthy")
                .startsWith("failing over:");
        assertThat(failoverNow(
                        target("a", "UNHEALTHY", "app A", null),
                        target("b", "UNHEALTHY", "other A", null),
                        target("c", "HEALTHY", "app A", null)))
                .as("another record set's targets do not count")
                .startsWith("failing over:");
        assertThat(failoverNow(
                        target("a", "UNHEALTHY", "app A", null),
                        target("b", "HEALTHY", "app A", "in drill until 02:00")))
                .as("the other one in a drill publishes Healthy=0 too")
                .startsWith("every target of app A is failing");
        assertThat(failoverNow(target("a", "UNHEALTHY", null, null), target("b", "UNHEALTHY", null, null)))
                .as("guarding no record: the whole fleet is the group")
                .startsWith("every target is failing");
        assertThat(failoverNow(target("a", "INSUFFICIENT_DATA", null, null), target("b", "HEALTHY", null, null)))
                .startsWith("no verdict: nothing is published to CloudWatch");
    }
}
