package io.vantage.demo;

import static io.vantage.aggregator.status.StatusPage.escape;

import io.vantage.aggregator.Aggregator;
import io.vantage.aggregator.Extension;
import io.vantage.aggregator.cloudwatch.CloudWatchContract;
import io.vantage.aggregator.cloudwatch.Datum;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.DrillFile;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.routing.Routing;
import io.vantage.aggregator.status.StatusSnapshot;
import io.vantage.wire.Checks;
import io.vantage.wire.Durations;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's part of the aggregator (its {@link Extension}): the buttons that break, slow and repair each region's
 * endpoint and start or end a drill, the chain verdict → datum → alarm → health check → DNS answer per region, and an
 * incident log that stays after the repair. Routes: {@code POST /demo/endpoints/REGION/(break|slow|repair)},
 * {@code POST /demo/drills/TARGET/(start|end)}, a start taking {@code ?duration=5m} (more than 0, at most an hour; 60 s
 * without); a browser is sent back to the page, a script gets 204, or 400 (a duration outside that), 404 (no such target,
 * naming the targets), 409 (the guard's refusal) or 500 (the config could not be written). No answer names the
 * config file.
 */
public final class DemoPage implements Extension {
    private static final Logger LOG = LoggerFactory.getLogger(DemoPage.class);
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    /** How long a drill started from the page lasts unless the request gives a {@code duration}. */
    static final Duration DRILL = Duration.ofSeconds(60);

    private static final int LOG_ENTRIES = 200;

    /** One line of the incident log; {@code sinceAction}: seconds since the last button pressed, null before any. */
    public record Entry(long at, Double sinceAction, String what) {}

    private final Vertx vertx;
    private final Path configFile;
    private final Map<String, DemoEndpoint> endpoints;
    private final Route53StandIn route53;
    private final Supplier<Aggregator> aggregator;
    private final Clock clock;
    private final Deque<Entry> incidents = new ArrayDeque<>();
    private final Map<String, String> verdicts = new HashMap<>();
    private final Map<String, String> drills = new HashMap<>();
    private final Map<String, Double> datums = new HashMap<>();
    private final Set<String> failoversLogged = new HashSet<>();
    private long lastAction = -1;

    DemoPage(
            Vertx vertx,
            Path configFile,
            Map<String, DemoEndpoint> endpoints,
            Route53StandIn route53,
            Supplier<Aggregator> aggregator,
            Clock clock) {
        this.vertx = vertx;
        this.configFile = configFile;
        this.endpoints = endpoints;
        this.route53 = route53;
        this.aggregator = aggregator;
        this.clock = clock;
    }

    @Override
    public String pathPrefix() {
        return "/demo/";
    }

    @Override
    public void handle(HttpServerRequest request) {
        String[] parts = request.path().substring(pathPrefix().length()).split("/");
        if (request.method() != HttpMethod.POST || parts.length != 3) {
            request.response()
                    .setStatusCode(405)
                    .end("POST /demo/endpoints/REGION/(break|slow|repair) or /demo/drills/TARGET/(start|end)\n");
            return;
        }
        if (parts[0].equals("endpoints")) {
            DemoEndpoint endpoint = endpoints.get(parts[1]);
            if (endpoint == null) {
                request.response()
                        .setStatusCode(404)
                        .end("unknown demo region '" + parts[1] + "'; the regions are "
                                + String.join(", ", endpoints.keySet()) + "\n");
                return;
            }
            if (!endpoint.apply(parts[2])) {
                request.response()
                        .setStatusCode(404)
                        .end("unknown action '" + parts[2] + "'; use break, slow, flap or repair\n");
                return;
            }
            action(parts[2] + " " + parts[1] + ": its endpoint is now " + endpoint.mode());
            answer(request, 204, null);
        } else if (parts[0].equals("drills") && (parts[2].equals("start") || parts[2].equals("end"))) {
            String target = parts[1];
            boolean start = parts[2].equals("start");
            String asked = request.getParam("duration");
            if (asked != null && !start) {
                answer(request, 400, "duration is for starting a drill; ending one takes none");
                return;
            }
            Duration length;
            try {
                length = asked == null ? DRILL : AggregatorConfig.Drill.length(asked);
            } catch (IllegalArgumentException e) {
                answer(request, 400, "duration " + e.getMessage());
                return;
            }
            vertx.executeBlocking(
                            () -> {
                                Instant now = clock.instant();
                                if (start) {
                                    DrillFile.start(
                                            configFile,
                                            AggregatorConfig.Drill.lasting(target, now, length, "the demo page"),
                                            now);
                                } else {
                                    DrillFile.end(configFile, target, now);
                                }
                                return null;
                            },
                            false)
                    .onSuccess(done -> {
                        action((start
                                        ? "drill of " + target + " started for " + Durations.format(length)
                                        : "drill of " + target + " ended")
                                + " (written to the config; the aggregator reloads it)");
                        answer(request, 204, null);
                    })
                    .onFailure(error -> refused(request, target, error));
        } else {
            request.response().setStatusCode(404).end("unknown demo control\n");
        }
    }

    /**
     * A drill that was not written: the reason in the incident log and the answer, never the config file's path (the
     * process log has it when the file itself failed).
     */
    private void refused(HttpServerRequest request, String target, Throwable error) {
        if (!(error instanceof DrillFile.Refused refusal)) {
            LOG.error("demo: drill of {} failed", target, error);
            answer(request, 500, "the drill failed; the demo's log says why");
            return;
        }
        int status = switch (refusal.kind()) {
            case UNKNOWN_TARGET -> 404;
            case RULE -> 409;
            case FILE -> 500;
        };
        if (refusal.kind() == DrillFile.Refused.Kind.FILE) {
            LOG.error("demo: {}", refusal.getMessage());
        }
        log("drill of " + Checks.visible(target) + ": " + refusal.reason());
        answer(
                request,
                status,
                refusal.kind() == DrillFile.Refused.Kind.FILE
                        ? refusal.reason() + "; the demo's log says why"
                        : refusal.reason());
    }

    /** Back to the page for a browser (a refusal is in the incident log); {@code status} and the text for a script. */
    private static void answer(HttpServerRequest request, int status, String text) {
        if (String.valueOf(request.getHeader(HttpHeaders.ACCEPT)).contains("text/html")) {
            request.response()
                    .setStatusCode(303)
                    .putHeader(HttpHeaders.LOCATION, "/")
                    .end();
        } else if (text != null) {
            request.response().setStatusCode(status).end(text + "\n");
        } else {
            request.response().setStatusCode(status).end();
        }
    }

    @Override
    public void published(List<Datum> published, long timestampMillis) {
        for (Datum datum : published) {
            if (datum.name().equals(CloudWatchContract.HEALTHY)) {
                route53.datum(datum.target(), datum.value(), timestampMillis);
                Double previous;
                synchronized (this) {
                    previous = datums.put(datum.target(), datum.value());
                }
                if (previous == null || previous != datum.value()) {
                    log("datum Healthy=" + (int) datum.value() + " published for " + datum.target());
                }
            }
        }
    }

    /** Moves the stand-in on and logs what changed since the last tick: verdicts, drills, alarms, checks, DNS. */
    void tick() {
        route53.tick(clock.millis()).forEach(change -> log(change.what()));
        Aggregator running = aggregator.get();
        if (running == null) {
            return;
        }
        StatusSnapshot snapshot = running.snapshot();
        for (StatusSnapshot.TargetStatus target : snapshot.targets()) {
            String before = verdicts.put(target.name(), target.verdict());
            if (before != null && !before.equals(target.verdict())) {
                log("verdict of " + target.name() + " is " + target.verdict() + " (" + target.healthyVantages()
                        + " healthy of " + target.reportingVantages() + " fresh vantage points)");
            }
            String drill = target.drill() == null ? "" : target.drill();
            String drillBefore = drills.put(target.name(), drill);
            if (drillBefore != null && !drillBefore.equals(drill)) {
                log(target.name() + (drill.isEmpty() ? ": drill over" : ": " + drill));
            }
        }
        for (Routing.FailoverEvent event : snapshot.failovers()) {
            String key = event.target() + " " + event.kind() + " " + event.startedAt();
            if ((event.seconds() != null || event.unresolved()) && failoversLogged.add(key)) {
                log(
                        event.unresolved()
                                ? "agents did not see DNS follow the " + event.kind() + " of " + event.target()
                                : String.format(
                                        Locale.ROOT,
                                        "agents saw DNS complete the %s of %s: %.1f s after the verdict",
                                        event.kind(),
                                        event.target(),
                                        event.seconds()));
            }
        }
    }

    private synchronized void action(String what) {
        lastAction = clock.millis();
        append(what);
        LOG.info("demo: {}", what);
    }

    private synchronized void log(String what) {
        append(what);
        LOG.info("demo: {}", what);
    }

    private void append(String what) {
        long now = clock.millis();
        incidents.addLast(new Entry(now, lastAction < 0 ? null : (now - lastAction) / 1000.0, what));
        while (incidents.size() > LOG_ENTRIES) {
            incidents.removeFirst();
        }
    }

    public synchronized List<Entry> incidents() {
        return List.copyOf(incidents);
    }

    @Override
    public String pageSection(StatusSnapshot snapshot) {
        StringBuilder html = new StringBuilder(4096);
        long now = clock.millis();
        html.append("<h2 style=\"font-size:16px\">Demo: break a region, watch DNS move</h2>\n")
                .append(
                        "<div class=\"small\" style=\"max-width:1100px;margin-bottom:8px\">CloudWatch and Route 53 are ")
                .append("stood in for in this process: each target's alarm is evaluated on the datums the aggregator ")
                .append("publishes, with its own settings (")
                .append(route53.alarm().datapointsToAlarm())
                .append(" of ")
                .append(route53.alarm().evaluationPeriods())
                .append(", Minimum, treatMissingData ")
                .append(escape(route53.alarm().treatMissingData()))
                .append(") but over <b>")
                .append(route53.alarm().period().toSeconds())
                .append(" s periods instead of CloudWatch's 60 s</b>; its health check follows it, and one resolver ")
                .append("per region answers <b>")
                .append(escape(route53.name()))
                .append("</b> (latency records, TTL ")
                .append(route53.ttlSeconds())
                .append(" s) with the nearest region whose check is healthy. The agents observe that name.</div>\n");
        html.append("<table><tr><th>region</th><th>endpoint</th><th>verdict</th><th>Healthy datum</th>")
                .append("<th>alarm</th><th>health check</th><th>")
                .append(escape(route53.name()))
                .append(" from here</th><th>failover: predicted / observed</th><th>drill</th></tr>\n");
        Map<String, Route53StandIn.TargetView> chains = new HashMap<>();
        route53.targets().forEach(view -> chains.put(view.target(), view));
        Map<String, Route53StandIn.AnswerView> answers = new HashMap<>();
        route53.answers().forEach(view -> answers.put(view.region(), view));
        for (Map.Entry<String, DemoEndpoint> entry : endpoints.entrySet()) {
            String region = entry.getKey();
            String name = Demo.target(region);
            StatusSnapshot.TargetStatus target = snapshot.targets().stream()
                    .filter(t -> t.name().equals(name))
                    .findFirst()
                    .orElse(null);
            Route53StandIn.TargetView chain = chains.get(name);
            Route53StandIn.AnswerView answer = answers.get(region);
            html.append("<tr><td><b>").append(escape(region)).append("</b></td><td>");
            html.append(escape(entry.getValue().mode().name().toLowerCase(Locale.ROOT)))
                    .append("<div>");
            for (String action : new String[] {"break", "slow", "repair"}) {
                html.append(button("/demo/endpoints/" + region + "/" + action, action));
            }
            html.append("</div></td>");
            html.append(
                    target == null
                            ? "<td>–</td>"
                            : "<td><span class=\"v " + escape(target.verdict()) + "\">"
                                    + escape(target.verdict().replace('_', ' ')) + "</span>"
                                    + moment("since", target.since(), now)
                                    + "</td>");
            html.append("<td>")
                    .append(
                            chain.lastDatum() == null
                                    ? "none yet"
                                    : "Healthy=" + chain.lastDatum().intValue()
                                            + moment("sent", chain.lastDatumAt(), now))
                    .append("</td>");
            html.append("<td><span class=\"cell ")
                    .append(
                            chain.alarm().name().equals("ALARM")
                                    ? "unhealthy"
                                    : chain.alarm().name().equals("OK") ? "healthy" : "stale")
                    .append("\">")
                    .append(chain.alarm())
                    .append("</span>")
                    .append(moment("since", chain.alarmSince(), now))
                    .append("</td>");
            html.append("<td><span class=\"cell ")
                    .append(chain.healthy() ? "healthy\">healthy" : "unhealthy\">unhealthy")
                    .append("</span>")
                    .append(moment("since", chain.healthSince(), now))
                    .append("</td>");
            html.append("<td>")
                    .append(
                            answer == null
                                    ? "–"
                                    : "<b>" + escape(answer.target()) + "</b> (" + escape(answer.address()) + ")"
                                            + moment("since", answer.since(), now))
                    .append("</td>");
            html.append("<td>").append(prediction(snapshot, target)).append("</td>");
            html.append("<td>")
                    .append(button("/demo/drills/" + name + "/start", "drill " + DRILL.toSeconds() + " s"))
                    .append(
                            target != null && target.drill() != null
                                    ? button("/demo/drills/" + name + "/end", "end drill")
                                    : "")
                    .append("</td></tr>\n");
        }
        html.append("</table>\n<h2 style=\"font-size:16px;margin-top:16px\">Incident log</h2>\n<div class=\"small\">");
        List<Entry> entries = incidents();
        if (entries.isEmpty()) {
            html.append("nothing has happened yet: break a region");
        }
        for (int i = entries.size() - 1; i >= Math.max(0, entries.size() - 40); i--) {
            Entry entry = entries.get(i);
            html.append(escape(CLOCK.format(Instant.ofEpochMilli(entry.at()))))
                    .append(
                            entry.sinceAction() == null
                                    ? ""
                                    : String.format(Locale.ROOT, " (+%.0f s)", entry.sinceAction()))
                    .append(" ")
                    .append(escape(entry.what()))
                    .append("<br>");
        }
        html.append("</div>\n<h2 style=\"font-size:16px;margin-top:16px\">Quorum verdicts</h2>\n");
        return html.toString();
    }

    /**
     * The model's time from the verdict until DNS moves, for the stand-in's short periods (its alarm part scaled) and for
     * CloudWatch's minute, beside the last failover and failback the agents observed for the target.
     */
    private String prediction(StatusSnapshot snapshot, StatusSnapshot.TargetStatus target) {
        if (target == null || target.expected() == null) {
            return "–";
        }
        FailoverModel.Prediction model = target.expected().failover();
        double demoAlarm = route53.alarm()
                .alarmSeconds(model.firstDatum().typical(), model.alarm().typical());
        StringBuilder cell = new StringBuilder(String.format(
                Locale.ROOT,
                "demo: DNS moves ~%.0f s after a break<div class=\"small\">with 60 s periods: alarm ~%.0f s, clients "
                        + "~%.0f s</div>",
                demoAlarm,
                model.alarm().typical(),
                model.clients().typical()));
        for (Routing.FailoverKind kind : Routing.FailoverKind.values()) {
            snapshot.failovers().stream()
                    .filter(e -> e.target().equals(target.name()) && e.kind() == kind && e.seconds() != null)
                    .findFirst()
                    .ifPresent(event -> cell.append(String.format(
                            Locale.ROOT,
                            "<div class=\"small\">last %s observed: %.1f s after the verdict%s</div>",
                            kind,
                            event.seconds(),
                            kind == Routing.FailoverKind.FAILOVER
                                    ? String.format(
                                            Locale.ROOT,
                                            " (predicted ~%.0f s)",
                                            demoAlarm - model.verdict().typical())
                                    : "")));
        }
        return cell.toString();
    }

    private static String button(String action, String label) {
        return "<form method=\"post\" action=\"" + escape(action) + "\"><button>" + escape(label) + "</button></form>";
    }

    private static String moment(String word, long at, long now) {
        return String.format(
                Locale.ROOT,
                "<div class=\"small\">%s %s (%.0f s ago)</div>",
                word,
                escape(CLOCK.format(Instant.ofEpochMilli(at))),
                Math.max(0, now - at) / 1000.0);
    }
}
