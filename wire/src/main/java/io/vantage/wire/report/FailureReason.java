package io.vantage.wire.report;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why a probe failed. A fixed set, so it can be a bounded metric label; details go in the result's message. */
public enum FailureReason {
    /** The name did not resolve (NXDOMAIN, no address, resolver timeout). */
    DNS,
    /** The port actively refused the connection. */
    REFUSED,
    /** No TCP connection within the timeout. */
    CONNECT_TIMEOUT,
    /** TLS handshake failed: untrusted or mismatched certificate, protocol error. */
    TLS_HANDSHAKE,
    /** The certificate has expired (or is not yet valid). */
    TLS_EXPIRED,
    /** The certificate expires sooner than the configured minimum. */
    TLS_EXPIRING,
    /** A status code outside the expected ranges. */
    HTTP_STATUS,
    /** The body did not satisfy the assertion. */
    BODY_MISMATCH,
    /** Answered correctly, but slower than maxLatency. */
    TOO_SLOW,
    /** Connected, but the answer did not complete within the timeout. */
    TIMEOUT,
    /** The peer reset or closed the connection before the answer was complete. */
    RESET,
    /** The peer sent something that is not valid HTTP (or, to a gRPC probe, not gRPC over HTTP/2). */
    PROTOCOL,
    /** Any other network error (no route, unreachable). */
    NETWORK,
    /**
     * A gRPC health check answered, but not SERVING (NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN): the endpoint itself says
     * it is not fit to serve, as an HTTP health endpoint's 503 does.
     */
    NOT_SERVING,
    /**
     * A gRPC call ended with a status other than OK: NOT_FOUND (the health service does not know the service name),
     * UNIMPLEMENTED (the server has no health service), UNAVAILABLE from a proxy, ...; the gRPC analogue of {@link
     * #HTTP_STATUS}. The message names the status. DEADLINE_EXCEEDED is {@link #TIMEOUT}.
     */
    GRPC_STATUS,
    /**
     * A timeout or too_slow measured while the agent itself ran late (its event loop lagged): the agent cannot
     * tell the endpoint's slowness from its own, so this is no vote. Never a reason to fail an endpoint over.
     */
    AGENT_OVERLOADED;

    /** Whether a failure for this reason is a vote against the endpoint; {@link #AGENT_OVERLOADED} is not. */
    public boolean isVote() {
        return this != AGENT_OVERLOADED;
    }

    /** Failures the agent's own lateness could have caused: a timeout in any phase, or an answer over maxLatency. */
    public boolean dependsOnAgentTiming() {
        return this == TIMEOUT || this == CONNECT_TIMEOUT || this == TOO_SLOW;
    }

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static FailureReason fromLabel(String label) {
        for (FailureReason reason : values()) {
            if (reason.label().equals(label)) {
                return reason;
            }
        }
        throw new IllegalArgumentException("'" + label + "' is not a failure reason");
    }
}
