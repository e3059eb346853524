package io.vantage.aggregator.status;

import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.routing.Routing;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders the status page: a targets × vantage points matrix that an operator reads at a glance. All text is escaped. */
public final class StatusPage {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private StatusPage() {}

    /** {@code section}: HTML an embedding process adds above the matrix (already escaped; empty for none). */
    public static String render(StatusSnapshot snapshot, String section) {
        StringBuilder html = new StringBuilder(8192);
        html.append("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
                <title>vantage status</title>
                <style>
                body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}
                h1{font-size:20px;margin:0 0 4px} .sub{color:#5b6473;margin-bottom:16px}
                table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002}
                th,td{padding:8px 10px;border-bottom:1px solid #e4e7ec;text-align:left;vertical-align:top}
                th{background:#eef0f4;font-weight:600}
                .v{font-weight:700;border-radius:4px;padding:2px 8px;display:inline-block;color:#fff}
                .HEALTHY{background:#1f9d55}.UNHEALTHY{background:#d64545}.INSUFFICIENT_DATA{background:#8a94a6}
                .cell{border-radius:4px;padding:4px 6px;min-width:110px}
                .healthy{background:#dff5e8}.unhealthy{background:#fde2e2}.blind{background:#fff4d6;color:#8a6d1f}.stale{background:#eceef2;color:#6b7280}.missing{background:#f4f5f7;color:#9aa1ad}.not-placed{color:#c0c4cc}
                .small{font-size:12px;color:#5b6473} form{display:inline} button{margin-right:6px}
                </style></head><body>
                <h1>vantage</h1>
                """);
        html.append("<div class=\"sub\">Quorum verdicts per target · refreshed ")
                .append(escape(TIME.format(Instant.ofEpochMilli(snapshot.generatedAt()))))
                .append(" · page reloads every 3 s</div>\n");
        html.append(section);
        html.append(
                "<table><tr><th>target</th><th>verdict</th><th>vantages</th><th>latency p50 / p90</th><th>failover now</th>");
        for (StatusSnapshot.AgentStatus agent : snapshot.agents()) {
            html.append("<th>")
                    .append(escape(agent.region()))
                    .append("<div class=\"small\">")
                    .append(escape(agent.id()))
                    .append(agent.blind() ? "<br><b>blind: votes set aside</b>" : "")
                    .append(
                            agent.duplicateIdentity()
                                    ? "<br><b>more processes than members allows report as this agent</b>"
                                    : "")
                    .append(members(agent))
                    .append("</div></th>");
        }
        html.append("</tr>\n");
        for (StatusSnapshot.TargetStatus target : snapshot.targets()) {
            html.append("<tr><td><b>").append(escape(target.name())).append("</b></td>");
            html.append("<td><span class=\"v ")
                    .append(escape(target.verdict()))
                    .append("\">")
                    .append(escape(target.verdict().replace('_', ' ')))
                    .append("</span><div class=\"small\">since ")
                    .append(escape(TIME.format(Instant.ofEpochMilli(target.since()))));
            if (target.leaningTowards() != null) {
                html.append("<br>leaning towards ").append(escape(target.leaningTowards()));
            }
            html.append("</div></td>");
            html.append("<td>")
                    .append(target.healthyVantages())
                    .append(" healthy of ")
                    .append(target.reportingVantages())
                    .append(" fresh<div class=\"small\">needs ")
                    .append(target.healthyNeeded())
                    .append(" healthy of at least ")
                    .append(target.minVantages())
                    .append(" fresh")
                    .append(target.staleVantages() > 0 ? "; " + target.staleVantages() + " stale" : "")
                    .append(target.blindVantages() > 0 ? "; " + target.blindVantages() + " blind, set aside" : "")
                    .append(
                            target.lostVantages() > 0
                                    ? "; " + target.lostVantages() + " lost with " + escape(target.region())
                                    : "")
                    .append("</div></td>");
            html.append("<td>")
                    .append(millis(target.latencyP50Ms()))
                    .append(" / ")
                    .append(millis(target.latencyP90Ms()))
                    .append("</td>");
            html.append("<td>");
            html.append(failoverNow(snapshot, target));
            if (target.healthCheckId() != null) {
                html.append("<div class=\"small\">health check ")
                        .append(escape(target.healthCheckId()))
                        .append("</div>");
            }
            if (target.drill() != null) {
                html.append("<div class=\"small\"><b>")
                        .append(escape(target.drill()))
                        .append("</b></div>");
            }
            if (target.record() != null) {
                html.append("<div class=\"small\">guards ")
                        .append(escape(target.record()))
                        .append(": ")
                        .append(escape(target.recordCheck()))
                        .append("</div>");
            }
            html.append("</td>");
            for (StatusSnapshot.VantageStatus vantage : target.vantages()) {
                html.append("<td><div class=\"cell ")
                        .append(vantage.state().label().replace(' ', '-'))
                        .append('"');
                String title = title(vantage);
                if (title != null) {
                    html.append(" title=\"").append(escape(title)).append('"');
                }
                html.append('>').append(vantage.state().label());
                if (vantage.reason() != null) {
                    html.append(": ").append(escape(vantage.reason().label()));
                }
                html.append("<div class=\"small\">");
                if (vantage.statusCode() != null) {
                    html.append(vantage.statusCode()).append(" · ");
                }
                if (vantage.totalMs() != null) {
                    html.append(millis(vantage.totalMs())).append(" · ");
                }
                if (vantage.ageSeconds() != null) {
                    html.append(String.format(Locale.ROOT, "%.0f s ago", vantage.ageSeconds()));
                }
                if (vantage.message() != null) {
                    html.append("<br>").append(escape(vantage.message()));
                }
                html.append("</div></div></td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
        if (!snapshot.routing().isEmpty()) {
            html.append(
                    "<h2 style=\"font-size:16px;margin-top:24px\">Where DNS sends each vantage point</h2>\n<table>");
            html.append("<tr><th>observed name</th><th>region: target (answers)</th></tr>\n");
            for (Routing.ObservedName name : snapshot.routing()) {
                html.append("<tr><td>")
                        .append(escape(name.name() + " " + name.type()))
                        .append("</td><td>");
                List<String> cells = new ArrayList<>();
                for (Routing.Route route : name.vantages()) {
                    String where = switch (route.state()) {
                        case ROUTED ->
                            String.join(", ", route.targets())
                                    + (route.unmatched().isEmpty() ? "" : " and unmatched " + route.unmatched());
                        case UNMATCHED -> "no known target: " + route.answers();
                        case UNKNOWN -> "unknown (the observation failed or was empty)";
                    };
                    cells.add(escape(route.region()) + ": " + escape(where)
                            + (route.cnames().isEmpty()
                                    ? ""
                                    : " <span class=\"small\">via " + escape(String.join(" → ", route.cnames()))
                                            + "</span>"));
                }
                html.append(cells.isEmpty() ? "no answers yet" : String.join("<br>", cells))
                        .append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        if (!snapshot.failovers().isEmpty()) {
            html.append("<h2 style=\"font-size:16px;margin-top:24px\">Failovers observed</h2>\n");
            for (Routing.FailoverEvent event : snapshot.failovers()) {
                html.append("<div class=\"small\">")
                        .append(escape(event.target()))
                        .append(": ")
                        .append(escape(event.kind().label()));
                if (event.unresolved()) {
                    html.append(" unresolved: DNS was not seen to follow the verdict of ")
                            .append(escape(
                                    Instant.ofEpochMilli(event.startedAt()).toString()));
                } else if (event.seconds() == null) {
                    html.append(" under way since ")
                            .append(escape(
                                    Instant.ofEpochMilli(event.startedAt()).toString()));
                } else {
                    html.append(String.format(Locale.ROOT, " observed in %.1f s", event.seconds()));
                }
                if (event.predictedTypical() != null && event.predictedWorst() != null) {
                    html.append(String.format(
                            Locale.ROOT,
                            " (predicted %.0f s typical, %.0f s at worst",
                            event.predictedTypical(),
                            event.predictedWorst()));
                    if (event.seconds() != null && event.predictedTypical() > 0) {
                        html.append(String.format(
                                Locale.ROOT, "; %.2f of typical", event.seconds() / event.predictedTypical()));
                    }
                    html.append(")");
                }
                html.append("</div>\n");
            }
        }
        html.append(
                "<p class=\"small\">JSON: <a href=\"/v1/status\">/v1/status</a> · metrics: <a href=\"/metrics\">/metrics</a></p></body></html>\n");
        return html.toString();
    }

    /**
     * A vantage point's members, compactly: how many are alive (in a share) of how many are expected, then each one's
     * instance, targets and last report.
     */
    static String members(StatusSnapshot.AgentStatus agent) {
        StringBuilder html =
                new StringBuilder("<br>members: ").append(agent.alive()).append(" alive");
        if (agent.expectedMembers() != null) {
            html.append(" of ").append(agent.expectedMembers()).append(" expected");
        }
        long joining = agent.members().size() - agent.alive();
        if (joining > 0) {
            html.append(", ").append(joining).append(" joining");
        }
        if (agent.unassigned() > 0) {
            html.append("<br><b>")
                    .append(agent.unassigned())
                    .append(agent.unassigned() == 1 ? " target" : " targets")
                    .append(" unassigned</b>");
        }
        for (StatusSnapshot.MemberStatus member : agent.members()) {
            html.append("<br>")
                    .append(escape(member.instance()))
                    .append(": ")
                    .append(member.targets())
                    .append(member.targets() == 1 ? " target" : " targets")
                    .append(member.sharing() ? "" : " (joining)")
                    .append(" · ")
                    .append(
                            member.lastReportAgeSeconds() == null
                                    ? "no report yet"
                                    : String.format(Locale.ROOT, "reported %.0f s ago", member.lastReportAgeSeconds()));
        }
        return html.toString();
    }

    /**
     * A cell's hover text: its state, how many members the vote came from when several, and who reported the newest
     * result; null when there is nothing to add.
     */
    static String title(StatusSnapshot.VantageStatus vantage) {
        boolean several = vantage.members() != null && vantage.members() > 1;
        if (!several && vantage.member() == null) {
            return null;
        }
        StringBuilder title = new StringBuilder(vantage.state().label());
        if (several) {
            title.append(" (").append(vantage.members()).append(" members)");
        }
        if (vantage.member() != null) {
            title.append("; newest result from ").append(vantage.member());
        }
        return title.toString();
    }

    /**
     * What would happen to DNS now, in words: healthy, the predicted time until clients move if it breaks; unhealthy (or
     * in a drill), how far the failover is and when the model expects each step; without a verdict, that nothing moves;
     * every target of its record set (of the whole fleet when it guards none) failing, that Route 53 answers with all of
     * them.
     */
    static String failoverNow(StatusSnapshot snapshot, StatusSnapshot.TargetStatus target) {
        if (failing(target) && everyPeerFailing(snapshot, target)) {
            return "every target " + (target.recordGroup() == null ? "" : "of " + escape(target.recordGroup()) + " ")
                    + "is failing: Route 53 answers with all of them, DNS moves nobody"
                    + "<div class=\"small\">failing open, as Route 53 does when no record is healthy</div>";
        }
        if (target.verdict().equals("INSUFFICIENT_DATA") && !target.drilled()) {
            return "no verdict: no Healthy datum is published, the alarm sees missing data and DNS does not move";
        }
        if (target.expected() == null) {
            return "";
        }
        FailoverModel.Prediction failover = target.expected().failover();
        double alarm = failover.alarm().typical() - failover.verdict().typical();
        double clients = failover.clients().typical() - failover.verdict().typical();
        if (target.drilled() && !target.verdict().equals("UNHEALTHY")) {
            return String.format(
                    Locale.ROOT,
                    "failing over (drill): Healthy=0 published while the probes say %s<div class=\"small\">model: "
                            + "alarm %.0f s and clients %.0f s after the drill began</div>",
                    escape(target.verdict()),
                    alarm,
                    clients);
        }
        if (!failing(target)) {
            return String.format(
                    Locale.ROOT,
                    "if it breaks: clients move in ~%.0f s<div class=\"small\">%.0f–%.0f s; verdict ~%.0f s, alarm ~%.0f s, "
                            + "then health check and DNS TTL</div>",
                    failover.clients().typical(),
                    failover.clients().best(),
                    failover.clients().worst(),
                    failover.verdict().typical(),
                    failover.alarm().typical());
        }
        long since = target.since();
        return String.format(
                Locale.ROOT,
                "failing over: Healthy=0 published since %s<div class=\"small\">alarm expected ~%s, "
                        + "clients moved ~%s (model: %.0f s and %.0f s after the verdict)</div>",
                escape(CLOCK.format(Instant.ofEpochMilli(since))),
                escape(CLOCK.format(Instant.ofEpochMilli(since + Math.round(alarm * 1000)))),
                escape(CLOCK.format(Instant.ofEpochMilli(since + Math.round(clients * 1000)))),
                alarm,
                clients);
    }

    /** Healthy=0 is published for it this round: UNHEALTHY, or in a drill that runs (a refused one does not count). */
    private static boolean failing(StatusSnapshot.TargetStatus target) {
        return target.verdict().equals("UNHEALTHY") || target.drilled();
    }

    private static boolean everyPeerFailing(StatusSnapshot snapshot, StatusSnapshot.TargetStatus target) {
        for (StatusSnapshot.TargetStatus other : snapshot.targets()) {
            boolean peer = target.recordGroup() == null || target.recordGroup().equals(other.recordGroup());
            if (peer && !failing(other)) {
                return false;
            }
        }
        return true;
    }

    private static String millis(Double value) {
        return value == null ? "–" : String.format(Locale.ROOT, "%.0f ms", value);
    }

    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
