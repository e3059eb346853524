package io.vantage.agent.probe;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.spi.tls.DefaultSslContextFactory;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The probes' TLS contexts: every handshake is a full one, as a new client's would be, so a probe measures (and can
 * fail on) what clients meet: the server's certificate, its chain and a full key exchange. Both engines otherwise
 * resume a session they hold for the same host and port (by session ID or ticket), so from its second probe on a
 * target that allows resumption was not shown its certificate again, and the TLS phase was the short one. Vert.x's
 * own switch for this ({@code OpenSSLEngineOptions.setSessionCacheEnabled}) applies to servers only.
 *
 * <ul>
 *   <li>BoringSSL: the client session cache is off; engines are reference-counted ({@code OPENSSL_REFCNT}), so the
 *       native SSL object is freed when the connection closes instead of when the collector finds the engine (at
 *       170 handshakes/s those waited in the heap and in native memory, docs/benchmarks.md).
 *   <li>The JDK: its client caches a session only under the peer's host <em>and</em> port, so engines are made
 *       without the port; the host stays, for the name check.
 * </ul>
 */
final class FullHandshakes implements SslContextFactory {
    private final TlsEngine engine;
    private boolean forClient;
    private ClientAuth clientAuth;
    private KeyManagerFactory keyManagers;
    private TrustManagerFactory trustManagers;
    private Set<String> cipherSuites;

    FullHandshakes(TlsEngine engine) {
        this.engine = engine;
    }

    @Override
    public SslContextFactory useAlpn(boolean useAlpn) {
        if (useAlpn) {
            throw new UnsupportedOperationException("the probes' TLS client does not negotiate ALPN");
        }
        return this;
    }

    @Override
    public SslContextFactory clientAuth(ClientAuth clientAuth) {
        this.clientAuth = clientAuth;
        return this;
    }

    @Override
    public SslContextFactory forClient(boolean forClient) {
        this.forClient = forClient;
        return this;
    }

    @Override
    public SslContextFactory keyMananagerFactory(KeyManagerFactory keyManagers) {
        this.keyManagers = keyManagers;
        return this;
    }

    @Override
    public SslContextFactory trustManagerFactory(TrustManagerFactory trustManagers) {
        this.trustManagers = trustManagers;
        return this;
    }

    @Override
    public SslContextFactory enabledCipherSuites(Set<String> cipherSuites) {
        this.cipherSuites = cipherSuites;
        return this;
    }

    @Override
    public SslContext create() throws SSLException {
        if (!forClient) {
            throw new UnsupportedOperationException("the probes' TLS options are for clients only");
        }
        return switch (engine) {
            case OPENSSL -> {
                SslContext context = SslContextBuilder.forClient()
                        .sslProvider(SslProvider.OPENSSL_REFCNT)
                        .keyManager(keyManagers)
                        .trustManager(trustManagers)
                        .ciphers(
                                cipherSuites == null || cipherSuites.isEmpty()
                                        ? OpenSsl.availableOpenSslCipherSuites()
                                        : cipherSuites)
                        .build();
                ((OpenSslSessionContext) context.sessionContext()).setSessionCacheEnabled(false);
                yield context;
            }
            case JDK ->
                new WithoutPeerPort(new DefaultSslContextFactory(SslProvider.JDK, false)
                        .forClient(true)
                        .clientAuth(clientAuth)
                        .keyMananagerFactory(keyManagers)
                        .trustManagerFactory(trustManagers)
                        .enabledCipherSuites(cipherSuites)
                        .create());
        };
    }

    /** A client context whose engines know the peer's host but not its port: the JDK then never resumes. */
    private static final class WithoutPeerPort extends SslContext {
        private final SslContext delegate;

        WithoutPeerPort(SslContext delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean isClient() {
            return true;
        }

        @Override
        public List<String> cipherSuites() {
            return delegate.cipherSuites();
        }

        @Override
        @SuppressWarnings("deprecation")
        public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
            return delegate.applicationProtocolNegotiator();
        }

        @Override
        public SSLEngine newEngine(ByteBufAllocator alloc) {
            return delegate.newEngine(alloc);
        }

        @Override
        public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
            return delegate.newEngine(alloc, peerHost, -1);
        }

        @Override
        public SSLSessionContext sessionContext() {
            return delegate.sessionContext();
        }
    }
}
