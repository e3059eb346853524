package io.vantage.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ListeningTest {
    private final Vertx vertx = Startup.newVertx(Startup.newRegistry());

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void aPortInUseIsNamedWithTheSettingThatChoseIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            var listen = vertx.createHttpServer()
                    .requestHandler(r -> r.response().end())
                    .listen(port, "127.0.0.1");
            assertThatThrownBy(() -> Listening.explained(listen, "127.0.0.1", port, "server.port in agent.yaml")
                            .await())
                    .isInstanceOf(Listening.Failed.class)
                    .hasMessage("port " + port + " on 127.0.0.1 is in use by another process; choose another with "
                            + "server.port in agent.yaml")
                    .satisfies(failed ->
                            assertThat(((Listening.Failed) failed).inUse()).isTrue());
        }
    }

    @Test
    void anotherFailureKeepsItsReasonBesideTheAddress() {
        var listen =
                vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "192.0.2.1");
        assertThatThrownBy(() -> Listening.explained(listen, "192.0.2.1", 0, "server.host")
                        .await())
                .isInstanceOf(Listening.Failed.class)
                .hasMessageStartingWith("could not listen on 192.0.2.1:0 (server.host): ")
                .satisfies(failed ->
                        assertThat(((Listening.Failed) failed).inUse()).isFalse());
    }
}
