package io.vantage.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Reports;
import io.vantage.testing.Target;
import io.vantage.wire.report.ReportBatch;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients without a token that try to hold the aggregator's connections, on loopback: early answers close the
 * connection, a connection must send its first request in time, and a flood of idle connections cannot keep an
 * agent out (the oldest unauthenticated connection makes room).
 */
class HostileClientsTest {
    static RunningAggregator aggregator;
    static int port;

    @BeforeAll
    static void start() {
        aggregator = RunningAggregator.start(AggregatorYaml.aggregator()
                .target(Target.tcp("api", "127.0.0.1", 9))
                .yaml());
        port = Integer.parseInt(aggregator.url("").replaceAll(".*:", ""));
    }

    @AfterAll
    static void stop() {
        aggregator.close();
    }

    /** Sends {@code head}, then reads until the server closes; returns what it answered. Fails if it stays open 15 s. */
    private static String untilClosed(String head) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII); // ends only when the server closes
        }
    }

    @Test
    void anEarlyAnswerClosesTheConnectionInsteadOfWaitingForTheBody() throws Exception {
        String unauthenticated =
                untilClosed("POST /v1/reports HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n{\"version\":");
        assertThat(unauthenticated).startsWith("HTTP/1.1 401");

        String wrongMethod = untilClosed("PUT /v1/reports HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nxx");
        assertThat(wrongMethod).startsWith("HTTP/1.1 405");

        String pageWithBody = untilClosed("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nxx");
        assertThat(pageWithBody).startsWith("HTTP/1.1 400").contains("only POST /v1/reports takes a request body");
    }

    @Test
    void aConnectionThatNeverCompletesItsFirstRequestIsClosed() throws Exception {
        String answer = untilClosed("GET / HTTP/1.1\r\nHost: a\r\nX-Trickle: ");
        assertThat(answer).isEmpty();
        assertThat(aggregator.registry().scrape())
                .containsPattern("vantage_api_connections_closed_total\\{reason=\"no_request\"\\} [1-9]");
    }

    @Test
    void aFloodOfIdleConnectionsCannotKeepAnAgentOut() throws Exception {
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < ServerLimits.MAX_UNAUTHENTICATED_CONNECTIONS + 200; i++) {
                flood.add(new Socket("127.0.0.1", port));
            }
            long now = System.currentTimeMillis();
            ReportBatch batch = Reports.from("agent-a", "us-east-1")
                    .sentAt(now)
                    .success("api", now)
                    .build();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> aggregator
                                    .post(RunningAggregator.TOKENS.get("TOKEN_A"), batch)
                                    .statusCode()
                            == 202);
            assertThat(aggregator.registry().scrape())
                    .containsPattern("vantage_api_connections_closed_total\\{reason=\"evicted\"\\} [1-9][0-9]{2,}");
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
    }
}
