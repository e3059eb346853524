package io.vantage.runtime;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** HTTP answers that take milliseconds to build, built on a worker thread so that no event loop waits for them. */
public final class Answers {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private Answers() {}

    /** Answers a {@code /metrics} request; the scrape runs on a worker thread (thousands of series take milliseconds). */
    public static void metrics(Vertx vertx, Supplier<String> scrape, HttpServerRequest request) {
        fromWorker(vertx, request, PROMETHEUS_TEXT, "scrape failed", () -> Buffer.buffer(scrape.get()));
    }

    /**
     * Builds an answer on a worker thread (rendering thousands of targets or series takes milliseconds, which do not
     * belong on an event loop), then sends it; a failure is a 500 starting with {@code failure}.
     */
    public static void fromWorker(
            Vertx vertx, HttpServerRequest request, String contentType, String failure, Callable<Buffer> body) {
        vertx.executeBlocking(body, false).onComplete(built -> {
            if (built.succeeded()) {
                request.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                        .end(built.result());
            } else {
                request.response()
                        .setStatusCode(500)
                        .end(failure + ": " + built.cause().getMessage() + "\n");
            }
        });
    }
}
