package io.vantage.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The read token as a scraper (bearer) and a browser (basic, the token as password) present it, over real HTTP. */
class ReadAccessTest {
    static final String TOKEN = "read-token-0123456789";

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void theTokenIsAcceptedAsBearerOrAsBasicPasswordAndNothingElse() throws Exception {
        int port = serve(ReadAccess.token(TOKEN));
        assertThat(get(port, null).statusCode()).isEqualTo(401);
        assertThat(get(port, "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(get(port, "bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(get(port, basic("anyone:" + TOKEN)).statusCode()).isEqualTo(200);
        assertThat(get(port, basic(":" + TOKEN)).statusCode()).isEqualTo(200);

        assertThat(get(port, "Bearer " + TOKEN + "x").statusCode()).isEqualTo(401);
        assertThat(get(port, basic(TOKEN + ":nothing")).statusCode()).isEqualTo(401);
        assertThat(get(port, basic(TOKEN)).statusCode()).as("no colon").isEqualTo(401);
        assertThat(get(port, "Basic !!!not-base64").statusCode()).isEqualTo(401);
        assertThat(get(port, "Token " + TOKEN).statusCode()).isEqualTo(401);
    }

    @Test
    void aRefusalAsksABrowserForTheToken() throws Exception {
        HttpResponse<String> refused = get(serve(ReadAccess.token(TOKEN)), null);
        assertThat(refused.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(value -> assertThat(value).startsWith("Basic realm=\"vantage\""));
        assertThat(refused.body()).contains("read token").doesNotContain(TOKEN);
    }

    @Test
    void withoutATokenEveryoneReads() throws Exception {
        assertThat(ReadAccess.OPEN.required()).isFalse();
        assertThat(get(serve(ReadAccess.OPEN), null).statusCode()).isEqualTo(200);
    }

    private int serve(ReadAccess readers) {
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> {
                    if (readers.admitsOrRefuses(request)) {
                        request.response().end("read\n");
                    }
                })
                .listen(0, "127.0.0.1")
                .await();
        return server.actualPort();
    }

    private HttpResponse<String> get(int port, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
}
