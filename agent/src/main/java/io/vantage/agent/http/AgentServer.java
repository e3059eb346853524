package io.vantage.agent.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.agent.metrics.MetricNames;
import io.vantage.runtime.AnswerSlots;
import io.vantage.runtime.Answers;
import io.vantage.runtime.ReadAccess;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Serves the agent's metrics and health; nothing here changes state. Whoever reaches the port gets at most
 * {@link #MAX_CONNECTIONS} connections and {@link #MAX_SCRAPES_IN_FLIGHT} scrapes at once, each finished within
 * {@link #SCRAPE_DEADLINE_MILLIS}: a scrape holds about one part of the exposition while it is written, so slow or
 * absent readers cost at most that many parts (docs/security.md).
 */
public final class AgentServer {
    /**
     * Open connections: Prometheus, the kubelet and a person need a handful; more are closed at once (with /probe on,
     * {@code probe.maxInFlight} more).
     */
    public static final int MAX_CONNECTIONS = 64;
    /** Scrapes being built or written at once (a Prometheus pair, a person, a spare); more are answered 503. */
    public static final int MAX_SCRAPES_IN_FLIGHT = 4;
    /** A scrape not written within this long (Prometheus' longest timeout is the scrape interval) is cut off. */
    public static final long SCRAPE_DEADLINE_MILLIS = 30_000;

    private final Vertx vertx;
    private final Supplier<Answers.Parts> scrape;
    private final Supplier<ReadAccess> readers;
    private final BooleanSupplier ready;
    private final Supplier<String> readiness;
    private final Handler<HttpServerRequest> probe;
    private final IntSupplier probeConnections;
    private final AnswerSlots scrapes;
    private final Counter connectionsRefused;
    private final AtomicInteger connections = new AtomicInteger();
    private HttpServer server;

    /**
     * {@code readiness} explains, in one line, why the agent is or is not ready; {@code readers}, who may scrape (and
     * probe); {@code probe} answers {@code /probe} (blackbox_exporter's), once the reader is admitted, and {@code
     * probeConnections} is how many connections it needs beyond {@link #MAX_CONNECTIONS} (Prometheus holds one per
     * probe in flight: {@code probe.maxInFlight} when /probe is on).
     */
    public AgentServer(
            Vertx vertx,
            MeterRegistry registry,
            Supplier<Answers.Parts> scrape,
            Supplier<ReadAccess> readers,
            BooleanSupplier ready,
            Supplier<String> readiness,
            Handler<HttpServerRequest> probe,
            IntSupplier probeConnections) {
        this.vertx = vertx;
        this.probe = probe;
        this.probeConnections = probeConnections;
        this.scrape = scrape;
        this.readers = readers;
        this.ready = ready;
        this.readiness = readiness;
        Map<String, Counter> refused = Map.of(
                AnswerSlots.BUSY, refused(registry, AnswerSlots.BUSY),
                AnswerSlots.DEADLINE, refused(registry, AnswerSlots.DEADLINE));
        this.connectionsRefused = refused(registry, "connections");
        this.scrapes = new AnswerSlots(
                MAX_SCRAPES_IN_FLIGHT,
                SCRAPE_DEADLINE_MILLIS,
                reason -> refused.get(reason).increment());
    }

    private static Counter refused(MeterRegistry registry, String reason) {
        return Counter.builder(MetricNames.SERVER_REFUSED)
                .tag(MetricNames.TAG_REASON, reason)
                .description("What the agent's server refused to stay within its bounds: connections over the limit, "
                        + "scrapes while too many were in flight (busy), scrapes not read in time (deadline)")
                .register(registry);
    }

    public Future<HttpServer> listen(String host, int port) {
        server = vertx.createHttpServer(new HttpServerOptions()
                .setIdleTimeout(60)
                .setMaxInitialLineLength(1024)
                // HTTP/1.1 only, as on the aggregator: Prometheus and the kubelet speak it, and with h2c on the server
                // reports a connection only once its first bytes arrive, so the connection bound could not apply.
                .setHttp2ClearTextEnabled(false));
        return server.connectionHandler(this::opened)
                .requestHandler(this::handle)
                .listen(port, host);
    }

    public int port() {
        return server.actualPort();
    }

    private void opened(HttpConnection connection) {
        if (connections.incrementAndGet() > MAX_CONNECTIONS + probeConnections.getAsInt()) {
            connections.decrementAndGet();
            connectionsRefused.increment();
            connection.close();
            return;
        }
        connection.closeHandler(closed -> connections.decrementAndGet());
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
            case "/healthz" -> request.response().end("ok\n");
            case "/readyz" ->
                request.response()
                        .setStatusCode(ready.getAsBoolean() ? 200 : 503)
                        .end(readiness.get() + "\n");
            case "/metrics" -> {
                AnswerSlots.Slot slot = readers.get().admitsOrRefuses(request) ? scrapes.take(vertx, request) : null;
                if (slot != null) {
                    Answers.metrics(vertx, scrape.get(), request, slot::release);
                }
            }
            case "/probe" -> {
                if (readers.get().admitsOrRefuses(request)) {
                    probe.handle(request);
                }
            }
            case "/" -> {
                if (readers.get().admitsOrRefuses(request)) {
                    request.response()
                            .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                            .end("vantage agent: /metrics /probe /healthz /readyz\n");
                }
            }
            default ->
                request.response().setStatusCode(404).end("not found: try /metrics, /probe, /healthz or /readyz\n");
        }
    }
}
