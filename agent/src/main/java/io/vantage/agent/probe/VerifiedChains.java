package io.vantage.agent.probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's trust manager (PKIX path validation and the name check), remembering the server chains it accepted: a
 * target probed every few seconds presents the same chain every time, and validating it again on every full handshake
 * was a tenth of the agent's CPU at 300 HTTPS probes/s (docs/benchmarks.md). A chain is accepted again without
 * validation only when it is byte for byte the same, for the same peer name, requested server names, endpoint
 * identification and key exchange, within {@link #REVALIDATE_MILLIS} of its validation and before the earliest {@code
 * notAfter} in it; anything else, and every chain that failed, is validated in full. The handshake's own signature is
 * checked by the TLS engine on every probe either way, so a server must still hold the certificate's key. The
 * endpoint identification is always {@link #IDENTIFICATION}: the contexts that use this trust manager are made with it
 * ({@link FullHandshakes#client}), so it is not read from the engine (BoringSSL's builds all of its parameters for that).
 */
final class VerifiedChains extends DelegatingTrustManager {
    /** How long an accepted chain is trusted without validating it again (trust store and time still apply). */
    static final long REVALIDATE_MILLIS = 10 * 60_000;
    /** At most this many remembered chains; when full, all are forgotten (each is validated again once). */
    static final int MAX_CHAINS = 10_000;
    /** The name check the probes' verifying contexts make: the peer's name against the certificate, as HTTPS does. */
    static final String IDENTIFICATION = "HTTPS";

    private record Accepted(
            List<ByteBuffer> chain, String authType, String peerHost, List<SNIServerName> serverNames) {}

    private final LongSupplier clock;
    private final Map<Accepted, Long> acceptedUntil = new ConcurrentHashMap<>();
    private final LongAdder validations = new LongAdder();

    VerifiedChains(X509ExtendedTrustManager delegate, LongSupplier clock) {
        super(delegate);
        this.clock = clock;
    }

    /** The JVM's trust store, or only the certificates in {@code caFile} (PEM) when it is set. */
    static VerifiedChains trusting(String caFile) throws GeneralSecurityException, IOException {
        return trusting(caFile, System::currentTimeMillis);
    }

    /** As {@link #trusting(String)}, on {@code clock} (epoch milliseconds). */
    static VerifiedChains trusting(String caFile, LongSupplier clock) throws GeneralSecurityException, IOException {
        KeyStore store = null;
        if (caFile != null) {
            store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                int i = 0;
                for (Certificate certificate :
                        CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, certificate);
                }
                if (i == 0) {
                    throw new CertificateException("caFile " + caFile + " holds no certificate");
                }
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager extended) {
                return new VerifiedChains(extended, clock);
            }
        }
        throw new IllegalStateException("the JVM offers no X509ExtendedTrustManager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        List<ByteBuffer> encoded = new ArrayList<>(chain.length);
        for (X509Certificate certificate : chain) {
            encoded.add(ByteBuffer.wrap(certificate.getEncoded()));
        }
        // What the JDK's name check reads: the names requested in this handshake (SNI) and the peer's host, which it
        // takes from the handshake session (QUIC's engine leaves its own peer host unset; the session has it).
        SSLSession handshake = engine.getHandshakeSession();
        List<SNIServerName> names = handshake instanceof ExtendedSSLSession session
                ? List.copyOf(session.getRequestedServerNames())
                : List.of();
        String peerHost = handshake != null ? handshake.getPeerHost() : engine.getPeerHost();
        Accepted key = new Accepted(encoded, authType, peerHost, names);
        long now = clock.getAsLong();
        Long until = acceptedUntil.get(key);
        if (until != null && now < until) {
            return;
        }
        validations.increment();
        delegate.checkServerTrusted(chain, authType, engine);
        long expires = now + REVALIDATE_MILLIS;
        for (X509Certificate certificate : chain) {
            expires = Math.min(expires, certificate.getNotAfter().getTime());
        }
        if (acceptedUntil.size() >= MAX_CHAINS) {
            acceptedUntil.clear();
        }
        acceptedUntil.put(key, expires);
    }

    /** How many chains were validated in full (the others were accepted as remembered). */
    long validations() {
        return validations.sum();
    }
}
