package io.vantage.aggregator.status;

import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.routing.Routing;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders the status page: a targets × vantage points matrix that an operator reads at a glance. All text is escaped.
 * Every time on it is the page's clock, HH:mm:ss UTC; every term has a hover ({@code title}) or a line in the legend.
 */
public final class StatusPage {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * What a process embedding the aggregator adds to the page: {@code above} the verdicts, {@code below} them (both
     * escaped HTML, empty for none); {@code predicts}: it shows each target's failover steps with predictions of its own
     * (the demo's alarm periods are not CloudWatch's), so that the page shows none of the model's beside them.
     */
    public record Section(String above, String below, boolean predicts) {
        public static final Section NONE = new Section("", "", false);
    }

    /** The words the page uses, each explained once under the verdicts (and as a hover where it appears). */
    public static final String VERDICT_TERM =
            "the quorum's judgement of the target from the vantage points' latest results: "
                    + "HEALTHY, UNHEALTHY, or INSUFFICIENT DATA (too few fresh results to judge)";

    public static final String FRESH_TERM =
            "fresh: a vantage point's latest result is younger than the target's freshness window; stale: older";
    public static final String QUORUM_TERM =
            "quorum: how many fresh vantage points must agree; rise / fall: how many results in a row turn a verdict";
    public static final String DATUM_TERM =
            "datum: the Healthy metric (1 healthy, 0 unhealthy) the aggregator publishes to CloudWatch for the target";
    public static final String ALARM_TERM =
            "alarm: the CloudWatch alarm on that datum; ALARM when it is 0 in enough periods";
    public static final String HEALTH_CHECK_TERM =
            "health check: the Route 53 health check that follows the alarm; DNS answers only with healthy records";
    public static final String GUARDS_TERM =
            "guards: the Route 53 record this target's health check is attached to, and "
                    + "whether it is: attached, pending, conflict (another check is), error; unknown until AWS was read "
                    + "(never, in dry-run)";
    public static final String DRILL_TERM =
            "drill: Healthy=0 published on purpose for a while, whatever the probes say, to rehearse a failover";

    /** The badge a drilled target's verdict (and the demo's alarm) carries. */
    public static final String DRILL_BADGE =
            "<span class=\"v DRILL\" title=\"" + escape(DRILL_TERM) + "\">DRILL</span>";

    private StatusPage() {}

    /** The page with {@code section} added to it (see {@link Section}). */
    public static String render(StatusSnapshot snapshot, Section section) {
        long now = snapshot.generatedAt();
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
                .DRILL{background:#c27c0e;margin-left:4px}
                .cell{border-radius:4px;padding:4px 6px;min-width:110px}
                .healthy{background:#dff5e8}.unhealthy{background:#fde2e2}.blind{background:#fff4d6;color:#8a6d1f}.stale{background:#eceef2;color:#6b7280}.missing{background:#f4f5f7;color:#9aa1ad}.not-placed{color:#c0c4cc}
                .small{font-size:12px;color:#5b6473} form{display:inline} button{margin-right:6px}
                [title]{text-decoration:underline dotted #9aa1ad;cursor:help}
                </style></head><body>
                <h1>vantage</h1>
                """);
        html.append("<div class=\"sub\">Quorum verdicts per target · ")
                .append(escape(TIME.format(Instant.ofEpochMilli(now))))
                .append(" (times on this page are UTC) · page reloads every 3 s</div>\n");
        html.append(section.above());
        html.append("<table id=\"verdicts\"><tr><th title=\"an endpoint vantage probes, as the config names it\">")
                .append("target</th><th title=\"")
                .append(escape(VERDICT_TERM))
                .append("\">verdict</th><th title=\"")
                .append(escape(FRESH_TERM + "; " + QUORUM_TERM))
                .append("\">vantage points</th><th title=\"the median and 90th percentile of the fresh results' ")
                .append("latency\">latency p50 / p90</th><th title=\"")
                .append(escape(
                        "what DNS does about this target now: the failover's steps (datum, alarm, health check, DNS) and "
                                + "when they happen"))
                .append("\">failover now</th>");
        for (StatusSnapshot.AgentStatus agent : snapshot.agents()) {
            html.append("<th title=\"a vantage point: the agent that probes every target from this region, and ")
                    .append("the processes (members) that report as it\">")
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
            html.append("<td>")
                    .append(verdict(target, now))
                    .append("<div class=\"small\">since ")
                    .append(time(target.since()));
            if (target.leaningTowards() != null) {
                html.append("<br>leaning towards ").append(escape(target.leaningTowards()));
            }
            html.append("</div></td>");
            html.append("<td>")
                    .append(target.healthyVantages())
                    .append(" healthy of ")
                    .append(target.reportingVantages())
                    .append(" <span title=\"")
                    .append(escape(FRESH_TERM))
                    .append("\">fresh</span><div class=\"small\">needs ")
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
            html.append(failoverNow(snapshot, target, section.predicts()));
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
                html.append("<div class=\"small\"><span title=\"")
                        .append(escape(GUARDS_TERM))
                        .append("\">guards</span> ")
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
        html.append("</table>\n<div class=\"small\" id=\"legend\" style=\"max-width:1100px;margin-top:6px\">")
                .append(escape("verdict: " + VERDICT_TERM))
                .append("<br>")
                .append(escape(FRESH_TERM))
                .append("; blind: an agent failing every target, its unhealthy votes set aside<br>")
                .append(escape(QUORUM_TERM))
                .append("<br>")
                .append(escape(DATUM_TERM))
                .append("; ")
                .append(escape(ALARM_TERM))
                .append("<br>")
                .append(escape(HEALTH_CHECK_TERM))
                .append("<br>")
                .append(escape(GUARDS_TERM))
                .append("<br>")
                .append(escape(DRILL_TERM))
                .append("</div>\n");
        html.append(section.below());
        if (!snapshot.routing().isEmpty()) {
            html.append(
                    "<h2 style=\"font-size:16px;margin-top:24px\">Where DNS sends each vantage point</h2>\n<table>");
            html.append("<tr><th title=\"a DNS name the agents resolve to see where it sends clients\">observed name")
                    .append("</th><th title=\"what each region's agent got for it: the target its answers are, and ")
                    .append(
                            "the addresses answered; unknown when the lookup failed\">region: target (answers)</th></tr>\n");
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
            html.append("<h2 style=\"font-size:16px;margin-top:24px\">Failovers observed</h2>\n")
                    .append("<div class=\"small\">timed by the agents, from the verdict until DNS was seen to follow")
                    .append(section.predicts() ? " (the predictions are in the table above)" : "")
                    .append("</div>\n");
            for (Routing.FailoverEvent event : snapshot.failovers()) {
                html.append("<div class=\"small\">")
                        .append(escape(event.target()))
                        .append(": ")
                        .append(escape(event.kind().label()))
                        .append(" after the verdict of ")
                        .append(time(event.startedAt()));
                if (event.unresolved()) {
                    html.append(": unresolved, DNS was not seen to follow");
                } else if (event.seconds() == null) {
                    html.append(": under way");
                } else {
                    html.append(String.format(Locale.ROOT, ": observed in %.1f s", event.seconds()));
                }
                if (!section.predicts() && event.predictedTypical() != null && event.predictedWorst() != null) {
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
     * The verdict's badge, with a DRILL badge beside it while a drill publishes Healthy=0 whatever the verdict says, and
     * when the drill ends.
     */
    public static String verdict(StatusSnapshot.TargetStatus target, long now) {
        StringBuilder html = new StringBuilder("<span class=\"v ")
                .append(escape(target.verdict()))
                .append("\" title=\"")
                .append(escape(VERDICT_TERM))
                .append("\">")
                .append(escape(target.verdict().replace('_', ' ')))
                .append("</span>");
        if (target.drilled()) {
            html.append(drillBadge(target, now));
        }
        return html.toString();
    }

    /** The DRILL badge and, when known, the drill's end on the page's clock and how far off it is. */
    public static String drillBadge(StatusSnapshot.TargetStatus target, long now) {
        StringBuilder html = new StringBuilder(DRILL_BADGE);
        if (target.drillEndsAt() != null) {
            html.append("<div class=\"small\">drill ends ")
                    .append(clock(target.drillEndsAt(), now))
                    .append("</div>");
        }
        return html.toString();
    }

    /** {@code at} on the page's clock, HH:mm:ss (digits and colons: nothing to escape). */
    public static String time(long at) {
        return CLOCK.format(Instant.ofEpochMilli(at));
    }

    /** {@code at} on the page's clock, with how far it is from {@code now}: "12:00:42 (in 42 s)", "(42 s ago)". */
    public static String clock(long at, long now) {
        long seconds = Math.round(Math.abs(at - now) / 1000.0);
        return time(at) + (at >= now ? " (in " + seconds + " s)" : " (" + seconds + " s ago)");
    }

    /**
     * What would happen to DNS now, in words: healthy, the predicted time until clients move if it breaks; unhealthy (or
     * in a drill), how far the failover is: each step still to come with its predicted time, a step that is due with
     * when the model had it, DNS once the agents saw it move with the prediction beside it; without a verdict, that
     * nothing moves; every target of its record set (of the whole fleet when it guards none) failing, that Route 53
     * answers with all of them. {@code predicts}: the page's section shows the steps with its own predictions, so this
     * shows none.
     */
    static String failoverNow(StatusSnapshot snapshot, StatusSnapshot.TargetStatus target, boolean predicts) {
        if (failing(target) && everyPeerFailing(snapshot, target)) {
            return "every target " + (target.recordGroup() == null ? "" : "of " + escape(target.recordGroup()) + " ")
                    + "is failing: Route 53 answers with all of them, DNS moves nobody"
                    + "<div class=\"small\">failing open, as Route 53 does when no record is healthy</div>";
        }
        if (target.verdict().equals("INSUFFICIENT_DATA") && !target.drilled()) {
            return "no verdict: nothing is published to CloudWatch, the alarm sees missing data and DNS does not move";
        }
        long now = snapshot.generatedAt();
        if (predicts) {
            if (!failing(target)) {
                return "";
            }
            return target.drilled()
                    ? "failing over (drill): Healthy=0 published while the probes say " + escape(target.verdict())
                    : "failing over: Healthy=0 published since " + time(target.since());
        }
        if (target.expected() == null) {
            return "";
        }
        FailoverModel.Prediction failover = target.expected().failover();
        double alarm = failover.alarm().typical() - failover.verdict().typical();
        double clients = failover.clientsAfterVerdict().typical();
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
        long alarmAt = since + Math.round(alarm * 1000);
        long clientsAt = since + Math.round(clients * 1000);
        StringBuilder html = new StringBuilder("failing over: Healthy=0 published since ")
                .append(time(since))
                .append("<div class=\"small\">")
                .append(
                        alarmAt > now
                                ? "alarm expected " + clock(alarmAt, now)
                                : "alarm due since " + clock(alarmAt, now) + " by the model")
                .append("<br>");
        Routing.FailoverEvent moved = snapshot.failovers().stream()
                .filter(event -> event.target().equals(target.name())
                        && event.kind() == Routing.FailoverKind.FAILOVER
                        && event.startedAt() >= since - 5_000
                        && event.seconds() != null)
                .findFirst()
                .orElse(null);
        if (moved != null) {
            html.append(String.format(
                    Locale.ROOT,
                    "DNS moved %s, %.1f s after the verdict (predicted ~%.0f s)",
                    time(moved.startedAt() + Math.round(moved.seconds() * 1000)),
                    moved.seconds(),
                    clients));
        } else if (clientsAt > now) {
            html.append("clients expected to move ").append(clock(clientsAt, now));
        } else {
            html.append("clients due to have moved since ")
                    .append(clock(clientsAt, now))
                    .append(" by the model; not yet seen");
        }
        return html.append("</div>").toString();
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
