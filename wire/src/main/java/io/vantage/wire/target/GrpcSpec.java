package io.vantage.wire.target;

import io.vantage.wire.Checks;

/**
 * A gRPC health check: {@code grpc.health.v1.Health/Check} for {@code service} (empty, the default: the server as a
 * whole) on host:port, healthy when the call ends with status OK and the answer is {@code SERVING}. Plaintext HTTP/2
 * (h2c) unless {@code tls}; with {@code tls} the certificate is verified as an HTTPS probe's is: against the JVM's
 * trust store, or {@code caFile} instead, and against {@code serverName} (default the host), also sent as SNI and as
 * the request's authority. {@code insecureSkipVerify} skips verification, for lab use only.
 */
public record GrpcSpec(
        String host,
        int port,
        String service,
        Boolean tls,
        String serverName,
        String caFile,
        Boolean insecureSkipVerify)
        implements ProbeSpec {
    /** The longest service name asked for; names are fully qualified protobuf service names, far shorter. */
    public static final int MAX_SERVICE_LENGTH = 512;

    public GrpcSpec {
        Checks.noControlCharacters("host", Checks.required("host", host));
        if (host.isBlank()) {
            throw Checks.invalid("host", "must not be empty");
        }
        Checks.range("port", port, 1, 65535);
        service = service == null ? "" : service;
        Checks.noControlCharacters("service", service);
        if (service.length() > MAX_SERVICE_LENGTH) {
            throw Checks.invalid(
                    "service", "is " + service.length() + " characters long, at most " + MAX_SERVICE_LENGTH);
        }
        tls = tls != null && tls;
        insecureSkipVerify = insecureSkipVerify != null && insecureSkipVerify;
        Checks.noControlCharacters("serverName", serverName);
        if (serverName != null && (serverName.isBlank() || serverName.contains("/") || serverName.contains(" "))) {
            throw Checks.invalid("serverName", "'" + serverName + "' is not a host name");
        }
        if (!tls) {
            String onlyWithTls = serverName != null
                    ? "serverName"
                    : caFile != null ? "caFile" : insecureSkipVerify ? "insecureSkipVerify" : null;
            if (onlyWithTls != null) {
                throw Checks.invalid(onlyWithTls, "applies only with tls: true");
            }
        }
        if (insecureSkipVerify && caFile != null) {
            throw Checks.invalid("insecureSkipVerify", "cannot be combined with caFile");
        }
    }

    /** The name the certificate must carry, sent as SNI and as the request's {@code :authority}. */
    public String effectiveServerName() {
        return serverName != null ? serverName : host;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.grpc(this);
    }
}
