package io.vantage.wire.target;

import io.vantage.wire.Checks;

/**
 * Completes a verified TLS handshake with host:port (SNI {@code serverName}, default the host) and
 * fails when the leaf certificate expires in fewer than {@code minDaysRemaining} days.
 */
public record TlsSpec(String host, int port, String serverName, String caFile, Integer minDaysRemaining)
        implements ProbeSpec {
    public static final int DEFAULT_MIN_DAYS_REMAINING = 14;

    public TlsSpec {
        Checks.noControlCharacters("host", Checks.required("host", host));
        Checks.noControlCharacters("serverName", serverName);
        Checks.range("port", port, 1, 65535);
        if (minDaysRemaining == null) {
            minDaysRemaining = DEFAULT_MIN_DAYS_REMAINING;
        }
        Checks.range("minDaysRemaining", minDaysRemaining, 0, 3650);
    }

    public String effectiveServerName() {
        return serverName != null ? serverName : host;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.tls(this);
    }
}
