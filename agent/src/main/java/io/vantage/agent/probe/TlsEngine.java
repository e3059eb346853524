package io.vantage.agent.probe;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.util.Locale;

/**
 * The TLS implementation the probes use. BoringSSL (netty-tcnative, shipped for linux-x86_64) costs a
 * fraction of the JDK's engine per full handshake; the JDK engine is the fallback where the native library
 * does not load. Verification is the same on both: the certificate chain against the trust store (or
 * {@code caFile}) and the name against {@code hostHeader}/{@code serverName}, by the JDK's trust manager.
 */
public enum TlsEngine {
    OPENSSL,
    JDK;

    /** OpenSSL when its native library loads here, else the JDK's engine. */
    public static TlsEngine detect() {
        return OpenSSLEngineOptions.isAvailable() ? OPENSSL : JDK;
    }

    /** Why OpenSSL is not in use, for the start-up log; null when it is available. */
    public static String unavailableCause() {
        return OpenSSLEngineOptions.isAvailable() ? null : String.valueOf(OpenSsl.unavailabilityCause());
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
