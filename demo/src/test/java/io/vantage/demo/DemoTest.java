package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo, end to end: real agents probe real endpoints and push over HTTP to the real
 * aggregator; breaking one endpoint turns only its target UNHEALTHY, repairing it brings it back; and no event
 * loop is ever blocked long enough for Vert.x to warn.
 */
class DemoTest {
    @TempDir
    Path directory;

    final HttpClient http = HttpClient.newHttpClient();

    private Map<String, String> verdicts(Demo demo) {
        return demo.aggregator().snapshot().targets().stream()
                .collect(Collectors.toMap(StatusSnapshot.TargetStatus::name, StatusSnapshot.TargetStatus::verdict));
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void breakingOneRegionsEndpointFailsOnlyThatTarget() throws Exception {
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry);
        try (BlockedThreadWarnings blocked = new BlockedThreadWarnings()) {
            Demo demo = new Demo();
            demo.start(vertx, registry, 0).await();
            String base = "http://127.0.0.1:" + demo.aggregator().port();
            Map<String, String> allHealthy =
                    Map.of("api-us-east-1", "HEALTHY", "api-eu-west-1", "HEALTHY", "api-ap-southeast-2", "HEALTHY");
            await().atMost(Duration.ofSeconds(30)).until(() -> verdicts(demo).equals(allHealthy));

            HttpResponse<String> broke =
                    send(HttpRequest.newBuilder(URI.create(base + "/demo/endpoints/eu-west-1/break"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build());
            assertThat(broke.statusCode()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> verdicts(demo).get("api-eu-west-1").equals("UNHEALTHY"));
            assertThat(verdicts(demo))
                    .containsEntry("api-us-east-1", "HEALTHY")
                    .containsEntry("api-ap-southeast-2", "HEALTHY");

            String page =
                    send(HttpRequest.newBuilder(URI.create(base + "/")).build()).body();
            assertThat(page).contains("api-eu-west-1").contains("http_status").contains("class=\"v UNHEALTHY\"");
            String metrics = send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                            .build())
                    .body();
            assertThat(metrics)
                    .contains("vantage_target_healthy{target=\"api-eu-west-1\"} 0.0")
                    .contains("vantage_target_healthy{target=\"api-us-east-1\"} 1.0")
                    .contains("vantage_cloudwatch_publish_total{outcome=\"dry_run\"}")
                    .contains("vantage_evaluation_duration_seconds_count");
            Promtool.assertAccepts(metrics, directory);

            send(HttpRequest.newBuilder(URI.create(base + "/demo/endpoints/eu-west-1/repair"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build());
            await().atMost(Duration.ofSeconds(30)).until(() -> verdicts(demo).equals(allHealthy));

            await("failover predictions, computed off the loop, reach the page")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> demo.aggregator().snapshot().targets().stream()
                            .allMatch(target -> target.expected() != null));
            assertThat(blocked.warnings())
                    .as("Vert.x blocked-thread warnings during the demo")
                    .isEmpty();
        } finally {
            vertx.close().await();
        }
    }
}
