package io.vantage.wire.target;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vantage.wire.Checks;
import java.util.List;

/**
 * Completes a verified TLS handshake with host:port (SNI {@code serverName}, default the host) and
 * fails when the leaf certificate expires in fewer than {@code minDaysRemaining} days; then, with {@code
 * queryResponse}, runs that dialogue over the TLS connection (see {@link QueryStep}; no step may start TLS again).
 * {@code insecureSkipVerify} (lab use only) accepts any certificate, whose expiry is still checked.
 */
public record TlsSpec(
        String host,
        int port,
        String serverName,
        String caFile,
        Integer minDaysRemaining,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<QueryStep> queryResponse,
        Boolean insecureSkipVerify)
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
        queryResponse = queryResponse == null ? List.of() : List.copyOf(queryResponse);
        Checks.range("queryResponse", queryResponse.size(), 0, TcpSpec.MAX_STEPS);
        if (queryResponse.stream().anyMatch(QueryStep::startTls)) {
            throw Checks.invalid("queryResponse", "startTls: the connection of a tls probe is TLS from the start");
        }
        insecureSkipVerify = insecureSkipVerify != null && insecureSkipVerify;
        if (insecureSkipVerify && caFile != null) {
            throw Checks.invalid("insecureSkipVerify", "cannot be combined with caFile");
        }
    }

    public String effectiveServerName() {
        return serverName != null ? serverName : host;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.tls(this);
    }
}
