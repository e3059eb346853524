package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Remembered chains, through real handshakes against a real TLS server on both engines and the JDK's validator. */
class VerifiedChainsTest {
    static Vertx vertx;

    @TempDir
    static Path dir;

    static TestPki pki;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        pki = new TestPki(dir);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void anAcceptedChainIsValidatedOnceForItsNameAndAgainWhenItsTimeIsUp(TlsEngine engine) throws Exception {
        AtomicLong now = new AtomicLong(System.currentTimeMillis());
        VerifiedChains chains = VerifiedChains.trusting(pki.caFile().toString(), now::get);
        NetClient client = vertx.createNetClient(Dialer.clientOptions());
        try (TestHttpServer https = TestHttpServer.tls(vertx, pki.issue("cached", 90, "localhost"))) {
            for (int i = 0; i < 5; i++) {
                assertThat(handshake(client, engine, https.port(), chains, "localhost"))
                        .isTrue();
            }
            assertThat(chains.validations())
                    .as("five handshakes, one validation")
                    .isEqualTo(1);

            assertThat(handshake(client, engine, https.port(), chains, "elsewhere.example"))
                    .as("the same chain for another name is validated, and refused")
                    .isFalse();
            assertThat(chains.validations()).isEqualTo(2);

            now.addAndGet(VerifiedChains.REVALIDATE_MILLIS);
            assertThat(handshake(client, engine, https.port(), chains, "localhost"))
                    .isTrue();
            assertThat(chains.validations())
                    .as("validated again once its time is up")
                    .isEqualTo(3);
        } finally {
            client.close().await();
        }
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void aRefusedChainIsValidatedEveryTime(TlsEngine engine) throws Exception {
        VerifiedChains chains = VerifiedChains.trusting(pki.caFile().toString());
        NetClient client = vertx.createNetClient(Dialer.clientOptions());
        Instant now = Instant.now();
        TestPki.Leaf expired =
                pki.issue("expired-cached", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), "localhost");
        try (TestHttpServer https = TestHttpServer.tls(vertx, expired)) {
            for (int i = 0; i < 3; i++) {
                assertThat(handshake(client, engine, https.port(), chains, "localhost"))
                        .isFalse();
            }
            assertThat(chains.validations()).isEqualTo(3);
        } finally {
            client.close().await();
        }
    }

    /** A real connection upgraded to TLS with {@code name} as SNI and as the peer's host; whether it was accepted. */
    private static boolean handshake(NetClient client, TlsEngine engine, int port, VerifiedChains chains, String name)
            throws Exception {
        SslContext context = FullHandshakes.client(engine, chains);
        // As the dialer connects: the address carries the name, so the peer's host is the name checked.
        SocketAddress address = SocketAddress.inetSocketAddress(
                new InetSocketAddress(InetAddress.getByAddress(name, new byte[] {127, 0, 0, 1}), port));
        Promise<Boolean> accepted = Promise.promise();
        vertx.getOrCreateContext()
                .runOnContext(v -> client.connect(new ConnectOptions().setRemoteAddress(address))
                        .compose(socket -> Dialer.upgrade(socket, context, name)
                                .map(true)
                                .otherwise(false)
                                .eventually(() -> socket.close()))
                        .onComplete(accepted));
        return accepted.future().await();
    }
}
