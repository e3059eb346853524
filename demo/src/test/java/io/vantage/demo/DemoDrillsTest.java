package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.wire.Documents;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo page's drill routes over real HTTP, on the demo's own aggregator config in a temporary directory: an unknown
 * target is 404 naming the known ones, a refusal is 409 with the guard's reason, a {@code duration} is honoured within
 * the drill rule or refused with 400, and no answer shows where the config file lives.
 */
class DemoDrillsTest {
    @TempDir
    Path directory;

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();
    private Path config;
    private String base;

    @BeforeEach
    void start() throws Exception {
        Map<String, Integer> ports = new LinkedHashMap<>();
        Demo.REGIONS.forEach(region -> ports.put(region, 8000 + ports.size()));
        config = Files.writeString(directory.resolve("aggregator.yaml"), Demo.aggregatorYaml(0, ports));
        // The drill routes read and write only the config file: no endpoints, stand-in or running aggregator.
        DemoPage page = new DemoPage(vertx, config, Map.of(), null, () -> null, null, Clock.systemUTC());
        HttpServer server = vertx.createHttpServer()
                .requestHandler(page::handle)
                .listen(0, "127.0.0.1")
                .await();
        base = "http://127.0.0.1:" + server.actualPort() + "/demo/drills/";
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<AggregatorConfig.Drill> drills() throws Exception {
        return Documents.readYaml(Files.readString(config), AggregatorConfig.class)
                .drills();
    }

    @Test
    void anUnknownTargetIs404NamingTheKnownTargets() throws Exception {
        for (String action : List.of("start", "end")) {
            HttpResponse<String> unknown = post("api-mars-1/" + action);
            assertThat(unknown.statusCode()).as(action).isEqualTo(404);
            assertThat(unknown.body())
                    .as(action)
                    .isEqualTo("no target named 'api-mars-1'; the targets are api-us-east-1, api-eu-west-1, "
                            + "api-ap-southeast-2\n");
        }
    }

    @Test
    void aRefusalIs409WithTheReasonAndNoPath() throws Exception {
        assertThat(post("api-us-east-1/start").statusCode()).isEqualTo(204);
        assertThat(post("api-eu-west-1/start").statusCode()).isEqualTo(204);
        HttpResponse<String> third = post("api-ap-southeast-2/start");
        assertThat(third.statusCode()).isEqualTo(409);
        assertThat(third.body())
                .isEqualTo("refused: no other target of app.demo A is healthy and outside a drill to take the "
                        + "traffic\n");

        assertThat(post("api-us-east-1/end").statusCode()).isEqualTo(204);
        HttpResponse<String> notRunning = post("api-us-east-1/end");
        assertThat(notRunning.statusCode()).isEqualTo(409);
        assertThat(notRunning.body()).isEqualTo("no drill of 'api-us-east-1' is running\n");
    }

    @Test
    void aConfigThatCannotBeWrittenIs500WithoutItsPath() throws Exception {
        Files.delete(config);
        HttpResponse<String> failed = post("api-us-east-1/start");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body())
                .isEqualTo("the drill could not be written into the aggregator's config; the demo's log says why\n")
                .doesNotContain(directory.toString());
    }

    @Test
    void aDurationIsHonouredWithinTheDrillRule() throws Exception {
        Instant before = Instant.now();
        assertThat(post("api-us-east-1/start?duration=5m").statusCode()).isEqualTo(204);
        assertThat(drills())
                .singleElement()
                .satisfies(drill -> assertThat(drill.end())
                        .isBetween(
                                before.plus(Duration.ofMinutes(5)).minusSeconds(1),
                                Instant.now().plus(Duration.ofMinutes(5))));

        assertThat(post("api-eu-west-1/start").statusCode()).isEqualTo(204);
        assertThat(drills())
                .filteredOn(drill -> drill.target().equals("api-eu-west-1"))
                .singleElement()
                .satisfies(drill -> assertThat(drill.end())
                        .as("without a duration: the page's 60 s")
                        .isBefore(Instant.now().plus(DemoPage.DRILL).plusSeconds(1)));
    }

    @Test
    void aDurationOutsideTheDrillRuleIs400NamingTheRange() throws Exception {
        for (String duration : List.of("2h", "0s", "soon")) {
            HttpResponse<String> refused = post("api-us-east-1/start?duration=" + duration);
            assertThat(refused.statusCode()).as(duration).isEqualTo(400);
            assertThat(refused.body())
                    .as(duration)
                    .isEqualTo("duration must be more than 0 and at most 1h, such as 10m; got '" + duration + "'\n");
        }
        assertThat(drills()).as("nothing written").isEmpty();

        assertThat(post("api-us-east-1/start").statusCode()).isEqualTo(204);
        HttpResponse<String> onEnd = post("api-us-east-1/end?duration=5m");
        assertThat(onEnd.statusCode()).isEqualTo(400);
        assertThat(onEnd.body()).isEqualTo("duration is for starting a drill; ending one takes none\n");
        assertThat(drills()).as("still running").hasSize(1);
    }
}
