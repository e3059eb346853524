package io.vantage.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A regional endpoint for the demo on 127.0.0.1 that answers healthy, broken (503) or slow, as told. */
public final class DemoEndpoint {
    /** FLAPPING: every other request from each client fails (503): each vantage point sees fail, ok, fail, ok. */
    public enum Mode {
        HEALTHY,
        BROKEN,
        SLOW,
        FLAPPING
    }

    private final String region;
    private volatile Mode mode = Mode.HEALTHY;
    private final Map<String, AtomicLong> requestsByClient = new ConcurrentHashMap<>();
    // Extra latency for requests from given client addresses: a stand-in for a slow network path where the
    // kernel offers no netem (POST /control/delay/<address>/<ms>; 0 removes it).
    private final Map<String, Long> delayByClient = new ConcurrentHashMap<>();
    private HttpServer server;

    public DemoEndpoint(String region) {
        this.region = region;
    }

    public Future<HttpServer> start(Vertx vertx) {
        return start(vertx, "127.0.0.1", 0);
    }

    /** Also answers {@code POST /control/break|slow|repair}, so a container of it can be broken from outside. */
    public Future<HttpServer> start(Vertx vertx, String host, int port) {
        server = vertx.createHttpServer().requestHandler(request -> {
            if (request.path().startsWith("/control/delay/") && request.method() == HttpMethod.POST) {
                String[] parts =
                        request.path().substring("/control/delay/".length()).split("/");
                if (parts.length != 2 || !parts[1].matches("\\d{1,5}")) {
                    request.response().setStatusCode(400).end("POST /control/delay/<address>/<milliseconds>\n");
                    return;
                }
                if (parts[1].equals("0")) {
                    delayByClient.remove(parts[0]);
                } else {
                    delayByClient.put(parts[0], Long.parseLong(parts[1]));
                }
                request.response().setStatusCode(204).end();
                return;
            }
            if (request.path().startsWith("/control/")) {
                boolean applied = request.method() == HttpMethod.POST
                        && apply(request.path().substring("/control/".length()));
                request.response().setStatusCode(applied ? 204 : 404).end();
                return;
            }
            Long delay = delayByClient.get(request.remoteAddress().host());
            if (delay != null) {
                vertx.setTimer(delay, tick -> answer(vertx, request));
                return;
            }
            answer(vertx, request);
        });
        return server.listen(port, host);
    }

    private void answer(Vertx vertx, HttpServerRequest request) {
        Mode now = mode != Mode.FLAPPING
                ? mode
                : requestsByClient
                                                .computeIfAbsent(
                                                        request.remoteAddress().host(), client -> new AtomicLong())
                                                .incrementAndGet()
                                        % 2
                                == 1
                        ? Mode.BROKEN
                        : Mode.HEALTHY;
        switch (now) {
            case FLAPPING -> throw new IllegalStateException("resolved above");
            case HEALTHY ->
                request.response()
                        .putHeader("content-type", "application/json")
                        .end("{\"status\":\"UP\",\"region\":\"" + region + "\"}");
            case BROKEN ->
                request.response()
                        .setStatusCode(503)
                        .putHeader("content-type", "application/json")
                        .end("{\"status\":\"DOWN\",\"region\":\"" + region + "\"}");
            case SLOW ->
                vertx.setTimer(
                        1_500,
                        tick -> request.response()
                                .putHeader("content-type", "application/json")
                                .end("{\"status\":\"UP\",\"region\":\"" + region + "\"}"));
        }
    }

    public String region() {
        return region;
    }

    public int port() {
        return server.actualPort();
    }

    public Mode mode() {
        return mode;
    }

    /** break, slow, flap or repair; false for anything else. */
    public boolean apply(String action) {
        switch (action.toLowerCase(Locale.ROOT)) {
            case "break" -> mode = Mode.BROKEN;
            case "slow" -> mode = Mode.SLOW;
            case "flap" -> mode = Mode.FLAPPING;
            case "repair" -> mode = Mode.HEALTHY;
            default -> {
                return false;
            }
        }
        return true;
    }
}
