package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.quic.Quic;
import org.junit.jupiter.api.Test;

/**
 * The QUIC native library (quiche with BoringSSL, linux-x86_64) loads on this machine: HTTP/3 probes need it, and a
 * build where it does not load must fail here, loudly, rather than skip the HTTP/3 tests.
 */
class QuicNativeTest {

    @Test
    void quicNativeLibraryLoads() {
        Quic.ensureAvailability();
        assertThat(Quic.isAvailable()).isTrue();
    }
}
