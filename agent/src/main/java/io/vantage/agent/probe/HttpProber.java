package io.vantage.agent.probe;

import io.vantage.agent.check.Checks;
import io.vantage.agent.check.Mismatch;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.HttpSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a socket the prober dials itself, so that dns, connect, tls and first byte are each
 * measured, the body read is capped, and nothing is pooled unless {@code keepAlive} asks for it.
 * Redirects are not followed unless {@code followRedirects}; the final response is judged. A redirect keeps the
 * configured headers and {@code hostHeader} (Host, SNI, certificate name) only to the same origin; to another origin
 * it sends none of them, so credentials never follow a redirect elsewhere; from HTTPS to HTTP it is refused unless
 * {@code allowInsecureRedirects}, and to another scheme always.
 */
public final class HttpProber implements Prober<HttpSpec> {
    static final String USER_AGENT = "vantage-agent/1";
    private final Dialer dialer;
    // keepAlive: one idle connection per target, owned by the event loop that runs the probes.
    private final Map<String, NetSocket> idle = new HashMap<>();
    private final Checks checks;

    public HttpProber(Dialer dialer, Checks checks) {
        this.dialer = dialer;
        this.checks = checks;
    }

    @Override
    public Future<ProbeResult> probe(HttpSpec spec, Attempt attempt, int timeoutMillis) {
        return exchange(spec, attempt, timeoutMillis, 0);
    }

    private Future<ProbeResult> exchange(HttpSpec spec, Attempt attempt, int timeoutMillis, int redirects) {
        return connection(spec, attempt, timeoutMillis)
                .compose(connection -> send(spec, attempt, connection))
                .compose(response -> {
                    if (response.status > 0) {
                        attempt.statusCode(response.status);
                    }
                    String location = response.location;
                    if (spec.followRedirects() && response.status / 100 == 3 && location != null) {
                        if (redirects >= HttpSpec.MAX_REDIRECTS) {
                            return Future.succeededFuture(attempt.fail(
                                    FailureReason.HTTP_STATUS, "more than " + HttpSpec.MAX_REDIRECTS + " redirects"));
                        }
                        URI next;
                        try {
                            next = spec.url().resolve(location.trim());
                        } catch (IllegalArgumentException e) {
                            return Future.succeededFuture(attempt.fail(
                                    FailureReason.PROTOCOL,
                                    "redirect to an invalid location '" + Checks.abbreviate(location) + "'"));
                        }
                        String refused = refusedRedirect(spec, next);
                        if (refused != null) {
                            return Future.succeededFuture(attempt.fail(FailureReason.HTTP_STATUS, refused));
                        }
                        attempt.enter(Phase.DNS);
                        return exchange(spec.redirectedTo(next), attempt, timeoutMillis, redirects + 1);
                    }
                    return Future.succeededFuture(judge(spec, attempt, response));
                });
    }

    /** Why a redirect to {@code next} is not followed, or null when it is. */
    private static String refusedRedirect(HttpSpec spec, URI next) {
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
            return "redirect to '" + Checks.abbreviate(next.toString()) + "' is not an http:// or https:// URL";
        }
        if (spec.https() && scheme.equals("http") && !spec.allowInsecureRedirects()) {
            return "redirect from HTTPS to HTTP (" + Checks.abbreviate(next.toString())
                    + ") refused: set allowInsecureRedirects to follow it";
        }
        return null;
    }

    /** A reused idle connection (keepAlive) or a new one; either way released when the attempt ends. */
    private Future<Connection> connection(HttpSpec spec, Attempt attempt, int timeoutMillis) {
        // One idle connection per target: with addresses: every, the round's attempts each dial their own address.
        boolean pooled = spec.keepAlive() && attempt.sharedResolution() == null;
        NetSocket reused = pooled ? idle.remove(attempt.target()) : null;
        if (reused != null) {
            attempt.skip(Phase.WAIT);
            return Future.succeededFuture(track(spec, attempt, reused));
        }
        return dialer.connect(attempt, spec.host(), spec.port(), timeoutMillis).compose(socket -> {
            Connection connection = track(spec, attempt, socket);
            if (!spec.https()) {
                return Future.succeededFuture(connection);
            }
            return dialer.secure(
                            attempt,
                            socket,
                            spec.virtualHost(),
                            spec.tls().caFile(),
                            spec.tls().insecureSkipVerify())
                    .map(leaf -> connection);
        });
    }

    private Connection track(HttpSpec spec, Attempt attempt, NetSocket socket) {
        Connection connection = new Connection(socket);
        attempt.onFinish(() -> {
            if (!connection.reusable) {
                socket.close();
                return;
            }
            // Parked past the attempt; an idle connection the server closes is forgotten at once.
            socket.handler(unexpected -> socket.close());
            socket.exceptionHandler(error -> socket.close());
            socket.closeHandler(closed -> idle.remove(attempt.target(), socket));
            NetSocket previous = idle.put(attempt.target(), socket);
            if (previous != null) {
                previous.close();
            }
        });
        return connection;
    }

    private Future<Response> send(HttpSpec spec, Attempt attempt, Connection connection) {
        NetSocket socket = connection.socket;
        Promise<Response> promise = Promise.promise();
        HttpResponseParser parser =
                new HttpResponseParser(spec.maxBodyBytes(), spec.method().equals("HEAD"));
        if (attempt.phase() != Phase.WAIT) {
            attempt.enter(Phase.WAIT);
        }
        socket.handler(buffer -> {
            if (attempt.phase() == Phase.WAIT) {
                attempt.enter(Phase.BODY);
            }
            try {
                if (parser.feed(buffer)) {
                    connection.reusable = spec.keepAlive() && attempt.sharedResolution() == null && parser.reusable();
                    promise.tryComplete(new Response(parser));
                }
            } catch (HttpResponseParser.ProtocolException e) {
                promise.tryComplete(new Response(FailureReason.PROTOCOL, e.getMessage()));
            }
        });
        socket.exceptionHandler(promise::tryFail);
        socket.closeHandler(closed -> {
            connection.reusable = false;
            if (parser.closed()) {
                promise.tryComplete(new Response(parser));
            } else {
                String when = parser.started() ? "before the response was complete" : "before sending a response";
                promise.tryFail(
                        new Failures.ServerClosed("connection reset: the server closed the connection " + when));
            }
        });
        socket.write(Buffer.buffer(requestHead(spec))).onFailure(promise::tryFail);
        return promise.future();
    }

    private static String requestHead(HttpSpec spec) {
        StringBuilder head = new StringBuilder(256);
        head.append(spec.method()).append(' ').append(spec.requestTarget()).append(" HTTP/1.1\r\n");
        String host = spec.virtualHost();
        int port = spec.port();
        boolean defaultPort = port == (spec.https() ? 443 : 80);
        head.append("Host: ").append(host.indexOf(':') >= 0 ? "[" + host + "]" : host);
        if (!defaultPort) {
            head.append(':').append(port);
        }
        head.append("\r\nUser-Agent: ").append(USER_AGENT).append("\r\nAccept: */*\r\n");
        head.append(spec.keepAlive() ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
        for (Map.Entry<String, String> header : spec.headers().entrySet()) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        if (!spec.method().equals("GET") && !spec.method().equals("HEAD")) {
            head.append("Content-Length: 0\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** The response against the spec's assertions; shared with {@link Http3Prober}, so both versions judge alike. */
    ProbeResult judge(HttpSpec spec, Attempt attempt, Response response) {
        if (response.failure != null) {
            return attempt.fail(response.failure, response.message);
        }
        Mismatch mismatch = checks.status(spec, response.status);
        if (mismatch == null && spec.expectBody() != null) {
            mismatch = checks.body(spec.expectBody(), response.body);
        }
        if (mismatch == null) {
            mismatch = checks.latency(spec.maxLatency(), attempt.elapsedNanos());
        }
        return mismatch == null ? attempt.succeed() : attempt.fail(mismatch.reason(), mismatch.message());
    }

    private static final class Connection {
        final NetSocket socket;
        boolean reusable;

        Connection(NetSocket socket) {
            this.socket = socket;
        }
    }

    /** A complete response (or why there is none), as {@link #judge} reads it. */
    static final class Response {
        final int status;
        final String body;
        final String location;
        final FailureReason failure;
        final String message;

        Response(int status, String body) {
            this.status = status;
            this.body = body;
            this.location = null;
            this.failure = null;
            this.message = null;
        }

        Response(HttpResponseParser parser) {
            this.status = parser.status();
            this.body = parser.body();
            this.location = parser.location();
            this.failure = null;
            this.message = null;
        }

        Response(FailureReason failure, String message) {
            this.status = 0;
            this.body = "";
            this.location = null;
            this.failure = failure;
            this.message = message;
        }
    }
}
