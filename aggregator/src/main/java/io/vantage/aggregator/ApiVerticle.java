package io.vantage.aggregator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.LoadedAggregatorConfig.Credential;
import io.vantage.aggregator.ingest.ConnectionGuard;
import io.vantage.aggregator.ingest.IngestHandler;
import io.vantage.aggregator.ingest.ServerLimits;
import io.vantage.aggregator.members.Members;
import io.vantage.aggregator.members.TargetsBody;
import io.vantage.aggregator.status.StatusDocuments;
import io.vantage.runtime.AnswerSlots;
import io.vantage.runtime.Answers;
import io.vantage.runtime.Listening;
import io.vantage.runtime.ReadAccess;
import io.vantage.wire.Headers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.Optional;

/**
 * The aggregator's HTTP API. Several instances share the port (one per core); everything they touch is
 * thread-safe or an immutable snapshot, read through {@link ApiSource} only.
 */
final class ApiVerticle extends VerticleBase {
    private final ApiSource aggregator;
    private final AggregatorConfig.Server settings;
    private final PrometheusMeterRegistry registry;
    private final Optional<Extension> extension;
    private final int loops;
    private IngestHandler ingest;
    private ConnectionGuard guard;
    private HttpServer server;

    /** {@code loops}: how many API verticles share the port (and the connection limits). */
    ApiVerticle(
            ApiSource aggregator,
            AggregatorConfig.Server settings,
            PrometheusMeterRegistry registry,
            Optional<Extension> extension,
            int loops) {
        this.aggregator = aggregator;
        this.settings = settings;
        this.registry = registry;
        this.extension = extension;
        this.loops = loops;
    }

    @Override
    public Future<?> start() {
        guard = new ConnectionGuard(vertx, registry, loops);
        ingest = aggregator.ingestHandler(vertx, guard::authenticated);
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                // Ingest decompresses report bodies itself: bounded, and a corrupt one gets a 400 saying so.
                .setDecompressionSupported(false)
                // HTTP/1.1 only in clear text (agents, browsers and Prometheus speak it): with h2c on, the server waits
                // for a silent connection's first bytes before it even reports the connection, so no limit could apply.
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout(ServerLimits.IDLE_TIMEOUT_SECONDS)
                .setMaxInitialLineLength(ServerLimits.MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(ServerLimits.MAX_HEADER_BYTES);
        if (settings.tls() != null) {
            options.setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions()
                            .setCertPath(settings.tls().certFile())
                            .setKeyPath(settings.tls().keyFile()));
        }
        server =
                vertx.createHttpServer(options).connectionHandler(guard::opened).requestHandler(this::route);
        return Listening.explained(
                server.listen(), settings.host(), settings.port(), "server.port in the aggregator's config");
    }

    int port() {
        return server.actualPort();
    }

    private void route(HttpServerRequest request) {
        guard.requested(request.connection());
        request.response().putHeader(Headers.REPLICA, aggregator.replica());
        String path = request.path();
        if (!path.equals("/v1/reports") && hasBody(request)) {
            // Nothing else takes a body; answering without reading it must close, or the client could hold the
            // connection by trickling it.
            closeAfter(request, 400, "only POST /v1/reports takes a request body\n");
            return;
        }
        if (path.equals("/v1/reports")) {
            ingest.handle(request);
            return;
        }
        if (extension.isPresent() && path.startsWith(extension.get().pathPrefix())) {
            extension.get().handle(request);
            return;
        }
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().setStatusCode(405).end("method not allowed\n");
            return;
        }
        switch (path) {
            case "/v1/targets" -> targets(request);
            case "/v1/status" -> status(request, StatusDocuments.Format.JSON, "application/json");
            case "/" -> status(request, StatusDocuments.Format.PAGE, "text/html; charset=utf-8");
            case "/metrics" -> {
                AnswerSlots.Slot slot =
                        readable(request) ? aggregator.answerSlots().take(vertx, request) : null;
                if (slot != null) {
                    Answers.metrics(vertx, aggregator.metrics(), request, slot::release);
                }
            }
            case "/healthz" -> request.response().end("ok\n");
            case "/readyz" ->
                request.response().setStatusCode(aggregator.ready() ? 200 : 503).end(aggregator.readiness() + "\n");
            default -> request.response().setStatusCode(404).end("not found\n");
        }
    }

    /**
     * The status as JSON or page, rendered once per round on a worker thread and shared with every reader of the round
     * (so it needs no slot: a reader costs a reference). Readers with the read token (or, without one configured, everyone when
     * {@code anonymousStatus: full}) see it whole; the others its summary.
     */
    private void status(HttpServerRequest request, StatusDocuments.Format format, String contentType) {
        if (!readable(request)) {
            return;
        }
        StatusDocuments.View view = aggregator.readers().required() || settings.anonymousFull()
                ? StatusDocuments.View.FULL
                : StatusDocuments.View.SUMMARY;
        aggregator.documents().get(vertx, format, view).onComplete(rendered -> {
            if (rendered.succeeded()) {
                request.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                        .end(rendered.result());
            } else {
                request.response()
                        .setStatusCode(500)
                        .end("status could not be rendered: " + rendered.cause().getMessage() + "\n");
            }
        });
    }

    /** Whether {@code request} may read the status and metrics; if not, it has been answered 401. */
    private boolean readable(HttpServerRequest request) {
        ReadAccess readers = aggregator.readers();
        if (!readers.admitsOrRefuses(request)) {
            return false;
        }
        if (readers.required()) {
            guard.authenticated(request.connection()); // a reader with the token is not evicted by anonymous clients
        }
        return true;
    }

    /** Answers and closes the connection (after draining what the client is still sending, for a second at most). */
    private void closeAfter(HttpServerRequest request, int status, String body) {
        request.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(body)
                .onComplete(sent -> ServerLimits.closeAfterAnswer(vertx, request));
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return (length != null && !length.equals("0")) || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    private void targets(HttpServerRequest request) {
        Credential agent = aggregator.credentials().authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (agent == null) {
            closeAfter(request, 401, "{\"error\":\"missing or unknown bearer token\"}");
            return;
        }
        guard.authenticated(request.connection());
        String instance = request.getHeader(Headers.INSTANCE);
        String invalid = Members.invalidInstance(instance);
        if (invalid != null) {
            closeAfter(request, 400, new JsonObject().put("error", invalid).encode());
            return;
        }
        // A changed share is written as JSON off the event loop: 100,000 targets take a while.
        vertx.executeBlocking(() -> aggregator.share(agent.agentId(), instance), false)
                .onComplete(shared -> answerTargets(request, agent, shared.succeeded() ? shared.result() : null));
    }

    private void answerTargets(HttpServerRequest request, Credential agent, TargetsBody body) {
        if (body == null) {
            request.response()
                    .setStatusCode(409)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(new JsonObject()
                            .put("error", Members.refusal(agent.agentId()))
                            .encode());
            return;
        }
        if (body.etag().equals(request.getHeader(HttpHeaders.IF_NONE_MATCH))) {
            request.response()
                    .setStatusCode(304)
                    .putHeader(HttpHeaders.ETAG, body.etag())
                    .end();
            return;
        }
        request.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ETAG, body.etag())
                .end(body.json());
    }
}
