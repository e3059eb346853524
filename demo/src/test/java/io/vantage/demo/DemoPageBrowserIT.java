package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.routing.Routing;
import io.vantage.aggregator.status.StatusSnapshot;
import io.vantage.runtime.Startup;
import io.vantage.testing.Chromium;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's page as a person sees it in a browser (Debian's headless Chromium, after the page loaded) during an
 * incident: one prediction per failover step, nothing "expected" once it happened, the verdicts before the incident
 * log, the log bounded, a drill badged with its end on the page's clock, every term explained where it appears. Leaves
 * a screenshot of the incident in target/demo-page.png (docs/images/demo-page.png is one).
 */
class DemoPageBrowserIT {
    private static final Pattern STEP = Pattern.compile("<div class=\"step\" data-event=\"(\\w+)\">(.*?)</div>");
    /** A figure in seconds the page gives as an estimate: "~19 s". */
    private static final Pattern ESTIMATE = Pattern.compile("~\\d+ s");

    @TempDir
    Path directory;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void duringAnIncidentThePageTellsOneStory() throws Exception {
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry);
        try {
            Demo demo = new Demo(directory);
            demo.start(vertx, registry, 0).await();
            String base = "http://127.0.0.1:" + demo.aggregator().port();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Demo.REGIONS.stream()
                            .allMatch(region -> verdict(demo, region).verdict().equals("HEALTHY")));

            long broken = System.currentTimeMillis();
            assertThat(post(base + "/demo/endpoints/eu-west-1/break")).isEqualTo(204);
            await("the verdict UNHEALTHY, DNS moved and the agents saw it")
                    .atMost(Duration.ofSeconds(90))
                    .until(() -> verdict(demo, "eu-west-1").verdict().equals("UNHEALTHY")
                            && !answer(demo, "eu-west-1").target().equals("api-eu-west-1")
                            && observed(demo, Routing.FailoverKind.FAILOVER) != null);

            String page = Chromium.dom(base + "/", directory);
            String row = row(page, "eu-west-1");
            List<String[]> steps = steps(row);
            System.out.println("page during the incident, eu-west-1 (broken at +0 s):");
            steps.forEach(step -> System.out.println("  " + text(step[1])));
            System.out.printf(
                    "agents timed the failover: %.1f s after the verdict; verdict %.1f s after the break%n",
                    observed(demo, Routing.FailoverKind.FAILOVER).seconds(),
                    (verdict(demo, "eu-west-1").since() - broken) / 1000.0);
            assertThat(steps).extracting(step -> step[0]).containsExactly("verdict", "datum", "dns");
            for (String[] step : steps) {
                assertThat(count(ESTIMATE, step[1]))
                        .as("one prediction for the step %s: %s", step[0], text(step[1]))
                        .isEqualTo(1);
                assertThat(step[1])
                        .as("the step %s happened: when, not when expected", step[0])
                        .startsWith("✓")
                        .doesNotContain("expected")
                        .doesNotContain("due");
            }
            assertThat(row).doesNotContain("if it breaks").contains("the agents saw DNS follow");
            assertOneStory(page);
            assertThat(page.indexOf("id=\"demo\""))
                    .as("the demo's table, then the verdicts, then the incident log")
                    .isLessThan(page.indexOf("id=\"verdicts\""));
            assertThat(page.indexOf("id=\"verdicts\"")).isLessThan(page.indexOf("id=\"incidents\""));
            assertThat(demo.incidents()).hasSizeGreaterThan(DemoPage.LOG_SHOWN);
            assertThat(count(Pattern.compile("class=\"entry\""), page)).isEqualTo(DemoPage.LOG_SHOWN);
            assertThat(page).containsPattern("class=\"older\">and \\d+ older entries");
            assertTermsExplained(page);
            Path screenshot = Path.of("target", "demo-page.png");
            Files.createDirectories(screenshot.getParent());
            Chromium.screenshot(base + "/", 1280, 1000, screenshot, directory);

            assertThat(post(base + "/demo/drills/api-us-east-1/start")).isEqualTo(204);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> verdict(demo, "us-east-1").drilled());
            String drill = row(Chromium.dom(base + "/", directory), "us-east-1");
            assertThat(cell(drill, "verdict"))
                    .as("the drilled target's verdict says HEALTHY beside a DRILL badge and the drill's end")
                    .contains("class=\"v HEALTHY\"")
                    .contains("class=\"v DRILL\"")
                    .containsPattern("drill ends \\d\\d:\\d\\d:\\d\\d \\(in \\d+ s\\)");
            assertThat(cell(drill, "alarm")).contains("class=\"v DRILL\"");
            assertThat(steps(drill)).extracting(step -> step[0]).containsExactly("datum", "dns");

            long repaired = System.currentTimeMillis();
            assertThat(post(base + "/demo/endpoints/eu-west-1/repair")).isEqualTo(204);
            await("the failback seen by the agents")
                    .atMost(Duration.ofSeconds(90))
                    .until(() -> observed(demo, Routing.FailoverKind.FAILBACK) != null
                            && observed(demo, Routing.FailoverKind.FAILBACK).startedAt() >= repaired);
            String back = row(Chromium.dom(base + "/", directory), "eu-west-1");
            System.out.println("page after the repair, eu-west-1:");
            steps(back).forEach(step -> System.out.println("  " + text(step[1])));
            assertThat(steps(back))
                    .extracting(step -> text(step[1]))
                    .satisfiesExactly(
                            verdict -> assertThat(verdict).startsWith("✓ verdict HEALTHY"),
                            datum -> assertThat(datum).startsWith("✓ Healthy=1 sent"),
                            dns -> assertThat(dns)
                                    .startsWith("✓ alarm OK, health check healthy: DNS answers eu-west-1 again"));
            for (String[] step : steps(back)) {
                assertThat(count(ESTIMATE, step[1])).isEqualTo(1);
            }
        } finally {
            vertx.close().await();
        }
    }

    /**
     * No estimate on the page but a step's one prediction, what a break would take (here, and labelled as on AWS); no
     * "expected" but for a step still to come; every time on the page's clock.
     */
    private static void assertOneStory(String page) {
        Matcher estimate = ESTIMATE.matcher(page);
        while (estimate.find()) {
            String before = page.substring(Math.max(0, estimate.start() - 40), estimate.start());
            assertThat(before)
                    .as("the estimate %s is a step's prediction, or what a break would take", estimate.group())
                    .matches("(?s).*(predicted |DNS moves |on AWS, with CloudWatch's 60 s periods: )$");
        }
        assertThat(page)
                .as("no second prediction from the CloudWatch model beside the demo's")
                .doesNotContain("typical")
                .doesNotContain("clients move in")
                .doesNotContainPattern("\\d{4}-\\d\\d-\\d\\dT\\d");
        String done = STEP.matcher(page)
                .replaceAll(step -> step.group(2).startsWith("…") ? "" : Matcher.quoteReplacement(step.group()));
        assertThat(done).as("nothing expected once it happened").doesNotContain("expected");
    }

    /** Every column head has a hover; the legend names every term; "guards" is explained where it stands. */
    private static void assertTermsExplained(String page) {
        Matcher head = Pattern.compile("<th( [^>]*)?>").matcher(page);
        int heads = 0;
        while (head.find()) {
            heads++;
            assertThat(head.group()).as("a column head with a hover").contains("title=\"");
        }
        assertThat(heads).isGreaterThan(10);
        String legend = page.substring(page.indexOf("id=\"legend\""), page.indexOf("id=\"incidents\""));
        for (String term : List.of(
                "verdict:",
                "fresh:",
                "stale:",
                "blind:",
                "quorum:",
                "rise / fall:",
                "datum:",
                "alarm:",
                "health check:",
                "guards:",
                "unknown",
                "drill:")) {
            assertThat(legend).as("the legend explains %s", term).contains(term);
        }
        assertThat(page).containsPattern("<span title=\"[^\"]+\">guards</span>");
    }

    private static StatusSnapshot.TargetStatus verdict(Demo demo, String region) {
        return demo.aggregator().snapshot().targets().stream()
                .filter(t -> t.name().equals(Demo.target(region)))
                .findFirst()
                .orElseThrow();
    }

    private static Route53StandIn.AnswerView answer(Demo demo, String region) {
        return demo.route53().answers().stream()
                .filter(a -> a.region().equals(region))
                .findFirst()
                .orElseThrow();
    }

    private static Routing.FailoverEvent observed(Demo demo, Routing.FailoverKind kind) {
        return demo.aggregator().snapshot().failovers().stream()
                .filter(e -> e.target().equals("api-eu-west-1") && e.kind() == kind && e.seconds() != null)
                .findFirst()
                .orElse(null);
    }

    private int post(String url) throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    /** The demo table's row of {@code region}. */
    private static String row(String page, String region) {
        int start = page.indexOf("<tr data-region=\"" + region + "\">");
        assertThat(start).as("the page has a row for %s", region).isNotNegative();
        return page.substring(start, page.indexOf("</tr>", start));
    }

    private static String cell(String row, String type) {
        int start = row.indexOf("<td class=\"" + type + "\">");
        assertThat(start).isNotNegative();
        return row.substring(start, row.indexOf("</td>", start));
    }

    /** Each step's event and HTML. */
    private static List<String[]> steps(String row) {
        List<String[]> steps = new ArrayList<>();
        Matcher step = STEP.matcher(row);
        while (step.find()) {
            steps.add(new String[] {step.group(1), step.group(2)});
        }
        return steps;
    }

    private static int count(Pattern pattern, String text) {
        return (int) pattern.matcher(text).results().count();
    }

    private static String text(String html) {
        return html.replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").trim();
    }
}
