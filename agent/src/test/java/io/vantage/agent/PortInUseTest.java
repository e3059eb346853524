package io.vantage.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vantage.agent.config.ConfigLoader;
import io.vantage.agent.config.LoadedConfig;
import io.vantage.runtime.Listening;
import io.vantage.runtime.Startup;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An agent whose port is taken says so with the port and server.port, and probes nothing. */
class PortInUseTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void aTakenPortIsNamedWithItsConfigKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            LoadedConfig config = new ConfigLoader(Map.of())
                    .parse(
                            "agent: {id: a1, region: eu}\nserver: {host: 127.0.0.1, port: " + port + "}\n"
                                    + "targets:\n  - {name: self, tcp: {host: 127.0.0.1, port: " + port + "}}\n",
                            null);
            Agent agent = new Agent(config, null, null, Startup.newRegistry(), Clock.systemUTC());
            assertThatThrownBy(() -> vertx.deployVerticle(agent).await())
                    .isInstanceOf(Listening.Failed.class)
                    .hasMessage("port " + port + " on 127.0.0.1 is in use by another process; choose another with "
                            + "server.port in the agent's config");
            assertThat(agent.probeLoops().size()).as("targets scheduled").isZero();
        }
    }
}
