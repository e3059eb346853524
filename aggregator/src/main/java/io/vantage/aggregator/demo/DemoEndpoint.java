package io.vantage.aggregator.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.Locale;

/** A regional endpoint for the demo on 127.0.0.1 that answers healthy, broken (503) or slow, as told. */
public final class DemoEndpoint {
    public enum Mode { HEALTHY, BROKEN, SLOW }

    private final String region;
    private volatile Mode mode = Mode.HEALTHY;
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
            if (request.path().startsWith("/control/")) {
                boolean applied = request.method() == io.vertx.core.http.HttpMethod.POST && apply(request.path().substring("/control/".length()));
                request.response().setStatusCode(applied ? 204 : 404).end();
                return;
            }
            switch (mode) {
                case HEALTHY -> request.response().putHeader("content-type", "application/json")
                        .end("{\"status\":\"UP\",\"region\":\"" + region + "\"}");
                case BROKEN -> request.response().setStatusCode(503).putHeader("content-type", "application/json")
                        .end("{\"status\":\"DOWN\",\"region\":\"" + region + "\"}");
                case SLOW -> vertx.setTimer(1_500, tick -> request.response().putHeader("content-type", "application/json")
                        .end("{\"status\":\"UP\",\"region\":\"" + region + "\"}"));
            }
        });
        return server.listen(port, host);
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

    /** break, slow or repair; false for anything else. */
    public boolean apply(String action) {
        switch (action.toLowerCase(Locale.ROOT)) {
            case "break" -> mode = Mode.BROKEN;
            case "slow" -> mode = Mode.SLOW;
            case "repair" -> mode = Mode.HEALTHY;
            default -> {
                return false;
            }
        }
        return true;
    }
}
