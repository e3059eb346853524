package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo page's endpoint routes over real HTTP: an unknown region or action is a 404 naming the valid ones. */
class DemoEndpointRoutesTest {
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @BeforeEach
    void start() {
        Map<String, DemoEndpoint> endpoints = new LinkedHashMap<>();
        Demo.REGIONS.forEach(region -> endpoints.put(region, new DemoEndpoint(region)));
        DemoPage page =
                new DemoPage(vertx, Path.of("unused.yaml"), endpoints, null, () -> null, null, Clock.systemUTC());
        HttpServer server = vertx.createHttpServer()
                .requestHandler(page::handle)
                .listen(0, "127.0.0.1")
                .await();
        base = "http://127.0.0.1:" + server.actualPort() + "/demo/endpoints/";
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

    @Test
    void anUnknownRegionIs404ListingTheRegions() throws Exception {
        HttpResponse<String> unknown = post("mars-1/break");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body())
                .isEqualTo("unknown demo region 'mars-1'; the regions are us-east-1, eu-west-1, ap-southeast-2\n");
    }

    @Test
    void anUnknownActionIs404ListingTheActions() throws Exception {
        HttpResponse<String> unknown = post("eu-west-1/explode");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("unknown action 'explode'; use break, slow, flap or repair\n");
    }
}
