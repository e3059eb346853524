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
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * HTTP/1.1 over a socket the prober dials itself, so that dns, connect, tls and first byte are each
 * measured, the body read is capped, and nothing is pooled unless {@code keepAlive} asks for it.
 * Redirects are not followed unless {@code followRedirects}; the final response is judged. A redirect keeps the
 * configured headers and {@code hostHeader} (Host, SNI, certificate name) only to the same origin; to another origin
 * it sends none of them, so credentials never follow a redirect elsewhere; from HTTPS to HTTP it is refused unless
 * {@code allowInsecureRedirects}, and to another scheme always. At most {@code maxRedirects} are followed.
 * Configured headers replace the prober's defaults of the same name (User-Agent, Accept).
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
                    attempt.fact(Fact.HTTP_REDIRECTS, redirects);
                    String location = response.location;
                    if (spec.followRedirects() && response.status / 100 == 3 && location != null) {
                        attempt.explain(() -> "redirect " + response.status + " to " + Checks.abbreviate(location));
                        if (redirects >= spec.maxRedirects()) {
                            return Future.succeededFuture(attempt.fail(
                                    FailureReason.HTTP_STATUS, "more than " + spec.maxRedirects() + " redirects"));
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
                        return exchange(
                                spec.redirectedTo(next, response.status), attempt, timeoutMillis, redirects + 1);
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
        attempt.explain(() -> "dialling " + spec.host() + " port " + spec.port());
        return dialer.connect(attempt, spec.host(), spec.port(), timeoutMillis).compose(socket -> {
            Connection connection = track(spec, attempt, socket);
            if (!spec.https()) {
                return Future.succeededFuture(connection);
            }
            attempt.explain(() -> "TLS handshake as " + spec.tlsServerName());
            return dialer.secure(
                            attempt,
                            socket,
                            spec.tlsServerName(),
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
        attempt.explain(() -> spec.method() + " " + spec.url() + (spec.body() == null ? "" : " with a body"));
        Buffer request = Buffer.buffer(requestHead(spec));
        if (spec.body() != null) {
            request.appendString(spec.body(), "UTF-8");
        }
        socket.write(request).onFailure(promise::tryFail);
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
        head.append("\r\n");
        // The configured headers replace the defaults of the same name; Connection and Content-Length stay the
        // prober's.
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("User-Agent", USER_AGENT);
        headers.put("Accept", "*/*");
        headers.putAll(spec.headers());
        headers.put("Connection", spec.keepAlive() ? "keep-alive" : "close");
        headers.remove("Content-Length");
        for (Map.Entry<String, String> header : headers.entrySet()) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        if (spec.body() != null) {
            head.append("Content-Length: ")
                    .append(spec.body().getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n");
        } else if (!spec.method().equals("GET") && !spec.method().equals("HEAD")) {
            head.append("Content-Length: 0\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** The response against the spec's assertions; shared with {@link Http3Prober}, so both versions judge alike. */
    ProbeResult judge(HttpSpec spec, Attempt attempt, Response response) {
        if (response.failure != null) {
            return attempt.fail(response.failure, response.message);
        }
        attempt.explain(() -> response.version + " " + response.status + ", " + response.body.length()
                + " body characters" + (response.truncated ? " (cut)" : ""));
        attempt.fact(
                Fact.HTTP_VERSION,
                switch (response.version) {
                    case "HTTP/1.0" -> 1.0;
                    case "HTTP/3.0" -> 3;
                    default -> 1.1;
                });
        attempt.fact(Fact.HTTP_CONTENT_LENGTH, response.contentLength);
        attempt.fact(Fact.HTTP_BODY_LENGTH, response.bodyBytes);
        attempt.fact(Fact.SSL, spec.https() ? 1 : 0);
        Long lastModified = lastModified(response.headers.apply("Last-Modified"));
        if (lastModified != null) {
            attempt.fact(Fact.HTTP_LAST_MODIFIED, lastModified);
        }
        Mismatch mismatch = checks.status(spec, response.status);
        if (mismatch == null && !spec.expectHeaders().isEmpty()) {
            mismatch = checks.headers(spec.expectHeaders(), response.headers);
            attempt.fact(Fact.FAILED_DUE_TO_REGEX, mismatch == null ? 0 : 1);
        }
        if (mismatch == null && spec.failOverBodyLimit() && response.truncated) {
            mismatch = new Mismatch(
                    FailureReason.BODY_MISMATCH, "body is longer than maxBodyBytes (" + spec.maxBodyBytes() + ")");
        }
        if (mismatch == null
                && !(spec.expectBodyRegex().isEmpty() && spec.rejectBodyRegex().isEmpty())) {
            mismatch = checks.bodyRegexes(spec.expectBodyRegex(), spec.rejectBodyRegex(), response.body);
            attempt.fact(Fact.FAILED_DUE_TO_REGEX, mismatch == null ? 0 : 1);
        }
        if (mismatch == null
                && !spec.expectVersions().isEmpty()
                && !spec.expectVersions().contains(response.version)) {
            mismatch = new Mismatch(
                    FailureReason.PROTOCOL,
                    "answered in " + response.version + ", not one of expectVersions " + spec.expectVersions());
        }
        if (mismatch == null && spec.expectTls() != null && spec.expectTls() != spec.https()) {
            mismatch = new Mismatch(
                    FailureReason.PROTOCOL,
                    spec.https()
                            ? "the final answer came over TLS (" + spec.url() + ") and expectTls is false"
                            : "the final answer did not come over TLS (" + spec.url() + ") and expectTls is true");
        }
        if (mismatch == null && spec.expectBody() != null) {
            mismatch = checks.body(spec.expectBody(), response.body);
        }
        if (mismatch == null) {
            mismatch = checks.latency(spec.maxLatency(), attempt.elapsedNanos());
        }
        if (mismatch == null) {
            return attempt.succeed();
        }
        Mismatch failed = mismatch;
        attempt.explain(() -> "failed: " + failed.message());
        return attempt.fail(mismatch.reason(), mismatch.message());
    }

    /** The Last-Modified header in epoch seconds, or null when absent or not an HTTP date. */
    private static Long lastModified(List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(values.get(0), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toEpochSecond();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static final class Connection {
        final NetSocket socket;
        boolean reusable;

        Connection(NetSocket socket) {
            this.socket = socket;
        }
    }

    /** A complete response (or why there is none), as {@link #judge} reads it. */
    /**
     * A final response as the checks see it, whichever version carried it: {@code version} as blackbox_exporter spells
     * it ("HTTP/1.1", "HTTP/3.0"), {@code headers} each value of a header by name (any case), the body as read (cut at
     * maxBodyBytes when {@code truncated}); or a failure found before it could be judged.
     */
    static final class Response {
        final int status;
        final String body;
        final String location;
        final FailureReason failure;
        final String message;
        final String version;
        final Function<String, List<String>> headers;
        final long contentLength;
        final long bodyBytes;
        final boolean truncated;

        Response(
                int status,
                String body,
                String version,
                Function<String, List<String>> headers,
                long contentLength,
                long bodyBytes,
                boolean truncated) {
            this.status = status;
            this.body = body;
            this.location = null;
            this.failure = null;
            this.message = null;
            this.version = version;
            this.headers = headers;
            this.contentLength = contentLength;
            this.bodyBytes = bodyBytes;
            this.truncated = truncated;
        }

        Response(HttpResponseParser parser) {
            this.status = parser.status();
            this.body = parser.body();
            this.location = parser.location();
            this.failure = null;
            this.message = null;
            this.version = parser.version();
            this.headers = parser::header;
            this.contentLength = parser.contentLength();
            this.bodyBytes = parser.bodyBytes();
            this.truncated = parser.truncated();
        }

        Response(FailureReason failure, String message) {
            this.status = 0;
            this.body = "";
            this.location = null;
            this.failure = failure;
            this.message = message;
            this.version = "";
            this.headers = name -> List.of();
            this.contentLength = -1;
            this.bodyBytes = 0;
            this.truncated = false;
        }
    }
}
