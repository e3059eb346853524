package io.vantage.aggregator.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the aggregator's HTTP server grants any client, in one place (docs/security.md). The wire protocol's own
 * limits (batch size, body bytes) are in {@code io.vantage.wire.Limits}.
 */
public final class ServerLimits {
    /** A request body must arrive within this long, however slowly its bytes trickle in (then 408 and close). */
    public static final long BODY_DEADLINE_MILLIS = 10_000;
    /** A new connection must deliver a complete request head within this long, or it is closed. */
    public static final long FIRST_REQUEST_DEADLINE_MILLIS = 10_000;
    /** A connection with nothing in flight is closed after this long. */
    public static final int IDLE_TIMEOUT_SECONDS = 30;
    /** Longest request line and largest header block. */
    public static final int MAX_REQUEST_LINE_BYTES = 4096;

    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /**
     * Open connections, all clients together (kept well under the process's open-file limit). When it is
     * reached, new connections are closed at once.
     */
    public static final int MAX_CONNECTIONS = 4096;
    /**
     * Connections that have not (yet) presented a valid agent token: browsers, Prometheus, anyone. When this
     * many are open, the oldest of them is closed to make room for a new connection, so a flood of idle or
     * trickling clients can never keep an agent out: agents' connections, once authenticated, are never evicted.
     */
    public static final int MAX_UNAUTHENTICATED_CONNECTIONS = 1024;

    /**
     * {@code /metrics} answers being built or handed to their connections at once, all clients together; more are
     * answered 503. (The status needs no such bound: every reader of a round shares its one rendering.)
     */
    public static final int MAX_ANSWERS_IN_FLIGHT = 32;

    /** A {@code /metrics} answer not handed over within this long has its connection closed (its client is not reading). */
    public static final long ANSWER_DEADLINE_MILLIS = 30_000;

    /**
     * After an answer given before the request body was read, the rest of the body is read and dropped for at
     * most this long, then the connection is closed: closing at once would make the kernel reset the connection
     * and could destroy the answer before the client reads it.
     */
    public static final long LINGER_MILLIS = 1_000;

    private ServerLimits() {}

    /** Closes {@code request}'s connection once the rest of its body has been drained, or after {@link #LINGER_MILLIS}. */
    public static void closeAfterAnswer(Vertx vertx, HttpServerRequest request) {
        long timer = vertx.setTimer(LINGER_MILLIS, fired -> request.connection().close());
        if (request.isEnded()) {
            vertx.cancelTimer(timer);
            request.connection().close();
            return;
        }
        request.handler(dropped -> {});
        request.exceptionHandler(error -> {});
        request.endHandler(end -> {
            vertx.cancelTimer(timer);
            request.connection().close();
        });
    }
}
