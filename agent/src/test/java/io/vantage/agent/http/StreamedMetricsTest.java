package io.vantage.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vantage.runtime.Answers;
import io.vantage.runtime.ReadAccess;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} written in parts ({@link Answers#metrics}) by the agent's real server: whole and in order, built no
 * faster than the client reads, and never passed off as whole when a part fails.
 */
class StreamedMetricsTest {
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = HttpClient.newHttpClient();
    private AgentServer server;

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    private String url() {
        return "http://127.0.0.1:" + server.port() + "/metrics";
    }

    private void serve(Supplier<Answers.Parts> exposition) {
        server = new AgentServer(
                vertx,
                new SimpleMeterRegistry(),
                exposition,
                () -> ReadAccess.OPEN,
                () -> true,
                () -> "ready",
                request -> request.response().setStatusCode(404).end(),
                () -> 0);
        server.listen("127.0.0.1", 0).await();
    }

    /** {@code count} parts, each {@code lines} numbered lines of about 58 characters; counts the parts built. */
    private static Answers.Parts numbered(int count, int lines, AtomicInteger built) {
        AtomicInteger part = new AtomicInteger();
        return out -> {
            int index = part.getAndIncrement();
            for (int line = 0; line < lines; line++) {
                out.append("part_")
                        .append(index)
                        .append("_line_")
                        .append(line)
                        .append(" ")
                        .append("x".repeat(40));
                out.append('\n');
            }
            built.incrementAndGet();
            return index + 1 < count;
        };
    }

    @Test
    void manyPartsArriveWholeAndInOrderAsOneChunkedAnswer() throws Exception {
        AtomicInteger built = new AtomicInteger();
        serve(() -> numbered(50, 1_000, built));

        HttpResponse<String> response =
                client.send(HttpRequest.newBuilder(URI.create(url())).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.headers().firstValue("content-length"))
                .as("streamed, so of no length known beforehand")
                .isEmpty();
        String[] lines = response.body().split("\n");
        assertThat(lines).hasSize(50_000);
        assertThat(lines[0]).startsWith("part_0_line_0 ");
        assertThat(lines[49_999]).startsWith("part_49_line_999 ");
        for (int i = 1; i < lines.length; i++) {
            int part = i / 1_000;
            assertThat(lines[i]).startsWith("part_" + part + "_line_" + (i % 1_000) + " ");
        }
        assertThat(built).hasValue(50);
    }

    @Test
    void aSmallExpositionIsOnePartWithItsLength() throws Exception {
        serve(() -> out -> {
            out.append("up 1.0\n");
            return false;
        });

        HttpResponse<String> response =
                client.send(HttpRequest.newBuilder(URI.create(url())).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).isEqualTo("up 1.0\n");
        assertThat(response.headers().firstValue("content-length")).hasValue("7");
    }

    @Test
    void partsAreBuiltNoFasterThanTheClientReads() throws Exception {
        AtomicInteger built = new AtomicInteger();
        int parts = 2_000; // 2,000 parts of ~58 KB: 116 MB, far more than the sockets' buffers hold
        serve(() -> numbered(parts, 1_000, built));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream request = socket.getOutputStream();
            request.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            request.flush();
            AtomicInteger seen = new AtomicInteger(-1);
            // The client reads nothing: building stops once the connection's buffers are full.
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> seen.getAndSet(built.get()) == built.get() && built.get() > 0);
            assertThat(built.get())
                    .as("parts built while the client read nothing")
                    .isLessThan(parts / 4);

            long total = socket.getInputStream().transferTo(OutputStream.nullOutputStream()); // to the close
            assertThat(built).hasValue(parts);
            assertThat(total).as("bytes read").isGreaterThan(parts * 58_000L);
        }
    }

    @Test
    void anHttp10ClientGetsEveryPartUntilTheConnectionCloses() throws Exception {
        AtomicInteger built = new AtomicInteger();
        serve(() -> numbered(10, 1_000, built));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write("GET /metrics HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            assertThat(answer).startsWith("HTTP/1.0 200").doesNotContain("chunked");
            assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4).split("\n"))
                    .hasSize(10_000)
                    .endsWith("part_9_line_999 " + "x".repeat(40));
        }
    }

    @Test
    void aPartThatFailsAfterTheFirstResetsTheConnection() {
        serve(() -> {
            AtomicInteger part = new AtomicInteger();
            return out -> {
                if (part.getAndIncrement() == 3) {
                    throw new IllegalStateException("the fourth part failed");
                }
                out.append("x".repeat(Answers.PART_CHARS)).append('\n');
                return true;
            };
        });

        assertThatThrownBy(() -> client.send(
                        HttpRequest.newBuilder(URI.create(url())).build(), HttpResponse.BodyHandlers.ofString()))
                .as("a scraper must not take three parts for the whole exposition")
                .isInstanceOf(IOException.class);
    }

    @Test
    void aFirstPartThatFailsIsA500NamingTheFailure() throws Exception {
        serve(() -> out -> {
            throw new IllegalStateException("no registry");
        });

        HttpResponse<String> response =
                client.send(HttpRequest.newBuilder(URI.create(url())).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("scrape failed: no registry\n");
    }
}
