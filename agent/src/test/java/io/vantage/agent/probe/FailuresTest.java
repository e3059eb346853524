package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.vantage.wire.report.FailureReason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * The classifier reads types and phases, not words: each exception here carries a message that says something else (as
 * another transport, JDK or locale would), and the reason must not change with it. Real servers produce these failures
 * in ProbeTest; here the classifier is held to its rule alone.
 */
class FailuresTest {
    private static final String MISLEADING = "Verbindung abgelehnt / connection reset / timed out";

    @Test
    void reasonsComeFromTypesWhateverTheMessageSays() {
        assertThat(Failures.classify(new ConnectException(MISLEADING), Phase.CONNECT))
                .isEqualTo(FailureReason.REFUSED);
        assertThat(Failures.classify(new ConnectException(null), Phase.CONNECT))
                .as("no message at all")
                .isEqualTo(FailureReason.REFUSED);
        assertThat(Failures.classify(new NoRouteToHostException(MISLEADING), Phase.CONNECT))
                .isEqualTo(FailureReason.NETWORK);
        assertThat(Failures.classify(new ConnectTimeoutException(MISLEADING), Phase.CONNECT))
                .isEqualTo(FailureReason.CONNECT_TIMEOUT);
        assertThat(Failures.classify(new UnknownHostException(MISLEADING), Phase.DNS))
                .isEqualTo(FailureReason.DNS);
        assertThat(Failures.classify(new SSLHandshakeException(MISLEADING), Phase.TLS))
                .isEqualTo(FailureReason.TLS_HANDSHAKE);
        SSLHandshakeException expired = new SSLHandshakeException("PKIX path validation failed");
        expired.initCause(new CertificateExpiredException(MISLEADING));
        assertThat(Failures.classify(expired, Phase.TLS)).isEqualTo(FailureReason.TLS_EXPIRED);
        assertThat(Failures.classify(new Failures.ServerClosed("closed"), Phase.CONNECT))
                .as("the server's FIN before the response, whatever the phase")
                .isEqualTo(FailureReason.RESET);
    }

    @Test
    void aBareSocketErrorIsJudgedByThePhase() {
        // What the JDK's own transport raises for a reset: no type of its own.
        assertThat(Failures.classify(new SocketException(MISLEADING), Phase.WAIT))
                .isEqualTo(FailureReason.RESET);
        assertThat(Failures.classify(new IOException(MISLEADING), Phase.BODY)).isEqualTo(FailureReason.RESET);
        assertThat(Failures.classify(new SocketException(MISLEADING), Phase.CONNECT))
                .isEqualTo(FailureReason.NETWORK);
        assertThat(Failures.classify(new SocketException(MISLEADING), Phase.TLS))
                .isEqualTo(FailureReason.TLS_HANDSHAKE);
        assertThat(Failures.classify(new IllegalStateException(MISLEADING), Phase.WAIT))
                .isEqualTo(FailureReason.NETWORK);
    }
}
