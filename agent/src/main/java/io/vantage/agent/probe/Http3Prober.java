package io.vantage.agent.probe;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicSslEngine;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.vantage.agent.check.Checks;
import io.vantage.wire.Addresses;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.HttpSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * HTTP/3 ({@code version: "3"}): one request over a fresh QUIC connection (UDP) per probe, with Netty's HTTP/3 codec
 * on the QUIC codec (quiche and BoringSSL, a native library shipped for linux-x86_64), judged exactly as {@link
 * HttpProber} judges HTTP/1.1. The UDP socket is served by the probe loop's own event loop, so HTTP/3 probes add no
 * thread, and is shared by that loop's probes of the same trust setting (each probe's connection, handshake and
 * verified name are its own).
 *
 * <p>Phases: {@code dns} as for every prober; QUIC has no connect of its own (the first packet already carries the TLS
 * handshake), so there is no {@code connect} phase and the {@code tls} phase is the whole QUIC handshake, from the first
 * Initial packet to the handshake's completion; then the request, {@code firstByte} at the response's first HEADERS
 * frame, and the body. A UDP port where nothing listens answers nothing a QUIC client sees (an ICMP port unreachable is
 * not reported to an unconnected UDP socket), so it times out in the {@code tls} phase, like a silent server.
 *
 * <p>The certificate is verified as for HTTP/1.1: against the JVM's trust store or {@code caFile} ({@link
 * VerifiedChains}), and its name against {@code hostHeader} (or the URL's host), which is also the SNI name; {@code
 * insecureSkipVerify} alone turns that off. Every probe makes a full handshake: the client session cache is off.
 */
public final class Http3Prober {
    /** Flow control the client grants: the body cap is the prober's own, so this only has to let a capped body in. */
    private static final long MAX_DATA = 32L * 1024 * 1024;
    // The local side of each probe's UDP socket: any address of the target's family, an ephemeral port.
    private static final InetAddress ANY_IPV4 = address(new byte[4]);
    private static final InetAddress ANY_IPV6 = address(new byte[16]);

    private final VertxInternal vertx;
    private final Dialer dialer;
    private final HttpProber http;
    private static final AttributeKey<Dial> DIAL = AttributeKey.valueOf("vantage.http3.dial");

    private final Map<String, Future<QuicSslContext>> contexts = new ConcurrentHashMap<>();
    private final Map<SocketKey, Future<Channel>> sockets = new ConcurrentHashMap<>();
    // Why the trust manager refused a handshake's certificate, until the probe that owns the engine reads it.
    private final Map<SSLEngine, CertificateException> refused = new ConcurrentHashMap<>();

    /** {@code http} judges the responses, as it judges its own. */
    public Http3Prober(Vertx vertx, Dialer dialer, HttpProber http) {
        this.vertx = (VertxInternal) vertx;
        this.dialer = dialer;
        this.http = http;
    }

    public Future<ProbeResult> probe(HttpSpec spec, Attempt attempt, int timeoutMillis) {
        attempt.fact(Fact.HTTP_VERSION, 3);
        if (!Quic.isAvailable()) {
            // Not the endpoint's fault, and not a timing one either: said as it is, on every such probe.
            return Future.succeededFuture(attempt.fail(
                    FailureReason.PROTOCOL,
                    "HTTP/3 is not available on this agent: the QUIC native library did not load ("
                            + Quic.unavailabilityCause() + ")"));
        }
        return dialer.addresses(attempt, spec.host(), Phase.TLS)
                .compose(addresses -> context(spec)
                        .compose(context -> handshake(spec, attempt, context, addresses.get(0), timeoutMillis)))
                .compose(quic -> request(spec, attempt, quic))
                .map(response -> {
                    attempt.statusCode(response.status);
                    return http.judge(spec, attempt, response);
                });
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A QUIC connection to {@code ip}, its handshake done (the {@code tls} phase), released when the attempt ends. */
    private Future<QuicChannel> handshake(
            HttpSpec spec, Attempt attempt, QuicSslContext context, String ip, int timeoutMillis) {
        InetSocketAddress remote;
        try {
            remote = new InetSocketAddress(InetAddress.getByName(ip), spec.port()); // an address: no lookup
        } catch (UnknownHostException e) {
            return Future.failedFuture(e);
        }
        boolean ipv6 = remote.getAddress() instanceof Inet6Address;
        String disallowed = attempt.refusal(spec.host(), Addresses.canonical(ip), spec.port());
        if (disallowed != null) {
            attempt.explain(() -> "not dialling " + ip + " port " + spec.port() + ": " + disallowed);
            return Future.failedFuture(new IllegalStateException(disallowed));
        }
        attempt.address(Addresses.canonical(ip));
        attempt.fact(Fact.IP_PROTOCOL, ipv6 ? 6 : 4);
        attempt.explain(() -> "QUIC handshake with " + Addresses.canonical(ip) + " port " + spec.port() + " (UDP) for "
                + spec.virtualHost() + ", ALPN h3"
                + (spec.tls().insecureSkipVerify() ? ", certificate NOT verified (insecureSkipVerify)" : ""));
        Dial dial = new Dial(spec.virtualHost(), spec.port());
        Promise<QuicChannel> done = Promise.promise();
        // However the attempt ends: its connection closed (CONNECTION_CLOSE sent); the shared socket stays.
        attempt.onFinish(() -> {
            if (dial.engine != null) {
                refused.remove(dial.engine);
            }
            QuicChannel quic = done.future().result();
            if (quic != null) {
                quic.close();
            }
        });
        socket(context, trustKey(spec), ipv6, timeoutMillis).onComplete(socket -> {
            if (socket.failed()) {
                done.tryFail(socket.cause());
                return;
            }
            QuicChannel.newBootstrap(socket.result())
                    .attr(DIAL, dial)
                    .handler(new Http3ClientConnectionHandler())
                    .remoteAddress(remote)
                    .connect()
                    .addListener(connected -> {
                        if (connected.isSuccess()) {
                            done.tryComplete((QuicChannel) connected.getNow());
                        } else {
                            done.tryFail(handshakeFailure(dial.engine, connected.cause()));
                        }
                    });
        });
        return done.future().compose(quic -> {
            SSLSession session = quic.sslEngine().getSession();
            try {
                X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
                attempt.tlsNotAfter(leaf.getNotAfter().toInstant().getEpochSecond());
                attempt.fact(Fact.SSL, 1);
                attempt.explain(() -> "QUIC handshake done: " + session.getProtocol() + " "
                        + session.getCipherSuite() + ", certificate " + leaf.getSubjectX500Principal()
                        + ", valid until " + leaf.getNotAfter().toInstant());
                return Future.succeededFuture(quic);
            } catch (Exception e) {
                return Future.failedFuture(new SSLHandshakeException("no server certificate: " + e.getMessage()));
            }
        });
    }

    /**
     * The UDP socket, with its QUIC codec, that this event loop's probes of one trust setting, address family and
     * timeout share: a codec's native configuration costs far more than a handshake (docs/benchmarks.md), so it is made
     * once, not per probe. Each probe's connection is its own (its own handshake and engine, for its own name, {@link
     * Dial}); the socket is made again if it closed or failed. Only this event loop touches its own entries.
     */
    private Future<Channel> socket(QuicSslContext context, String trust, boolean ipv6, int timeoutMillis) {
        EventLoop loop = vertx.getOrCreateContext().nettyEventLoop();
        SocketKey key = new SocketKey(loop, trust, ipv6, timeoutMillis);
        Future<Channel> known = sockets.get(key);
        if (known != null
                && (!known.isComplete() || known.succeeded() && known.result().isActive())) {
            return known;
        }
        ChannelHandler codec = Http3.newQuicClientCodecBuilder()
                .sslContext(context)
                .sslEngineProvider(quic -> {
                    Dial dial = quic.attr(DIAL).get();
                    dial.engine = context.newEngine(quic.alloc(), dial.host, dial.port);
                    return dial.engine;
                })
                // The probe's deadline ends its attempt, which closes its connection; this bounds a handshake left
                // pending by a deadline (a silent server) to about the same time.
                .maxIdleTimeout(timeoutMillis + 1000L, TimeUnit.MILLISECONDS)
                .initialMaxData(MAX_DATA)
                .initialMaxStreamDataBidirectionalLocal(MAX_DATA)
                .build();
        Promise<Channel> bound = Promise.promise();
        sockets.put(key, bound.future());
        InternetProtocolFamily family = ipv6 ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4;
        new Bootstrap()
                .group(loop)
                .channelFactory(() -> vertx.transport().datagramChannel(family))
                .handler(codec)
                .bind(new InetSocketAddress(ipv6 ? ANY_IPV6 : ANY_IPV4, 0))
                .addListener((ChannelFuture result) -> {
                    if (result.isSuccess()) {
                        bound.complete(result.channel());
                    } else {
                        bound.fail(result.cause());
                    }
                });
        return bound.future();
    }

    /** Which shared socket a probe uses. */
    private record SocketKey(EventLoop loop, String trust, boolean ipv6, int timeoutMillis) {}

    /** One probe's connection: the name its engine presents and verifies, and the engine once made. */
    private static final class Dial {
        final String host;
        final int port;
        QuicSslEngine engine;

        Dial(String host, int port) {
            this.host = host;
            this.port = port;
        }
    }

    /**
     * Why the handshake failed, as an {@link SSLHandshakeException} ({@code tls_handshake}) carrying the certificate's
     * refusal when the trust manager refused it (an expired certificate is then {@code tls_expired}): the codec itself
     * reports only that the connection closed.
     */
    private Throwable handshakeFailure(QuicSslEngine engine, Throwable cause) {
        CertificateException certificate = engine == null ? null : refused.remove(engine);
        SSLHandshakeException failure = new SSLHandshakeException(
                certificate != null
                        ? "certificate refused: " + Failures.describe(certificate)
                        : "QUIC handshake failed: " + Failures.describe(cause));
        failure.initCause(certificate != null ? certificate : cause);
        return failure;
    }

    /** The request on a new stream, the response read up to {@code maxBodyBytes}. */
    private Future<HttpProber.Response> request(HttpSpec spec, Attempt attempt, QuicChannel quic) {
        attempt.enter(Phase.WAIT);
        Promise<HttpProber.Response> response = Promise.promise();
        ResponseReader reader = new ResponseReader(spec, attempt, response);
        quic.closeFuture()
                .addListener(closed -> response.tryFail(new Failures.ServerClosed(
                        "connection reset: the server closed the QUIC connection " + reader.when())));
        Http3.newRequestStream(quic, reader).addListener(opened -> {
            if (!opened.isSuccess()) {
                response.tryFail(opened.cause());
                return;
            }
            QuicStreamChannel stream = (QuicStreamChannel) opened.getNow();
            Http3HeadersFrame head = requestHead(spec);
            attempt.explain(() -> "sent " + spec.method() + " " + spec.requestTarget() + " HTTP/3 to "
                    + head.headers().authority());
            stream.writeAndFlush(head).addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        });
        return response.future();
    }

    private static Http3HeadersFrame requestHead(HttpSpec spec) {
        Http3HeadersFrame frame = new DefaultHttp3HeadersFrame();
        String host = spec.virtualHost();
        String authority =
                (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + (spec.port() == 443 ? "" : ":" + spec.port());
        Http3Headers headers = frame.headers()
                .method(spec.method())
                .scheme("https")
                .authority(authority)
                .path(spec.requestTarget());
        headers.add("user-agent", HttpProber.USER_AGENT).add("accept", "*/*");
        for (Map.Entry<String, String> header : spec.headers().entrySet()) {
            headers.add(header.getKey().toLowerCase(Locale.ROOT), header.getValue());
        }
        if (!spec.method().equals("GET") && !spec.method().equals("HEAD")) {
            headers.add("content-length", "0");
        }
        return frame;
    }

    /** Reads one response on the request stream: informational heads skipped, the body kept up to the cap. */
    private static final class ResponseReader extends Http3RequestStreamInboundHandler {
        private final HttpSpec spec;
        private final Attempt attempt;
        private final Promise<HttpProber.Response> response;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status;
        private long bodyBytes;
        private long contentLength = -1;
        private boolean truncated;
        private final Map<String, List<String>> headers = new HashMap<>();

        ResponseReader(HttpSpec spec, Attempt attempt, Promise<HttpProber.Response> response) {
            this.spec = spec;
            this.attempt = attempt;
            this.response = response;
        }

        String when() {
            return status > 0 ? "before the response was complete" : "before sending a response";
        }

        @Override
        protected void channelRead(ChannelHandlerContext context, Http3HeadersFrame frame) {
            try {
                if (attempt.phase() == Phase.WAIT) {
                    attempt.enter(Phase.BODY);
                }
                if (status > 0) {
                    return; // trailers
                }
                CharSequence code = frame.headers().status();
                int parsed = code == null ? -1 : parseStatus(code);
                if (parsed < 0) {
                    response.tryComplete(new HttpProber.Response(
                            FailureReason.PROTOCOL,
                            "the response has no valid :status ('" + Checks.abbreviate(String.valueOf(code)) + "')"));
                    context.close();
                    return;
                }
                if (parsed / 100 == 1) {
                    return; // an informational answer; the final one follows
                }
                status = parsed;
                frame.headers()
                        .forEach(header -> headers.computeIfAbsent(
                                        header.getKey().toString().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                                .add(header.getValue().toString()));
                CharSequence length = frame.headers().get("content-length");
                if (length != null) {
                    try {
                        contentLength = Long.parseLong(length.toString().trim());
                    } catch (NumberFormatException e) {
                        contentLength = -1;
                    }
                }
                attempt.explain(() ->
                        "received HTTP/3 status " + status + ", content-length " + (length == null ? "none" : length));
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }

        @Override
        protected void channelRead(ChannelHandlerContext context, Http3DataFrame frame) {
            try {
                ByteBuf content = frame.content();
                int keep = (int) Math.min(content.readableBytes(), spec.maxBodyBytes() - bodyBytes);
                if (keep > 0) {
                    byte[] bytes = new byte[keep];
                    content.getBytes(content.readerIndex(), bytes);
                    body.write(bytes, 0, keep);
                    bodyBytes += keep;
                }
                if (keep < content.readableBytes()) {
                    truncated = true;
                }
                if (bodyBytes >= spec.maxBodyBytes() && status > 0) {
                    complete(); // the cap: the rest is not read
                    context.close();
                }
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }

        @Override
        protected void channelInputClosed(ChannelHandlerContext context) {
            if (status > 0) {
                complete();
            } else {
                response.tryFail(
                        new Failures.ServerClosed("connection reset: the server closed the request stream " + when()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            response.tryFail(cause);
            context.close();
        }

        private void complete() {
            if (response.future().isComplete()) {
                return;
            }
            attempt.explain(() -> "read " + bodyBytes + " bytes of body"
                    + (bodyBytes >= spec.maxBodyBytes() ? " (maxBodyBytes reached)" : ""));
            response.tryComplete(new HttpProber.Response(
                    status,
                    body.toString(StandardCharsets.UTF_8),
                    "HTTP/3.0",
                    name -> headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()),
                    contentLength,
                    bodyBytes,
                    truncated));
        }

        private static int parseStatus(CharSequence code) {
            if (code.length() != 3) {
                return -1;
            }
            try {
                int parsed = Integer.parseInt(code.toString());
                return parsed >= 100 && parsed <= 599 ? parsed : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** A probe's trust setting, as the contexts and sockets are keyed. */
    private static String trustKey(HttpSpec spec) {
        return spec.tls().insecureSkipVerify()
                ? "\0insecure"
                : spec.tls().caFile() == null ? "" : spec.tls().caFile();
    }

    /**
     * The client context of this trust setting, built once (the trust store is read on a worker thread, never on the
     * probe loop), as {@link Dialer} keeps its TLS contexts; a failed read is not kept.
     */
    private Future<QuicSslContext> context(HttpSpec spec) {
        String caFile = spec.tls().caFile();
        boolean insecureSkipVerify = spec.tls().insecureSkipVerify();
        String key = trustKey(spec);
        Future<QuicSslContext> known = contexts.get(key);
        if (known != null && !known.failed()) {
            return known;
        }
        return contexts.compute(
                key,
                (k, current) -> current == null || current.failed()
                        ? vertx.executeBlocking(() -> build(caFile, insecureSkipVerify), false)
                        : current);
    }

    private QuicSslContext build(String caFile, boolean insecureSkipVerify) {
        QuicSslContextBuilder builder = QuicSslContextBuilder.forClient()
                .applicationProtocols(Http3.supportedApplicationProtocols())
                // No resumption: every probe's handshake is a full one, its timing and its certificate check real.
                .sessionCacheSize(0);
        if (insecureSkipVerify) {
            return builder.trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        }
        return builder.trustManager(new Remembering(Dialer.trust(caFile)))
                .endpointIdentificationAlgorithm(VerifiedChains.IDENTIFICATION)
                .build();
    }

    /** {@link VerifiedChains}, remembering why it refused a server's certificate, for the probe's message. */
    private final class Remembering extends DelegatingTrustManager {
        Remembering(VerifiedChains delegate) {
            super(delegate);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            try {
                delegate.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                refused.put(engine, e);
                throw e;
            }
        }
    }
}
