package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.routing.Routing;
import io.vantage.aggregator.status.StatusSnapshot;
import io.vantage.runtime.Startup;
import io.vantage.testing.BlockedThreadWarnings;
import io.vantage.testing.Promtool;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo, end to end, as a new user runs it: real agents probe real endpoints (by host name, through each
 * region's resolver) and push over HTTP to the real aggregator; breaking one region's endpoint turns only its target
 * UNHEALTHY, the Route 53 stand-in's alarm and health check follow, DNS sends that region's clients elsewhere, the agents
 * see it and the aggregator times it; repairing brings all of it back; a drill started from the page moves DNS while the
 * probes stay healthy, the guard refuses a drill that would leave the record without a healthy target, and ending it
 * early brings DNS back. No event loop is ever blocked long enough for Vert.x to warn.
 */
class DemoIT {
    @TempDir
    Path directory;

    final HttpClient http = HttpClient.newHttpClient();

    private Map<String, String> verdicts(Demo demo) {
        return demo.aggregator().snapshot().targets().stream()
                .collect(Collectors.toMap(StatusSnapshot.TargetStatus::name, StatusSnapshot.TargetStatus::verdict));
    }

    /** Where the stand-in's resolver in {@code region} sends clients now. */
    private static String answer(Demo demo, String region) {
        return demo.route53().answers().stream()
                .filter(a -> a.region().equals(region))
                .findFirst()
                .orElseThrow()
                .target();
    }

    /** Where the aggregator saw {@code region}'s agent sent for app.demo, from the agent's own observation. */
    private static List<String> observed(Demo demo, String region) {
        return demo.aggregator().snapshot().routing().stream()
                .filter(name -> name.name().equals(Demo.NAME))
                .flatMap(name -> name.vantages().stream())
                .filter(route -> route.region().equals(region))
                .map(route -> route.targets())
                .findFirst()
                .orElse(List.of());
    }

    private static Routing.FailoverEvent timed(Demo demo, String target, Routing.FailoverKind kind) {
        return demo.aggregator().snapshot().failovers().stream()
                .filter(e -> e.target().equals(target) && e.kind() == kind && e.seconds() != null)
                .findFirst()
                .orElse(null);
    }

    private static double since(long start, long at) {
        return (at - start) / 1000.0;
    }

    private HttpResponse<String> post(String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void breakingARegionMovesItsClientsInDnsAndTheTimesAreMeasured() throws Exception {
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry);
        try (BlockedThreadWarnings blocked = new BlockedThreadWarnings()) {
            Demo demo = new Demo(directory);
            demo.start(vertx, registry, 0).await();
            String base = "http://127.0.0.1:" + demo.aggregator().port();
            Map<String, String> allHealthy =
                    Map.of("api-us-east-1", "HEALTHY", "api-eu-west-1", "HEALTHY", "api-ap-southeast-2", "HEALTHY");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(verdicts(demo)).isEqualTo(allHealthy);
                for (String region : Demo.REGIONS) {
                    assertThat(observed(demo, region))
                            .as("each region's agent is sent to its own region")
                            .containsExactly(Demo.target(region));
                }
            });

            long broken = System.currentTimeMillis();
            assertThat(post(base + "/demo/endpoints/eu-west-1/break").statusCode())
                    .isEqualTo(204);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> verdicts(demo).get("api-eu-west-1").equals("UNHEALTHY"));
            long verdictAt = System.currentTimeMillis();
            assertThat(verdicts(demo))
                    .containsEntry("api-us-east-1", "HEALTHY")
                    .containsEntry("api-ap-southeast-2", "HEALTHY");
            await("the stand-in's alarm, health check and DNS follow, the agents see it and the failover is timed")
                    .atMost(Duration.ofSeconds(90))
                    .until(() -> timed(demo, "api-eu-west-1", Routing.FailoverKind.FAILOVER) != null);
            Route53StandIn.TargetView chain = demo.route53().targets().stream()
                    .filter(t -> t.target().equals("api-eu-west-1"))
                    .findFirst()
                    .orElseThrow();
            assertThat(chain.alarm().name()).isEqualTo("ALARM");
            assertThat(chain.healthy()).isFalse();
            assertThat(answer(demo, "eu-west-1")).isEqualTo("api-us-east-1");
            assertThat(observed(demo, "eu-west-1")).containsExactly("api-us-east-1");
            assertThat(answer(demo, "us-east-1")).isEqualTo("api-us-east-1");
            assertThat(answer(demo, "ap-southeast-2")).isEqualTo("api-ap-southeast-2");
            Routing.FailoverEvent failover = timed(demo, "api-eu-west-1", Routing.FailoverKind.FAILOVER);

            String page = get(base + "/");
            assertThat(page)
                    .contains("api-eu-west-1")
                    .contains("http_status")
                    .contains("class=\"v UNHEALTHY\"")
                    .contains("6 s periods instead of CloudWatch's 60 s")
                    .contains("action=\"/demo/endpoints/eu-west-1/repair\"");
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(get(base + "/"))
                            .contains("alarm of api-eu-west-1 is ALARM")
                            .contains("health check of api-eu-west-1 is unhealthy")
                            .contains("DNS: app.demo from eu-west-1 answers api-us-east-1")
                            .contains("the agents saw DNS follow"));
            String metrics = get(base + "/metrics");
            assertThat(metrics)
                    .contains("vantage_target_healthy{target=\"api-eu-west-1\"} 0.0")
                    .contains("vantage_target_healthy{target=\"api-us-east-1\"} 1.0")
                    .contains("vantage_cloudwatch_publish_total{outcome=\"dry_run\"}")
                    .contains("vantage_evaluation_duration_seconds_count");
            Promtool.assertAccepts(metrics, directory);

            long repaired = System.currentTimeMillis();
            post(base + "/demo/endpoints/eu-west-1/repair");
            await().atMost(Duration.ofSeconds(30)).until(() -> verdicts(demo).equals(allHealthy));
            long healthyAt = System.currentTimeMillis();
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> timed(demo, "api-eu-west-1", Routing.FailoverKind.FAILBACK) != null);
            assertThat(answer(demo, "eu-west-1")).isEqualTo("api-eu-west-1");
            Routing.FailoverEvent failback = timed(demo, "api-eu-west-1", Routing.FailoverKind.FAILBACK);
            await("the incident log, which stays after the repair, records the failback")
                    .atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(get(base + "/"))
                            .contains("repair eu-west-1")
                            .contains("DNS: app.demo from eu-west-1 answers api-eu-west-1")
                            .contains("agents saw DNS complete the failback of api-eu-west-1"));
            assertThat(demo.incidents())
                    .as("older than the page shows, still in the log")
                    .anyMatch(entry -> entry.what().startsWith("break eu-west-1"));
            demo.incidents().forEach(entry -> System.out.println("demo incident log: " + entry));
            System.out.printf(
                    Locale.ROOT,
                    "demo: break -> verdict %.1f s, DNS moved (observed) %.1f s after the break (%.1f s after the "
                            + "verdict); repair -> HEALTHY %.1f s, DNS back %.1f s after the repair (%.1f s after the "
                            + "verdict)%n",
                    since(broken, verdictAt),
                    since(broken, failover.startedAt()) + failover.seconds(),
                    failover.seconds(),
                    since(repaired, healthyAt),
                    since(repaired, failback.startedAt()) + failback.seconds(),
                    failback.seconds());

            // A drill from the page: us-east-1 is healthy, yet its clients are sent elsewhere until it ends.
            assertThat(post(base + "/demo/drills/api-us-east-1/start").statusCode())
                    .isEqualTo(204);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> answer(demo, "us-east-1").equals("api-eu-west-1"));
            assertThat(verdicts(demo)).as("the probes still say healthy").isEqualTo(allHealthy);
            assertThat(post(base + "/demo/drills/api-eu-west-1/start").statusCode())
                    .isEqualTo(204);
            HttpResponse<String> third = post(base + "/demo/drills/api-ap-southeast-2/start");
            assertThat(third.statusCode())
                    .as("the command's guard: no target of app.demo would be left to take the traffic")
                    .isEqualTo(409);
            assertThat(third.body()).contains("no other target of app.demo A is healthy and outside a drill");
            assertThat(post(base + "/demo/drills/api-eu-west-1/end").statusCode())
                    .isEqualTo(204);
            assertThat(post(base + "/demo/drills/api-us-east-1/end").statusCode())
                    .isEqualTo(204);
            await("ending the drills early brings DNS back")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> answer(demo, "us-east-1").equals("api-us-east-1"));
            assertThat(post(base + "/demo/drills/api-us-east-1/end").statusCode())
                    .as("no drill left to end")
                    .isEqualTo(409);

            assertThat(blocked.warnings())
                    .as("Vert.x blocked-thread warnings during the demo")
                    .isEmpty();
        } finally {
            vertx.close().await();
        }
    }
}
