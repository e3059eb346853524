package io.vantage.agent.probe;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The probes' TLS client contexts and handlers. Every handshake is a full one, as a new client's would be, so a probe
 * measures (and can fail on) what clients meet: the server's certificate, its chain and a full key exchange. Both
 * engines otherwise resume a session they hold for the same host and port (by session ID or ticket), so from its
 * second probe on a target that allows resumption was not shown its certificate again, and the TLS phase was the short
 * one.
 *
 * <ul>
 *   <li>BoringSSL: the client session cache is off; engines are reference-counted ({@code OPENSSL_REFCNT}), so the
 *       native SSL object is freed when the connection closes instead of when the collector finds the engine (at
 *       170 handshakes/s those waited in the heap and in native memory, docs/benchmarks.md).
 *   <li>The JDK: its client caches a session only under the peer's host <em>and</em> port, so engines are made
 *       without the port; the host stays, for the name check.
 * </ul>
 *
 * The context holds everything an engine needs (protocols, cipher suites, the name check), so an engine is made
 * configured: Vert.x's {@code upgradeToSsl}, which the probes used before, read and rewrote every new engine's
 * parameters (BoringSSL's then converts every cipher suite's name twice), about 5 % of the agent's CPU at 300 HTTPS
 * probes/s (docs/benchmarks.md).
 */
final class FullHandshakes {
    /** The protocols offered, newest first: what Vert.x's client offered by default. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private FullHandshakes() {}

    /**
     * A client context on {@code engine}: verifying the chain with {@code trust} and the peer's name as HTTPS does, or,
     * with {@code trust} null, accepting any chain for any name ({@code insecureSkipVerify}).
     */
    static SslContext client(TlsEngine engine, X509ExtendedTrustManager trust) throws SSLException {
        return client(engine, trust, null);
    }

    /**
     * The same, offering {@code applicationProtocol} by ALPN when not null (gRPC's {@code h2}: a gRPC server over TLS
     * refuses a client that does not offer it). A server that selects none is still connected: the caller reads {@link
     * SslHandler#applicationProtocol()} and judges.
     */
    static SslContext client(TlsEngine engine, X509ExtendedTrustManager trust, String applicationProtocol)
            throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .protocols(PROTOCOLS)
                .trustManager(
                        trust == null ? InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0] : trust)
                .endpointIdentificationAlgorithm(trust == null ? null : VerifiedChains.IDENTIFICATION);
        if (applicationProtocol != null) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    applicationProtocol));
        }
        SslContext context = switch (engine) {
            // Every suite BoringSSL has, so that a server with only older ones is still reached and judged.
            case OPENSSL ->
                builder.sslProvider(SslProvider.OPENSSL_REFCNT)
                        .ciphers(OpenSsl.availableOpenSslCipherSuites())
                        .build();
            case JDK -> builder.sslProvider(SslProvider.JDK).build();
        };
        if (context.sessionContext() instanceof OpenSslSessionContext sessions) {
            sessions.setSessionCacheEnabled(false);
        }
        return context;
    }

    /**
     * A handler for one connection to {@code serverName}, the name the peer's certificate is checked against. Both
     * engines send a dotted name as SNI by themselves (RFC 6066 asks for a fully qualified name) and never an address;
     * a single-label name (localhost, a Kubernetes service), which they leave out, is set here so that it is still
     * sent.
     */
    static SslHandler handler(SslContext context, ByteBufAllocator allocator, String serverName) {
        SslHandler handler = context.newHandler(allocator, serverName, -1);
        boolean enginesSendIt = serverName.indexOf('.') > 0 && !serverName.endsWith(".");
        if (!enginesSendIt && !Resolver.isAddress(serverName)) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            engine.setSSLParameters(parameters);
        }
        return handler;
    }
}
