package io.vantage.agent.probe;

import io.netty.channel.ConnectTimeoutException;
import io.vantage.wire.report.FailureReason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Maps what the network threw to a {@link FailureReason}, using the phase it happened in. */
final class Failures {
    private Failures() {}

    static FailureReason classify(Throwable error, Phase phase) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateExpiredException || cause instanceof CertificateNotYetValidException) {
                return FailureReason.TLS_EXPIRED;
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            String message =
                    cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
            if (cause instanceof UnknownHostException || cause instanceof io.vertx.core.dns.DnsException) {
                return FailureReason.DNS;
            }
            if (cause instanceof ConnectTimeoutException) {
                return FailureReason.CONNECT_TIMEOUT;
            }
            if (cause instanceof NoRouteToHostException) {
                return FailureReason.NETWORK;
            }
            if (cause instanceof ConnectException) {
                return message.contains("refused") ? FailureReason.REFUSED : FailureReason.NETWORK;
            }
            if (cause instanceof SSLException) {
                return FailureReason.TLS_HANDSHAKE;
            }
            if (message.contains("connection reset") || cause instanceof ClosedChannelException) {
                return FailureReason.RESET;
            }
        }
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
