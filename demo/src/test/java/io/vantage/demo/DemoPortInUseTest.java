package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vantage.runtime.Startup;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo on a port another process holds says which port, and how to choose another. */
class DemoPortInUseTest {
    @TempDir
    Path directory;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void aTakenPortNamesPortAndVariable() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> new Demo(directory)
                            .start(vertx, Startup.newRegistry(), port)
                            .await())
                    .hasMessage("port " + port + " on 127.0.0.1 is in use by another process; choose another with "
                            + "--port (VANTAGE_DEMO_PORT for demo.sh)");
        }
    }
}
