package io.vantage.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bound on answers in flight, over real HTTP: a slot per answer until it is handed over, 503 beyond, a deadline for each. */
class AnswerSlotsTest {
    private final Vertx vertx = Vertx.vertx();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    private final List<AnswerSlots.Slot> heldSlots = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpServer server;
    private AnswerSlots slots;

    @BeforeEach
    void serve() {
        slots = new AnswerSlots(2, 1_500, refusals::add);
        server = vertx.createHttpServer()
                .requestHandler(request -> {
                    AnswerSlots.Slot slot = slots.take(vertx, request);
                    if (slot == null) {
                        return;
                    }
                    if (request.path().equals("/hold")) {
                        held.add(request); // answered later, or never
                        heldSlots.add(slot);
                    } else {
                        request.response().end("done\n");
                        slot.release();
                    }
                })
                .listen(0, "127.0.0.1")
                .await();
    }

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void answersBeyondTheBoundAreBusyAndSlotsComeBackWhenAnswersEnd() throws Exception {
        List<Socket> holders = new ArrayList<>();
        try {
            holders.add(ask("/hold"));
            holders.add(ask("/hold"));
            await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 2);

            HttpResponse<String> busy = get("/now");
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).contains("5");
            assertThat(refusals).containsExactly(AnswerSlots.BUSY);

            held.get(0).response().end("late\n");
            heldSlots.get(0).release();
            await().atMost(Duration.ofSeconds(5)).until(() -> slots.taken() == 1);
            assertThat(get("/now").statusCode()).isEqualTo(200);
        } finally {
            for (Socket socket : holders) {
                socket.close();
            }
        }
    }

    @Test
    void anAnswerNotEndedByItsDeadlineLosesItsConnectionAndItsSlot() throws Exception {
        try (Socket holder = ask("/hold")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);
            assertThat(slots.taken()).isEqualTo(1);
            InputStream in = holder.getInputStream();
            holder.setSoTimeout(10_000);
            assertThat(in.read())
                    .as("the server closed the connection at the deadline")
                    .isEqualTo(-1);
            assertThat(slots.taken()).isZero();
            assertThat(refusals).containsExactly(AnswerSlots.DEADLINE);
        }
    }

    @Test
    void aClientThatGoesAwayGivesItsSlotBack() throws Exception {
        Socket holder = ask("/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);
        holder.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> slots.taken() == 0);
        assertThat(refusals).isEmpty();
    }

    private Socket ask(String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.actualPort());
        socket.getOutputStream()
                .write(("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
