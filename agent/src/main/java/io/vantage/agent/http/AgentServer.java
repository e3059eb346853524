package io.vantage.agent.http;

import io.vantage.runtime.Answers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Serves the agent's metrics and health; nothing here changes state. */
public final class AgentServer {
    private final Vertx vertx;
    private final Supplier<Answers.Parts> scrape;
    private final BooleanSupplier ready;
    private final Supplier<String> readiness;
    private HttpServer server;

    /** {@code readiness} explains, in one line, why the agent is or is not ready. */
    public AgentServer(Vertx vertx, Supplier<Answers.Parts> scrape, BooleanSupplier ready, Supplier<String> readiness) {
        this.vertx = vertx;
        this.scrape = scrape;
        this.ready = ready;
        this.readiness = readiness;
    }

    public Future<HttpServer> listen(String host, int port) {
        server = vertx.createHttpServer(
                new HttpServerOptions().setIdleTimeout(60).setMaxInitialLineLength(1024));
        return server.requestHandler(this::handle).listen(port, host);
    }

    public int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response()
                    .setStatusCode(405)
                    .putHeader(HttpHeaders.ALLOW, "GET, HEAD")
                    .end("only GET and HEAD\n");
            return;
        }
        switch (request.path()) {
            case "/metrics" -> Answers.metrics(vertx, scrape.get(), request);
            case "/healthz" -> request.response().end("ok\n");
            case "/readyz" ->
                request.response()
                        .setStatusCode(ready.getAsBoolean() ? 200 : 503)
                        .end(readiness.get() + "\n");
            case "/" ->
                request.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                        .end("vantage agent: /metrics /healthz /readyz\n");
            default -> request.response().setStatusCode(404).end("not found: try /metrics, /healthz or /readyz\n");
        }
    }
}
