package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.testing.aws.LocalAwsBridge;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compose demo's Route 53 stand-in reads the compose aggregator's config; a config it cannot use is named. */
class ComposeRoute53Test {
    @TempDir
    Path directory;

    @Test
    void startsOnTheComposeConfigWithEveryRegionAnsweredAtHome() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            LocalAwsBridge bridge =
                    LocalAwsBridge.start(vertx, "127.0.0.1", 0, "127.0.0.1", 9).await();
            int port = ComposeRoute53.start(vertx, bridge, Path.of("../deploy/compose/aggregator.yaml"), "127.0.0.1", 0)
                    .await()
                    .actualPort();
            JsonNode view = new ObjectMapper()
                    .readTree(HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body());
            assertThat(view.get("name").asText()).isEqualTo(Demo.NAME);
            assertThat(view.get("period").asText()).isEqualTo("PT6S");
            assertThat(view.get("answers").toString())
                    .contains(
                            "\"region\":\"eu-west-1\",\"target\":\"api-eu-west-1\",\"address\":\"endpoint-eu-west-1\"");
            assertThat(view.get("targets").findValuesAsText("alarm")).containsOnly("INSUFFICIENT_DATA");
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void aTargetOutsideTheDemosRegionsIsNamed() throws Exception {
        Path config = Files.writeString(
                directory.resolve("aggregator.yaml"),
                Files.readString(Path.of("../deploy/compose/aggregator.yaml"))
                        .replace("region: ap-southeast-2\n", "region: mars-1\n"));
        assertThatThrownBy(() -> ComposeRoute53.start(null, null, config, "127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target api-ap-southeast-2")
                .hasMessageContaining("not mars-1");
    }
}
