package io.vantage.wire.target;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vantage.wire.Checks;
import java.util.List;

/**
 * Succeeds when a TCP connection to host:port is accepted within the timeout and, with {@code queryResponse}, the
 * dialogue's steps all succeed (see {@link QueryStep}). A step's {@code startTls} verifies the server as {@code
 * serverName} (default the host) with {@code tls} ({@code caFile}, {@code insecureSkipVerify}).
 */
public record TcpSpec(
        String host,
        int port,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<QueryStep> queryResponse,
        String serverName,
        TlsClientSpec tls)
        implements ProbeSpec {
    public static final int MAX_STEPS = 100;

    public TcpSpec {
        Checks.noControlCharacters("host", Checks.required("host", host));
        if (host.isBlank()) {
            throw Checks.invalid("host", "must not be empty");
        }
        Checks.range("port", port, 1, 65535);
        queryResponse = queryResponse == null ? List.of() : List.copyOf(queryResponse);
        Checks.range("queryResponse", queryResponse.size(), 0, MAX_STEPS);
        Checks.noControlCharacters("serverName", serverName);
        tls = tls == null ? new TlsClientSpec(null, false) : tls;
    }

    /** A bare connect check of host:port. */
    public static TcpSpec connect(String host, int port) {
        return new TcpSpec(host, port, null, null, null);
    }

    public String effectiveServerName() {
        return serverName != null ? serverName : host;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.tcp(this);
    }
}
