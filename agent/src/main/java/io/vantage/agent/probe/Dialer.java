package io.vantage.agent.probe;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.vantage.wire.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.ConnectException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The dns, connect and tls phases every prober shares. Each step is timed separately (a resolved address
 * is dialled, then the plain socket is upgraded), which is what makes per-phase timings real.
 */
public final class Dialer {
    private final Vertx vertx;
    private final TlsEngine engine;
    private final NetClient client;
    private final Resolver resolver;
    private final Map<String, Future<SslContext>> tlsContexts = new ConcurrentHashMap<>();

    /** Call on the probe loop's context: the client's sockets are served by its event loop. */
    public Dialer(Vertx vertx, TlsEngine engine, Resolver resolver) {
        this.vertx = vertx;
        this.engine = engine;
        this.client = vertx.createNetClient(clientOptions());
        this.resolver = resolver;
    }

    /** The probes' sockets: no Nagle delay; the connect timeout is each probe's own (set per connection). */
    static NetClientOptions clientOptions() {
        return new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(60_000);
    }

    /** At most this many addresses of one name are dialled in one probe, in turn, while each refuses at once. */
    static final int MAX_ADDRESSES_TRIED = 4;

    /**
     * Resolves and connects. A name with several addresses is dialled address by address, as clients do, while each
     * one refuses or is unreachable at once (at most {@link #MAX_ADDRESSES_TRIED}); a connect timeout ends the probe,
     * whose deadline it is. The caller registers with the attempt how the socket is released.
     */
    public Future<NetSocket> connect(Attempt attempt, String host, int port, int timeoutMillis) {
        return addresses(attempt, host, Phase.CONNECT).compose(all -> dial(attempt, host, all, 0, port, timeoutMillis));
    }

    /**
     * The dns phase alone: the addresses to dial for {@code host} (the one pinned address in an {@code addresses:
     * every} round), recorded as the attempt's answers, with the attempt then in phase {@code next}; an address is
     * its own answer and has no dns phase. {@link #connect} goes on to {@code connect}; QUIC, which has no connect of
     * its own, to {@code tls}.
     */
    public Future<List<String>> addresses(Attempt attempt, String host, Phase next) {
        if (Resolver.isAddress(host)) {
            attempt.skip(next);
            return Future.succeededFuture(List.of(host.startsWith("[") ? host.substring(1, host.length() - 1) : host));
        }
        Future<List<String>> resolution =
                attempt.sharedResolution() != null ? attempt.sharedResolution() : resolver.resolve(host);
        return resolution.map(resolved -> {
            attempt.explain(() -> "resolved " + host + " to " + resolved);
            attempt.enter(next);
            attempt.resolved(resolved.stream().map(Addresses::canonical).toList());
            return attempt.sharedResolution() == null ? resolved : List.of(resolved.get(attempt.pinnedIndex()));
        });
    }

    /** The addresses of {@code host}, as {@link #connect} would dial them. */
    public Future<List<String>> resolve(String host) {
        return resolver.resolve(host);
    }

    private Future<NetSocket> dial(
            Attempt attempt, String host, List<String> addresses, int index, int port, int timeoutMillis) {
        String ip = addresses.get(index);
        attempt.address(Addresses.canonical(ip));
        attempt.fact(Fact.IP_PROTOCOL, ip.indexOf(':') >= 0 ? 6 : 4);
        String refused = attempt.refusal(host, Addresses.canonical(ip), port);
        if (refused != null) {
            attempt.explain(() -> "not dialling " + ip + " port " + port + ": " + refused);
            return Future.failedFuture(new IllegalStateException(refused));
        }
        attempt.explain(() -> "connecting to " + ip + " port " + port);
        return client.connect(new ConnectOptions()
                        .setRemoteAddress(SocketAddress.inetSocketAddress(port, ip))
                        .setTimeout(timeoutMillis))
                .recover(error -> {
                    boolean another = index + 1 < Math.min(addresses.size(), MAX_ADDRESSES_TRIED);
                    if (!another || attempt.finished() || !refusedAtOnce(error)) {
                        return Future.failedFuture(error);
                    }
                    attempt.explain(
                            () -> ip + " port " + port + ": " + error.getMessage() + "; trying the next address");
                    return dial(attempt, host, addresses, index + 1, port, timeoutMillis);
                })
                .onSuccess(socket -> attempt.explain(() -> "connected to " + ip + " port " + port));
    }

    /** A connect failure that came back at once (refused, unreachable), as opposed to a timeout. */
    private static boolean refusedAtOnce(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException)) {
                return true;
            }
        }
        return false;
    }

    /** The agent's own DNS servers ({@code dns.servers}); empty: the operating system's resolver. */
    public List<SocketAddress> dnsServers() {
        return resolver.servers();
    }

    /**
     * Upgrades to TLS, presenting and verifying {@code serverName}; returns the leaf certificate. The name is also the
     * engine's peer host, because the JDK's name check falls back from the SNI name to the peer host: were it the
     * address, a certificate carrying the target's IP address would pass for any name. {@code caFile}
     * replaces the JVM's trust store; verification is skipped only when asked for by name. Chains are validated by the
     * JDK's trust manager, which remembers the ones it accepted ({@link VerifiedChains}).
     */
    public Future<X509Certificate> secure(
            Attempt attempt, NetSocket socket, String serverName, String caFile, boolean insecureSkipVerify) {
        return secure(attempt, socket, serverName, caFile, insecureSkipVerify, null);
    }

    /**
     * The same, offering {@code applicationProtocol} by ALPN when not null ({@code h2} for gRPC); which one the server
     * selected is the socket's {@link SslHandler#applicationProtocol()}, null when it selected none.
     */
    public Future<X509Certificate> secure(
            Attempt attempt,
            NetSocket socket,
            String serverName,
            String caFile,
            boolean insecureSkipVerify,
            String applicationProtocol) {
        attempt.enter(Phase.TLS);
        return tlsContext(caFile, insecureSkipVerify, applicationProtocol)
                .compose(context -> upgrade(socket, context, serverName))
                .compose(session -> {
                    attempt.explain(() -> "TLS handshake done with " + serverName + ": " + session.getProtocol() + ", "
                            + session.getCipherSuite());
                    try {
                        X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
                        attempt.tlsNotAfter(leaf.getNotAfter().toInstant().getEpochSecond());
                        return Future.succeededFuture(leaf);
                    } catch (SSLPeerUnverifiedException | RuntimeException e) {
                        return Future.failedFuture(e);
                    }
                });
    }

    /**
     * Starts TLS on {@code socket}, on its event loop, as a client of {@code serverName} ({@link
     * FullHandshakes#handler}); completes with the session once the handshake has, or fails as it did. Bytes the socket
     * writes from then on are encrypted and bytes it reads are decrypted, as after Vert.x's {@code upgradeToSsl}.
     */
    static Future<SSLSession> upgrade(NetSocket socket, SslContext context, String serverName) {
        ChannelHandlerContext channel = ((NetSocketInternal) socket).channelHandlerContext();
        Promise<SSLSession> done = Promise.promise();
        SslHandler tls = FullHandshakes.handler(context, channel.alloc(), serverName);
        Handshake handshake = new Handshake();
        tls.handshakeFuture().addListener(result -> {
            if (result.isSuccess()) {
                channel.pipeline().remove(handshake);
                done.complete(tls.engine().getSession());
            } else {
                done.fail(result.cause());
            }
        });
        channel.pipeline().addFirst("handshake", handshake).addFirst("ssl", tls);
        return done.future();
    }

    /**
     * Behind the TLS handler until its handshake succeeds: a failed handshake is the probe's result, which the
     * handshake's future carries, so the same failure passed on as an exception is not the socket's (Vert.x would log
     * it as an error for every probe of a target whose TLS is broken).
     */
    private static final class Handshake extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {}
    }

    /**
     * The context for this trust setting. The first probe of each setting reads the trust store (the JVM's, or {@code
     * caFile}) on a worker thread, never on the probe loop, and probes of the same setting that start meanwhile wait for
     * that one read. A store that cannot be read fails those probes, not the loop; the failed read is not kept, so the
     * next probe reads again. Once read, a lookup takes no lock.
     */
    private Future<SslContext> tlsContext(String caFile, boolean insecureSkipVerify, String applicationProtocol) {
        String key = (applicationProtocol == null ? "" : applicationProtocol + "\0")
                + (insecureSkipVerify ? "\0insecure" : caFile == null ? "" : caFile);
        Future<SslContext> known = tlsContexts.get(key);
        if (known != null && !known.failed()) {
            return known;
        }
        return tlsContexts.compute(
                key,
                (k, current) -> current == null || current.failed()
                        ? read(caFile, insecureSkipVerify, applicationProtocol)
                        : current);
    }

    private Future<SslContext> read(String caFile, boolean insecureSkipVerify, String applicationProtocol) {
        return vertx.executeBlocking(
                () -> FullHandshakes.client(engine, insecureSkipVerify ? null : trust(caFile), applicationProtocol),
                false);
    }

    /**
     * The trust of a verifying probe: the JVM's trust store, or {@code caFile}; blocking (it reads files). A store that
     * cannot be read is an error naming it.
     */
    static VerifiedChains trust(String caFile) {
        try {
            return VerifiedChains.trusting(caFile);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    (caFile == null ? "the JVM's trust store" : "caFile " + caFile) + " could not be loaded: "
                            + e.getMessage(),
                    e);
        }
    }
}
