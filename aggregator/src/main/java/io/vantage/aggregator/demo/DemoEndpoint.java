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
        server = vertx.createHttpServer().requestHandler(request -> {
            switch (mode) {
                case HEALTHY -> request.response().putHeader("content-type", "application/json")
                        .end("{\"status\":\"UP\",\"region\":\"" + region + "\"}");
                case BROKEN -> request.response().setStatusCode(503).putHeader("content-type", "application/json")
                        .end("{\"status\":\"DOWN\",\"region\":\"" + region + "\"}");
                case SLOW -> vertx.setTimer(1_500, tick -> request.response().putHeader("content-type", "application/json")
                        .end("{\"status\":\"UP\",\"region\":\"" + region + "\"}"));
            }
        });
        return server.listen(0, "127.0.0.1");
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
