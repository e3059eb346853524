package io.vantage.agent.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.agent.metrics.MetricNames;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.testing.AgentYaml;
import io.vantage.wire.Limits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aggregators that misbehave on purpose, on loopback: the agent stays bounded and keeps working. */
class HostileAggregatorTest {
    private static final String TOKEN = "token-for-the-hostile-tests-0123";

    @TempDir
    Path directory;

    private Path agentConfig(int... ports) throws Exception {
        Files.writeString(directory.resolve("token"), TOKEN);
        AgentYaml config = AgentYaml.agent("a", "r").agentSetting("targetsRefresh", "1s");
        for (int port : ports) {
            config.aggregator("http://127.0.0.1:" + port, "token");
        }
        return config.server("127.0.0.1", 0).write(directory.resolve("agent.yaml"));
    }

    /** An endless chunked target list: the agent stops reading at the size limit and closes the connection. */
    @Test
    void anEndlessTargetListIsCutOffAtTheLimit() throws Exception {
        Vertx vertx = Vertx.vertx();
        AtomicLong sent = new AtomicLong();
        AtomicBoolean closedByAgent = new AtomicBoolean();
        Buffer chunk = Buffer.buffer(new byte[64 * 1024]).setString(0, "{\"targets\":[");
        try {
            HttpServer endless = vertx.createHttpServer()
                    .requestHandler(request -> {
                        HttpServerResponse response = request.response().setChunked(true);
                        response.closeHandler(v -> closedByAgent.set(true));
                        long[] timer = {0};
                        // Bounded: at most 256 MiB, far past the agent's 16 MiB limit.
                        timer[0] = vertx.setPeriodic(1, tick -> {
                            if (response.closed() || sent.get() > 16L * Limits.MAX_TARGETS_BODY_BYTES) {
                                vertx.cancelTimer(timer[0]);
                                return;
                            }
                            for (int i = 0; i < 8 && !response.writeQueueFull(); i++) {
                                response.write(chunk);
                                sent.addAndGet(chunk.length());
                            }
                        });
                    })
                    .listen(0, "127.0.0.1")
                    .await();
            try (RunningAgent agent = RunningAgent.start(agentConfig(endless.actualPort()))) {
                String label = "127.0.0.1:" + endless.actualPort();
                await().atMost(Duration.ofSeconds(20))
                        .until(() ->
                                agent.value(MetricNames.TARGETS_FETCH, "aggregator", label, "outcome", "failure") >= 1);
                await().atMost(Duration.ofSeconds(5)).untilTrue(closedByAgent);
                // What the server got to write includes its own queue and both loopback socket buffers, which the
                // kernel may grow to net.ipv4.tcp_rmem's maximum (32 MiB here) + tcp_wmem's (4 MiB): the bound is the
                // limit plus those, far below the 256 MiB the server would send to an agent that never hangs up.
                assertThat(sent.get())
                        .as("bytes the server got to send before the agent hung up")
                        .isLessThan(4L * Limits.MAX_TARGETS_BODY_BYTES);
                assertThat(agent.agent().probeLoops().size()).isZero();
            }
        } finally {
            vertx.close().await();
        }
    }

    /** A target list trickling one byte a second: the agent gives up after its 30 s answer deadline and hangs up. */
    @Test
    void aTricklingTargetListHitsTheDeadline() throws Exception {
        Vertx vertx = Vertx.vertx();
        AtomicBoolean closedByAgent = new AtomicBoolean();
        try {
            HttpServer trickling = vertx.createHttpServer()
                    .requestHandler(request -> {
                        HttpServerResponse response = request.response().setChunked(true);
                        response.closeHandler(v -> closedByAgent.set(true));
                        long[] timer = {0};
                        long[] sent = {0};
                        timer[0] = vertx.setPeriodic(1_000, tick -> {
                            if (response.closed() || ++sent[0] > 60) { // bounded: a minute at most
                                vertx.cancelTimer(timer[0]);
                                return;
                            }
                            response.write(sent[0] == 1 ? "{" : " ");
                        });
                    })
                    .listen(0, "127.0.0.1")
                    .await();
            try (RunningAgent agent = RunningAgent.start(agentConfig(trickling.actualPort()))) {
                // Data keeps arriving, so no idle timeout fires: only the total deadline can end this answer.
                await().atMost(Duration.ofSeconds(45)).untilTrue(closedByAgent);
                assertThat(agent.value(
                                MetricNames.TARGETS_FETCH,
                                "aggregator",
                                "127.0.0.1:" + trickling.actualPort(),
                                "outcome",
                                "failure"))
                        .isGreaterThanOrEqualTo(1);
            }
        } finally {
            vertx.close().await();
        }
    }

    /** {@code 200 null} from one aggregator is a failed fetch: the other's list is probed. */
    @Test
    void aNullTargetListIsAFailureAndTheOtherAggregatorsListIsProbed() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer nothing = vertx.createHttpServer()
                    .requestHandler(request -> request.response()
                            .setStatusCode(request.path().equals("/v1/targets") ? 200 : 202)
                            .end(request.path().equals("/v1/targets") ? "null" : "{}"))
                    .listen(0, "127.0.0.1")
                    .await();
            HttpServer good = vertx.createHttpServer()
                    .requestHandler(request -> request.response()
                            .setStatusCode(request.path().equals("/v1/targets") ? 200 : 202)
                            .end(
                                    request.path().equals("/v1/targets")
                                            ? "{\"targets\":[{\"name\":\"t\",\"tcp\":{\"host\":\"127.0.0.1\",\"port\":9}}]}"
                                            : "{}"))
                    .listen(0, "127.0.0.1")
                    .await();
            try (RunningAgent agent = RunningAgent.start(agentConfig(nothing.actualPort(), good.actualPort()))) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> agent.agent().probeLoops().size() == 1);
                assertThat(agent.value(
                                MetricNames.TARGETS_FETCH,
                                "aggregator",
                                "127.0.0.1:" + nothing.actualPort(),
                                "outcome",
                                "failure"))
                        .isGreaterThanOrEqualTo(1);
            }
        } finally {
            vertx.close().await();
        }
    }
}
