package io.vantage.demo;

import static io.vantage.aggregator.status.StatusPage.escape;

import io.vantage.aggregator.Aggregator;
import io.vantage.aggregator.Extension;
import io.vantage.aggregator.cloudwatch.CloudWatchContract;
import io.vantage.aggregator.cloudwatch.Datum;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.DrillFile;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.routing.Routing;
import io.vantage.aggregator.status.StatusPage;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
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
    /** How long a drill started from the page lasts unless the request gives a {@code duration}. */
    static final Duration DRILL = Duration.ofSeconds(60);

    private static final int LOG_ENTRIES = 200;
    /** How many of the newest incident log entries the page shows; it counts the older ones. */
    static final int LOG_SHOWN = 12;

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
    private final Map<String, Boolean> drilled = new HashMap<>();
    /** By target: the story its row tells, and since when its datum has had its last value. */
    private final Map<String, Story> stories = new HashMap<>();

    private final Map<String, Long> datumSince = new HashMap<>();
    private final AggregatorConfig config;
    private Forecast forecast;
    private long lastAction = -1;

    DemoPage(
            Vertx vertx,
            Path configFile,
            Map<String, DemoEndpoint> endpoints,
            Route53StandIn route53,
            Supplier<Aggregator> aggregator,
            AggregatorConfig config,
            Clock clock) {
        this.vertx = vertx;
        this.config = config;
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
            synchronized (this) {
                stories.put(
                        Demo.target(parts[1]),
                        new Story(parts[2], clock.millis(), endpoint.mode() == DemoEndpoint.Mode.HEALTHY, false));
            }
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
                    if (previous == null || previous != datum.value()) {
                        datumSince.put(datum.target(), timestampMillis);
                    }
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
                log(target.name()
                        + (drill.isEmpty() ? ": drill over" : ": " + drill)
                        + (target.drillEndsAt() == null ? "" : ", until " + StatusPage.time(target.drillEndsAt())));
            }
            Boolean drilledBefore = drilled.put(target.name(), target.drilled());
            if (drilledBefore != null && drilledBefore != target.drilled()) {
                synchronized (this) {
                    stories.put(
                            target.name(),
                            new Story(
                                    target.drilled() ? "drill start" : "drill end",
                                    clock.millis(),
                                    !target.drilled(),
                                    true));
                }
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

    /** What set off the failover steps a region's row shows: a button, or a drill's start or end. */
    private record Story(String cause, long at, boolean back, boolean drill) {}

    /** The model's steps for the demo's own periods, failing over and back, from the failure (the repair). */
    private record Forecast(FailoverModel.Prediction failover, FailoverModel.Prediction failback) {}

    /** One step of a story: {@code at} when it happened (null: not yet), {@code predicted} seconds after the cause. */
    private record Step(String id, String what, Long at, double predicted) {}

    @Override
    public StatusPage.Section pageSection(StatusSnapshot snapshot) {
        long now = clock.millis();
        Forecast forecast = forecast();
        StringBuilder html = new StringBuilder(8192);
        html.append("<h2 style=\"font-size:16px\">Demo: break a region, watch DNS move</h2>\n")
                .append("<div class=\"small\" style=\"max-width:1100px;margin-bottom:8px\">Everything runs in this ")
                .append("process: an endpoint and an agent per region, the aggregator, and stand-ins for CloudWatch ")
                .append("and Route 53. The stand-in's <span title=\"")
                .append(escape(StatusPage.ALARM_TERM))
                .append("\">alarm</span> has CloudWatch's rule (ALARM when ")
                .append(route53.alarm().datapointsToAlarm())
                .append(" of the last ")
                .append(route53.alarm().evaluationPeriods())
                .append(" periods have a Healthy=0) but <b>")
                .append(route53.alarm().period().toSeconds())
                .append(" s periods instead of CloudWatch's 60 s</b>, so a failover takes seconds here: the times ")
                .append("predicted below are for these periods; those marked \"on AWS\" are for CloudWatch's. Each ")
                .append("region's resolver answers <b>")
                .append(escape(route53.name()))
                .append("</b> with the nearest region whose health check is healthy (TTL ")
                .append(route53.ttlSeconds())
                .append(" s: clients holding the old answer follow within it).</div>\n");
        html.append(
                        "<table id=\"demo\"><tr><th title=\"the region an endpoint, its agent and its resolver stand for\">region</th><th title=\"the demo endpoint of the region: break it (errors), ")
                .append("slow it (answers after its time limit) or repair it\">endpoint</th>")
                .append(header("verdict", StatusPage.VERDICT_TERM))
                .append(header("datum", StatusPage.DATUM_TERM))
                .append(header("alarm", StatusPage.ALARM_TERM))
                .append(header("health check", StatusPage.HEALTH_CHECK_TERM))
                .append(header(
                        route53.name() + " from here",
                        "the address this region's resolver answers for " + route53.name()
                                + ": its own region's while its health check is healthy"))
                .append(header(
                        "what happens",
                        "each step after the last break, repair or drill: when it happened, or when it should, "
                                + "with the prediction for the demo's periods"))
                .append(header("drill", StatusPage.DRILL_TERM))
                .append("</tr>\n");
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
            html.append("<tr data-region=\"").append(escape(region)).append("\"><td><b>");
            html.append(escape(region)).append("</b></td><td>");
            html.append(escape(entry.getValue().mode().name().toLowerCase(Locale.ROOT)))
                    .append("<div>");
            for (String action : new String[] {"break", "slow", "repair"}) {
                html.append(button("/demo/endpoints/" + region + "/" + action, action));
            }
            html.append("</div></td>");
            html.append(
                    target == null
                            ? "<td>–</td>"
                            : "<td class=\"verdict\">" + StatusPage.verdict(target, now)
                                    + moment("since", target.since(), now) + "</td>");
            html.append("<td>")
                    .append(
                            chain.lastDatum() == null
                                    ? "none yet"
                                    : "Healthy=" + chain.lastDatum().intValue()
                                            + moment("sent", chain.lastDatumAt(), now))
                    .append("</td>");
            html.append("<td class=\"alarm\"><span class=\"cell ")
                    .append(
                            chain.alarm().name().equals("ALARM")
                                    ? "unhealthy"
                                    : chain.alarm().name().equals("OK") ? "healthy" : "stale")
                    .append("\">")
                    .append(chain.alarm())
                    .append("</span>")
                    .append(target != null && target.drilled() ? StatusPage.DRILL_BADGE : "")
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
            html.append("<td class=\"story\">")
                    .append(story(snapshot, region, target, chain, forecast, now))
                    .append("</td>");
            html.append("<td>")
                    .append(button("/demo/drills/" + name + "/start", "drill " + DRILL.toSeconds() + " s"))
                    .append(
                            target != null && target.drill() != null
                                    ? button("/demo/drills/" + name + "/end", "end drill")
                                    : "")
                    .append("</td></tr>\n");
        }
        html.append("</table>\n<h2 style=\"font-size:16px;margin-top:16px\">Quorum verdicts</h2>\n");
        return new StatusPage.Section(html.toString(), incidentLog(), true);
    }

    /** The newest {@value #LOG_SHOWN} entries of the incident log, newest first, and how many older ones it holds. */
    private String incidentLog() {
        StringBuilder html = new StringBuilder(
                "<h2 style=\"font-size:16px;margin-top:16px\">Incident log</h2>\n<div class=\"small\" id=\"incidents\">");
        List<Entry> entries = incidents();
        if (entries.isEmpty()) {
            html.append("nothing has happened yet: break a region");
        }
        int oldest = Math.max(0, entries.size() - LOG_SHOWN);
        for (int i = entries.size() - 1; i >= oldest; i--) {
            Entry entry = entries.get(i);
            html.append("<div class=\"entry\">")
                    .append(StatusPage.time(entry.at()))
                    .append(
                            entry.sinceAction() == null
                                    ? ""
                                    : String.format(
                                            Locale.ROOT,
                                            " <span title=\"seconds since the last button was pressed\">(+%.0f s)</span>",
                                            entry.sinceAction()))
                    .append(" ")
                    .append(escape(entry.what()))
                    .append("</div>");
        }
        if (oldest > 0) {
            html.append("<div class=\"older\">and ")
                    .append(oldest)
                    .append(" older ")
                    .append(oldest == 1 ? "entry" : "entries")
                    .append(" (the demo's own log has them all)</div>");
        }
        return html.append("</div>\n").toString();
    }

    /**
     * The steps since the region's last break, repair or drill, each with when it happened or is expected and the one
     * prediction for it (the demo's periods); with nothing pressed yet, what a break would take, here and on AWS.
     */
    private String story(
            StatusSnapshot snapshot,
            String region,
            StatusSnapshot.TargetStatus target,
            Route53StandIn.TargetView chain,
            Forecast forecast,
            long now) {
        Story story;
        Long datumFrom;
        synchronized (this) {
            story = stories.get(Demo.target(region));
            datumFrom = datumSince.get(Demo.target(region));
        }
        if (story == null || target == null) {
            return ifItBreaks(target, forecast);
        }
        FailoverModel.Prediction model = story.back() ? forecast.failback() : forecast.failover();
        // A drill publishes Healthy=0 (or the verdict again) at once: its steps start after the verdict's.
        double offset = story.drill() ? model.verdict().typical() : 0;
        List<Step> steps = new ArrayList<>();
        String verdict = story.back() ? "HEALTHY" : "UNHEALTHY";
        if (!story.drill()) {
            steps.add(new Step(
                    "verdict",
                    "verdict " + verdict,
                    target.verdict().equals(verdict) ? target.since() : null,
                    model.verdict().typical()));
        }
        int value = story.back() ? 1 : 0;
        steps.add(new Step(
                "datum",
                "Healthy=" + value + " sent",
                chain.lastDatum() != null && chain.lastDatum().intValue() == value ? datumFrom : null,
                model.firstDatum().typical() - offset));
        String alarm = story.back() ? "OK" : "ALARM";
        String moved = story.back()
                ? "alarm OK, health check healthy: DNS answers " + region + " again"
                : "alarm ALARM, health check unhealthy: DNS answers another region";
        steps.add(new Step(
                "dns",
                moved,
                chain.alarm().name().equals(alarm) ? chain.alarmSince() : null,
                model.alarm().typical() - offset));
        StringBuilder html = new StringBuilder("<div class=\"small\">after the ")
                .append(escape(story.cause()))
                .append(" at ")
                .append(StatusPage.time(story.at()))
                .append("</div>");
        for (Step step : steps) {
            html.append("<div class=\"step\" data-event=\"").append(step.id()).append("\">");
            double predicted = Math.max(0, step.predicted());
            if (step.at() != null && step.at() < story.at()) {
                html.append("✓ ").append(escape(step.what())).append(", already before it");
            } else if (step.at() != null) {
                html.append(String.format(
                        Locale.ROOT,
                        "✓ %s %s, +%.0f s <span class=\"small\">(predicted ~%.0f s)</span>",
                        escape(step.what()),
                        StatusPage.time(step.at()),
                        (step.at() - story.at()) / 1000.0,
                        predicted));
            } else {
                long due = story.at() + Math.round(predicted * 1000);
                html.append(String.format(
                        Locale.ROOT,
                        "… %s %s %s <span class=\"small\">(predicted ~%.0f s)</span>",
                        escape(step.what()),
                        due >= now ? "expected" : "not yet, due",
                        StatusPage.clock(due, now),
                        predicted));
            }
            if (step.id().equals("dns")) {
                html.append(agentsSaw(snapshot, target.name(), story));
            }
            html.append("</div>");
        }
        return html.toString();
    }

    /** When the agents saw DNS follow the verdict the story began with: timed by them, from the verdict. */
    private static String agentsSaw(StatusSnapshot snapshot, String target, Story story) {
        Routing.FailoverKind kind = story.back() ? Routing.FailoverKind.FAILBACK : Routing.FailoverKind.FAILOVER;
        return snapshot.failovers().stream()
                .filter(e -> e.target().equals(target)
                        && e.kind() == kind
                        && e.startedAt() >= story.at()
                        && e.seconds() != null)
                .findFirst()
                .map(e -> String.format(
                        Locale.ROOT,
                        "<div class=\"small\">the agents saw DNS follow %.1f s after the verdict</div>",
                        e.seconds()))
                .orElse("");
    }

    /** With nothing pressed yet: how long DNS takes to move after a break, here and with CloudWatch's 60 s periods. */
    private static String ifItBreaks(StatusSnapshot.TargetStatus target, Forecast forecast) {
        StringBuilder html = new StringBuilder(String.format(
                Locale.ROOT,
                "if it breaks: DNS moves ~%.0f s after the break",
                forecast.failover().alarm().typical()));
        if (target != null && target.expected() != null) {
            html.append(String.format(
                    Locale.ROOT,
                    "<div class=\"small\">on AWS, with CloudWatch's 60 s periods: ~%.0f s; clients follow within the "
                            + "TTL</div>",
                    target.expected().failover().alarm().typical()));
        }
        return html.toString();
    }

    /** The model for the demo's own periods, computed once (all the demo's targets have the same settings). */
    private synchronized Forecast forecast() {
        if (forecast == null) {
            FailoverModel.Inputs inputs = FailoverModel.Inputs.of(
                            config, config.targets().get(0))
                    .withAlarmPeriod(route53.alarm().period());
            forecast = new Forecast(
                    FailoverModel.predict(inputs, Predictions.TRIALS, Predictions.SEED),
                    FailoverModel.predict(
                            inputs,
                            FailoverModel.Scenario.ENDPOINT_RECOVERS,
                            Predictions.FAILBACK_TRIALS,
                            Predictions.SEED));
        }
        return forecast;
    }

    private static String header(String label, String title) {
        return "<th title=\"" + escape(title) + "\">" + escape(label) + "</th>";
    }

    private static String button(String action, String label) {
        return "<form method=\"post\" action=\"" + escape(action) + "\"><button>" + escape(label) + "</button></form>";
    }

    private static String moment(String word, long at, long now) {
        // What happened is in the past, though its timestamp may be a moment ahead of this page's clock.
        return "<div class=\"small\">" + word + " " + StatusPage.clock(Math.min(at, now), now) + "</div>";
    }
}
