package io.vantage.agent.testing;

import io.vantage.wire.Documents;
import io.vantage.wire.Headers;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in aggregator on a fixed loopback port that can be stopped and started again: it checks the
 * bearer token, accepts gzip, and records every batch it receives. (The real aggregator has its own tests.)
 */
public final class TestAggregator implements AutoCloseable {
    private final Vertx vertx;
    private final int port;
    private final String token;
    private final List<ReportBatch> batches = new CopyOnWriteArrayList<>();
    private final Map<String, ProbeResult> newest = new ConcurrentHashMap<>();
    private volatile int unauthorized;
    private HttpServer server;
    private List<String> replicas = List.of();
    private volatile String answer = "";
    private final AtomicInteger answers = new AtomicInteger();

    public TestAggregator(Vertx vertx, int port, String token) {
        this.vertx = vertx;
        this.port = port;
        this.token = token;
    }

    /** Answers as these replicas in turn (a balancer in front of several), in the Vantage-Replica header. */
    public TestAggregator answeringAs(String... replicas) {
        this.replicas = List.of(replicas);
        return this;
    }

    /** The body of every 202 from now on (the real aggregator says what became of each result). */
    public TestAggregator answering(String body) {
        this.answer = body;
        return this;
    }

    public TestAggregator start() {
        server = vertx.createHttpServer(
                new HttpServerOptions().setHost("127.0.0.1").setPort(port).setDecompressionSupported(true));
        server.requestHandler(request -> {
            if (!replicas.isEmpty()) {
                request.response()
                        .putHeader(Headers.REPLICA, replicas.get(answers.getAndIncrement() % replicas.size()));
            }
            if (!("Bearer " + token).equals(request.getHeader("Authorization"))) {
                unauthorized++;
                request.response().setStatusCode(401).end("bad token");
                return;
            }
            request.body().onSuccess(body -> {
                ReportBatch batch = Documents.readJson(body.getBytes(), ReportBatch.class);
                batches.add(batch);
                batch.results()
                        .forEach(result -> newest.merge(
                                result.target(),
                                result,
                                (old, next) -> next.timestamp() > old.timestamp() ? next : old));
                request.response().setStatusCode(202).end(answer);
            });
        });
        server.listen().await();
        return this;
    }

    public void stop() {
        server.close().await();
    }

    public List<ReportBatch> batches() {
        return batches;
    }

    public Map<String, ProbeResult> newest() {
        return newest;
    }

    public int unauthorized() {
        return unauthorized;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().await();
        }
    }
}
