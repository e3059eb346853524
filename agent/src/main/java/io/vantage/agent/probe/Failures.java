package io.vantage.agent.probe;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.unix.Errors;
import io.vantage.wire.report.FailureReason;
import io.vertx.core.dns.DnsException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLException;

/**
 * Maps what a probe threw to a {@link FailureReason}, from the exception's type (and, on the native transport, the
 * errno it carries) and the phase the attempt was in; never from message text, which differs between transports, JDKs
 * and locales. A {@link ConnectException} is the kernel refusing the connection (a reset to the SYN, or a firewall
 * rejecting it): both transports raise it for ECONNREFUSED, unreachable networks and hosts raise {@link
 * NoRouteToHostException}, and the probe's own connect timeout ends the wait first.
 */
final class Failures {
    private Failures() {}

    /** The server closed the connection before the response was complete (a FIN, not a reset): {@code reset}. */
    static final class ServerClosed extends IOException {
        ServerClosed(String message) {
            super(message);
        }
    }

    static FailureReason classify(Throwable error, Phase phase) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateExpiredException || cause instanceof CertificateNotYetValidException) {
                return FailureReason.TLS_EXPIRED;
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownHostException || cause instanceof DnsException) {
                return FailureReason.DNS;
            }
            if (cause instanceof ConnectTimeoutException) {
                return FailureReason.CONNECT_TIMEOUT;
            }
            if (cause instanceof NoRouteToHostException) {
                return FailureReason.NETWORK;
            }
            if (cause instanceof ConnectException) {
                return FailureReason.REFUSED;
            }
            if (cause instanceof SSLException) {
                return FailureReason.TLS_HANDSHAKE;
            }
            if (cause instanceof ServerClosed
                    || cause instanceof ClosedChannelException
                    // Errors' constants come from the native library: read only once a native error proves it loaded.
                    || cause instanceof Errors.NativeIoException nativeError
                            && nativeError.expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE) {
                return FailureReason.RESET;
            }
        }
        // What the JDK's transport raises on a reset is a plain IOException or SocketException: the phase says which
        // it was. A failure while waiting or reading is the connection breaking under the response.
        return switch (phase) {
            case DNS -> FailureReason.DNS;
            case TLS -> FailureReason.TLS_HANDSHAKE;
            case WAIT, BODY -> error instanceof IOException ? FailureReason.RESET : FailureReason.NETWORK;
            case CONNECT, DONE -> FailureReason.NETWORK;
        };
    }

    /** The first message along the cause chain; wrappers without one are skipped. */
    static String describe(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
        }
        return error.getClass().getSimpleName();
    }
}
