package io.vantage.agent.probe;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslHandler;
import io.vantage.wire.Checks;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.GrpcSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A gRPC health check, {@code grpc.health.v1.Health/Check}, spoken as HTTP/2 over a socket the prober dials itself
 * ({@link Dialer}), as the HTTP prober speaks HTTP/1.1: the dns, connect and tls phases are each timed, the address
 * dialled is the one reported (and, with {@code addresses: every}, the pinned one), the certificate is verified as an
 * HTTPS probe's is, and nothing is pooled. Vert.x's gRPC client was the other choice: it resolves, connects and
 * handshakes inside its HTTP client's pool, so none of that is measured apart or pinned, and it would be a second TLS
 * set-up beside the probes' own. Netty's HTTP/2 codec (already under Vert.x) is put on the socket's pipeline; the two
 * messages are a few bytes of protobuf, written and read here, so no protobuf library or generated code is needed.
 *
 * <p>Plaintext is HTTP/2 with prior knowledge (h2c), as gRPC clients speak it; over TLS {@code h2} is offered by ALPN
 * and must be selected. The request carries {@code grpc-timeout} (what is left of the probe's timeout), so the server
 * gives up when the probe does. The phases: wait runs from the request written to the response's headers (first
 * byte); the health answer and its trailers complete it.
 *
 * <p>Verdicts: OK and SERVING pass. OK with another serving status is {@code not_serving}. A status other than OK is
 * {@code grpc_status} (NOT_FOUND: the health service does not know the service; UNIMPLEMENTED: there is no health
 * service), except DEADLINE_EXCEEDED, which is {@code timeout}. A response that is not gRPC (another content type, no
 * grpc-status, a compressed or malformed message, h2 not selected by ALPN, an HTTP/2 connection error) is {@code
 * protocol}; a stream or connection reset before the trailers is {@code reset}; dns, connect and TLS failures are
 * classified as for every prober. Messages always name the gRPC status and the serving status.
 */
public final class GrpcProber implements Prober<GrpcSpec> {
    /** The method every probe calls. */
    static final String PATH = "/grpc.health.v1.Health/Check";

    /** The most response bytes read: a health answer is a few bytes (a server sending more is not one). */
    static final int MAX_RESPONSE_BYTES = 16 * 1024;

    private static final String USER_AGENT = "vantage-agent/1";

    /** gRPC status codes by number (grpc/doc/statuscodes.md). */
    private static final String[] STATUS = {
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED"
    };

    static final int OK = 0;
    static final int DEADLINE_EXCEEDED = 4;
    static final int NOT_FOUND = 5;
    static final int UNIMPLEMENTED = 12;

    /** HealthCheckResponse.ServingStatus by number. */
    private static final String[] SERVING_STATUS = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

    static final int SERVING = 1;

    private final Dialer dialer;

    public GrpcProber(Dialer dialer) {
        this.dialer = dialer;
    }

    @Override
    public Future<ProbeResult> probe(GrpcSpec spec, Attempt attempt, int timeoutMillis) {
        return dialer.connect(attempt, spec.host(), spec.port(), timeoutMillis).compose(socket -> {
            attempt.onFinish(socket::close);
            attempt.explain(() -> "connected to " + socket.remoteAddress());
            if (!spec.tls()) {
                attempt.fact(Fact.SSL, 0);
                return call(spec, attempt, socket, timeoutMillis);
            }
            return dialer.secure(
                            attempt, socket, spec.effectiveServerName(), spec.caFile(), spec.insecureSkipVerify(), "h2")
                    .compose(leaf -> {
                        attempt.fact(Fact.SSL, 1);
                        String selected =
                                channel(socket).pipeline().get(SslHandler.class).applicationProtocol();
                        attempt.explain(() -> "TLS handshake done with " + spec.effectiveServerName()
                                + ", certificate subject " + leaf.getSubjectX500Principal() + ", ALPN " + selected);
                        if (!"h2".equals(selected)) {
                            return Future.succeededFuture(attempt.fail(
                                    FailureReason.PROTOCOL,
                                    "the server did not select h2 by ALPN (selected: " + selected
                                            + "): not gRPC over TLS, so no gRPC status and no serving status"));
                        }
                        return call(spec, attempt, socket, timeoutMillis);
                    });
        });
    }

    private static ChannelHandlerContext channel(NetSocket socket) {
        return ((NetSocketInternal) socket).channelHandlerContext();
    }

    /** Puts HTTP/2 on the socket's pipeline, ahead of Vert.x's handler, sends the call and waits for its trailers. */
    private Future<ProbeResult> call(GrpcSpec spec, Attempt attempt, NetSocket socket, int timeoutMillis) {
        Promise<ProbeResult> result = Promise.promise();
        ChannelHandlerContext socketHandler = channel(socket); // Vert.x's, last in the pipeline
        Call call = new Builder(spec, attempt, result, timeoutMillis).create();
        socket.exceptionHandler(error -> result.tryFail(error));
        socket.closeHandler(closed -> result.tryFail(
                new Failures.ServerClosed("connection reset: the server closed the connection " + call.when())));
        socketHandler.pipeline().addBefore(socketHandler.name(), "h2", call);
        long leftMillis = Math.max(1, timeoutMillis - attempt.elapsedNanos() / 1_000_000);
        attempt.enter(Phase.WAIT);
        call.send(socketHandler.pipeline().context(call), authority(spec), leftMillis);
        return result.future();
    }

    /** The request's {@code :authority}: the name verified over TLS, else the host; with the port, as gRPC sends it. */
    private static String authority(GrpcSpec spec) {
        String host = spec.tls() ? spec.effectiveServerName() : spec.host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + spec.port();
    }

    /** The HealthCheckRequest message: field 1 (service, a string), left out when empty as proto3 writes it. */
    static byte[] request(String service) {
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream message = new ByteArrayOutputStream(name.length + 6);
        if (name.length > 0) {
            message.write(0x0a); // field 1, length-delimited
            varint(message, name.length);
            message.writeBytes(name);
        }
        return message.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7f) != 0) {
            out.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /**
     * The serving status of a HealthCheckResponse message (field 1, an enum; absent: 0, UNKNOWN), other fields skipped;
     * -1 when the bytes are not a protobuf message.
     */
    static int servingStatus(ByteBuf message) {
        int status = 0;
        while (message.isReadable()) {
            long tag = readVarint(message);
            if (tag < 0) {
                return -1;
            }
            int field = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            switch (type) {
                case 0 -> {
                    long value = readVarint(message);
                    if (value < 0) {
                        return -1;
                    }
                    if (field == 1) {
                        status = (int) Math.min(value, Integer.MAX_VALUE);
                    }
                }
                case 1, 5 -> {
                    int size = type == 1 ? 8 : 4;
                    if (message.readableBytes() < size) {
                        return -1;
                    }
                    message.skipBytes(size);
                }
                case 2 -> {
                    long size = readVarint(message);
                    if (size < 0 || size > message.readableBytes()) {
                        return -1;
                    }
                    message.skipBytes((int) size);
                }
                default -> {
                    return -1;
                }
            }
        }
        return status;
    }

    /** A varint of at most 64 bits, or -1 when it is cut short or longer. */
    private static long readVarint(ByteBuf in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!in.isReadable()) {
                return -1;
            }
            byte b = in.readByte();
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value < 0 ? Long.MAX_VALUE : value;
            }
        }
        return -1;
    }

    static String statusName(int code) {
        return code >= 0 && code < STATUS.length ? STATUS[code] : "code " + code;
    }

    static String servingStatusName(int status) {
        return status >= 0 && status < SERVING_STATUS.length ? SERVING_STATUS[status] : "status " + status;
    }

    /** The gRPC status a client gives a response with no grpc-status, from its HTTP status (http-grpc-status-mapping). */
    static int fromHttpStatus(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> 13; // INTERNAL
            case 401 -> 16; // UNAUTHENTICATED
            case 403 -> 7; // PERMISSION_DENIED
            case 404 -> UNIMPLEMENTED;
            case 429, 502, 503, 504 -> 14; // UNAVAILABLE
            default -> 2; // UNKNOWN
        };
    }

    /** grpc-message, percent-decoded as the protocol writes it (UTF-8); undecodable escapes are kept as they came. */
    static String decodeMessage(CharSequence encoded) {
        String text = encoded.toString();
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length()) {
                int high = Character.digit(text.charAt(i + 1), 16);
                int low = Character.digit(text.charAt(i + 2), 16);
                if (high >= 0 && low >= 0) {
                    bytes.write(high << 4 | low);
                    i += 2;
                    continue;
                }
            }
            bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Builds the one call's connection handler, which is also its frame listener (Netty's own pattern). */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Call, Builder> {
        private final GrpcSpec spec;
        private final Attempt attempt;
        private final Promise<ProbeResult> result;
        private final int timeoutMillis;

        Builder(GrpcSpec spec, Attempt attempt, Promise<ProbeResult> result, int timeoutMillis) {
            this.spec = spec;
            this.attempt = attempt;
            this.result = result;
            this.timeoutMillis = timeoutMillis;
            server(false);
            // No pushes; header lists bounded (a health answer's are a few hundred bytes).
            initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(16 * 1024));
        }

        Call create() {
            return build();
        }

        @Override
        protected Call build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            Call call = new Call(decoder, encoder, settings, spec, attempt, result, timeoutMillis);
            frameListener(call);
            return call;
        }
    }

    /**
     * One health call on its own connection: stream 1, a HEADERS and a DATA frame out; HEADERS, DATA and trailing
     * HEADERS back (or a trailers-only answer). Runs on the socket's event loop, the probe loop's.
     */
    private static final class Call extends Http2ConnectionHandler implements Http2FrameListener {
        private static final int STREAM = 1;
        private final GrpcSpec spec;
        private final Attempt attempt;
        private final Promise<ProbeResult> result;
        private final int timeoutMillis;
        private ByteBuf body;
        private int httpStatus = -1;
        private CharSequence contentType;

        Call(
                Http2ConnectionDecoder decoder,
                Http2ConnectionEncoder encoder,
                Http2Settings settings,
                GrpcSpec spec,
                Attempt attempt,
                Promise<ProbeResult> result,
                int timeoutMillis) {
            super(decoder, encoder, settings);
            this.spec = spec;
            this.attempt = attempt;
            this.result = result;
            this.timeoutMillis = timeoutMillis;
        }

        String when() {
            return httpStatus < 0 ? "before answering the gRPC call" : "before the gRPC call's trailers";
        }

        void send(ChannelHandlerContext context, String authority, long timeoutMillis) {
            Http2Headers headers = new DefaultHttp2Headers()
                    .method("POST")
                    .scheme(spec.tls() ? "https" : "http")
                    .path(PATH)
                    .authority(authority)
                    .add("content-type", "application/grpc")
                    .add("te", "trailers")
                    .add("user-agent", USER_AGENT)
                    .add("grpc-timeout", timeoutMillis + "m");
            byte[] message = request(spec.service());
            ByteBuf frame = context.alloc().buffer(5 + message.length);
            frame.writeByte(0).writeInt(message.length).writeBytes(message); // not compressed, length, message
            attempt.explain(() -> "sent POST " + PATH + " to " + authority + " for service '" + spec.service() + "'");
            encoder().writeHeaders(context, STREAM, headers, 0, false, written(context));
            encoder().writeData(context, STREAM, frame, 0, true, written(context));
            flush(context); // the handler's flush: DATA waits in its flow controller until then
        }

        private ChannelPromise written(ChannelHandlerContext context) {
            ChannelPromise promise = context.newPromise();
            promise.addListener(done -> {
                if (!done.isSuccess()) {
                    result.tryFail(done.cause());
                }
            });
            return promise;
        }

        @Override
        public void handlerRemoved0(ChannelHandlerContext context) throws Exception {
            release();
            super.handlerRemoved0(context);
        }

        @Override
        protected void onConnectionError(
                ChannelHandlerContext context, boolean outbound, Throwable cause, Http2Exception http2Exception) {
            if (http2Exception != null) {
                finish(FailureReason.PROTOCOL, "HTTP/2 error: " + Failures.describe(cause) + "; gRPC status none");
            }
            super.onConnectionError(context, outbound, cause, http2Exception);
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext context, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            if (streamId != STREAM || result.future().isComplete()) {
                return;
            }
            if (httpStatus < 0) {
                attempt.enter(Phase.BODY); // first byte: the response's headers
                CharSequence status = headers.status();
                httpStatus = status == null ? 0 : parseStatus(status);
                contentType = headers.get("content-type");
                attempt.explain(() -> "response headers: :status " + status + ", content-type " + contentType);
            }
            if (endOfStream) {
                judge(headers);
            }
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext context,
                int streamId,
                Http2Headers headers,
                int streamDependency,
                short weight,
                boolean exclusive,
                int padding,
                boolean endOfStream) {
            onHeadersRead(context, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(
                ChannelHandlerContext context, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding;
            if (streamId != STREAM || result.future().isComplete()) {
                return processed;
            }
            if (body == null) {
                body = context.alloc().buffer(Math.min(data.readableBytes(), MAX_RESPONSE_BYTES));
            }
            if (body.readableBytes() + data.readableBytes() > MAX_RESPONSE_BYTES) {
                finish(
                        FailureReason.PROTOCOL,
                        "the health answer is over " + MAX_RESPONSE_BYTES + " bytes: not a HealthCheckResponse;"
                                + " gRPC status none");
                return processed;
            }
            body.writeBytes(data);
            if (endOfStream) {
                finish(FailureReason.PROTOCOL, "the stream ended without trailers: no gRPC status");
            }
            return processed;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext context, int streamId, long errorCode) {
            if (streamId != STREAM || result.future().isComplete()) {
                return;
            }
            Http2Error error = Http2Error.valueOf(errorCode);
            if (error == Http2Error.CANCEL && attempt.elapsedNanos() >= timeoutMillis * 1_000_000L) {
                // The server gave up at the grpc-timeout the probe sent, as the probe's own timer was due to.
                release();
                result.tryComplete(attempt.timeOut(timeoutMillis));
                return;
            }
            result.tryFail(new Failures.ServerClosed("the server reset the gRPC call's stream ("
                    + (error == null ? "error " + errorCode : error.name()) + ") " + when()));
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext context, int lastStreamId, long errorCode, ByteBuf debugData) {
            if (lastStreamId < STREAM) {
                Http2Error error = Http2Error.valueOf(errorCode);
                result.tryFail(new Failures.ServerClosed("the server sent GOAWAY ("
                        + (error == null ? "error " + errorCode : error.name()) + ") before taking the gRPC call"));
            }
        }

        /** The call's end: judges the trailers (or the trailers-only answer) and the message read. */
        private void judge(Http2Headers trailers) {
            CharSequence statusText = trailers.get("grpc-status");
            if (statusText == null) {
                if (httpStatus != 200) {
                    int code = fromHttpStatus(httpStatus);
                    finish(
                            FailureReason.GRPC_STATUS,
                            "HTTP status " + httpStatus + " without a gRPC status: gRPC status " + statusName(code)
                                    + " (by the HTTP-to-gRPC mapping), no serving status",
                            code);
                } else {
                    finish(FailureReason.PROTOCOL, "the answer has no grpc-status: not a gRPC server?");
                }
                return;
            }
            int code = parseStatus(statusText);
            CharSequence grpcMessage = trailers.get("grpc-message");
            String detail = grpcMessage == null || grpcMessage.length() == 0
                    ? ""
                    : ": " + Checks.reportable(decodeMessage(grpcMessage), ProbeResult.MAX_MESSAGE_LENGTH);
            attempt.fact(Fact.GRPC_STATUS_CODE, code);
            attempt.explain(() -> "trailers: grpc-status " + statusName(code) + detail);
            if (code != OK) {
                String what = switch (code) {
                    case NOT_FOUND -> " (the health service does not know service '" + spec.service() + "')";
                    case UNIMPLEMENTED -> " (the server has no grpc.health.v1.Health service)";
                    default -> "";
                };
                finish(
                        code == DEADLINE_EXCEEDED ? FailureReason.TIMEOUT : FailureReason.GRPC_STATUS,
                        "gRPC status " + statusName(code) + what + ", no serving status" + detail,
                        code);
                return;
            }
            if (contentType == null || !contentType.toString().startsWith("application/grpc")) {
                finish(
                        FailureReason.PROTOCOL,
                        "gRPC status OK with content-type " + contentType + ", not application/grpc");
                return;
            }
            int serving = servingStatus();
            if (serving == -1) {
                finish(FailureReason.PROTOCOL, "gRPC status OK, but the answer is not one HealthCheckResponse");
                return;
            }
            attempt.fact(Fact.GRPC_SERVING_STATUS, serving);
            attempt.explain(() -> "serving status " + servingStatusName(serving));
            if (serving == SERVING) {
                release();
                result.tryComplete(attempt.succeed());
            } else {
                finish(
                        FailureReason.NOT_SERVING,
                        "service '" + spec.service() + "' is " + servingStatusName(serving) + " (gRPC status OK)");
            }
        }

        /** The one uncompressed message's serving status; -1 when the body is not exactly one HealthCheckResponse. */
        private int servingStatus() {
            if (body == null || body.readableBytes() < 5) {
                return -1;
            }
            int compressed = body.readUnsignedByte();
            long length = body.readUnsignedInt();
            if (compressed != 0 || length != body.readableBytes()) {
                return -1;
            }
            return GrpcProber.servingStatus(body);
        }

        private void finish(FailureReason reason, String message) {
            finish(reason, message, -1);
        }

        private void finish(FailureReason reason, String message, int grpcStatus) {
            if (result.future().isComplete()) {
                return;
            }
            if (grpcStatus >= 0) {
                attempt.fact(Fact.GRPC_STATUS_CODE, grpcStatus);
            }
            attempt.explain(() -> "failed: " + message);
            result.tryComplete(attempt.fail(reason, message));
            release();
        }

        private void release() {
            if (body != null) {
                body.release();
                body = null;
            }
        }

        private static int parseStatus(CharSequence text) {
            try {
                return Integer.parseInt(text.toString().trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        public void onPriorityRead(
                ChannelHandlerContext context, int streamId, int streamDependency, short weight, boolean exclusive) {}

        @Override
        public void onSettingsAckRead(ChannelHandlerContext context) {}

        @Override
        public void onSettingsRead(ChannelHandlerContext context, Http2Settings settings) {}

        @Override
        public void onPingRead(ChannelHandlerContext context, long data) {}

        @Override
        public void onPingAckRead(ChannelHandlerContext context, long data) {}

        @Override
        public void onPushPromiseRead(
                ChannelHandlerContext context, int streamId, int promisedStreamId, Http2Headers headers, int padding) {}

        @Override
        public void onWindowUpdateRead(ChannelHandlerContext context, int streamId, int windowSizeIncrement) {}

        @Override
        public void onUnknownFrame(
                ChannelHandlerContext context, byte frameType, int streamId, Http2Flags flags, ByteBuf payload) {}
    }
}
