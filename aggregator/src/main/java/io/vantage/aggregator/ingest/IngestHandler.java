package io.vantage.aggregator.ingest;

import io.vantage.aggregator.config.LoadedAggregatorConfig.Credential;
import io.vantage.aggregator.metrics.AggregatorMetrics;
import io.vantage.aggregator.metrics.AggregatorMetrics.IngestOutcome;
import io.vantage.wire.Checks;
import io.vantage.wire.Documents;
import io.vantage.wire.Headers;
import io.vantage.wire.InvalidDocumentException;
import io.vantage.wire.Limits;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/reports}. Answers 202 with what became of the results, 400 naming the problem (a corrupt gzip body
 * included), 401 (no or unknown token), 403 (a token reporting as another agent), 405, 408 (body too slow), 409 (a
 * second process reporting as the same agent, {@link Instances}), 413, 415 (an encoding other than gzip), 429. The body is decompressed here, bounded, not by the HTTP server.
 * Bad input never reaches the store and never produces a 500.
 */
public final class IngestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IngestHandler.class);
    private static final long BODY_DEADLINE_MILLIS = ServerLimits.BODY_DEADLINE_MILLIS;

    private final Vertx vertx;
    private final Clock clock;
    private final Supplier<Ingest> settings;
    private final ResultStore store;
    private final Instances instances;
    private final AggregatorMetrics metrics;
    private final Consumer<HttpConnection> onAuthenticated;
    private static final long FORBIDDEN_LOG_EVERY_MILLIS = 10_000;
    // Per token owner: when a 403 was last logged and how many since; bounded by the configured agents. This loop only.
    private final Map<String, long[]> forbiddenLogged = new java.util.HashMap<>();
    /** Per agent: when a batch that delivered nothing, or a clock offset, was last logged (once a minute each). */
    private final Map<String, long[]> droppedLogged = new java.util.HashMap<>();

    private static final long DROPPED_LOG_EVERY_MILLIS = 60_000;

    /** What ingest needs from the config in force; replaced on reload. */
    /** {@code confirmByTarget}: the configured targets, each with its quorum's {@code confirm}. */
    public record Ingest(
            Credentials credentials,
            RateLimiter limiter,
            Map<String, Integer> confirmByTarget,
            long maxClockSkewMillis) {}

    /** {@code onAuthenticated}: told of each connection that presented a valid agent token. */
    public IngestHandler(
            Vertx vertx,
            Clock clock,
            Supplier<Ingest> settings,
            ResultStore store,
            Instances instances,
            AggregatorMetrics metrics,
            Consumer<HttpConnection> onAuthenticated) {
        this.vertx = vertx;
        this.clock = clock;
        this.settings = settings;
        this.store = store;
        this.instances = instances;
        this.metrics = metrics;
        this.onAuthenticated = onAuthenticated;
    }

    public void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            reply(request, 405, "use POST");
            return;
        }
        Ingest ingest = settings.get();
        Credential agent = ingest.credentials().authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (agent == null) {
            reply(request, 401, "missing or unknown bearer token");
            return;
        }
        onAuthenticated.accept(request.connection());
        if (!ingest.limiter().tryAcquire(agent.agentId())) {
            request.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
            reply(request, 429, "agent " + agent.agentId() + " is over its request rate; retry later");
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && parseLong(length) > Limits.MAX_REPORT_BODY_BYTES) {
            reply(request, 413, "body of " + length + " bytes exceeds the limit of " + Limits.MAX_REPORT_BODY_BYTES);
            return;
        }
        String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
        boolean gzip = encoding != null && encoding.equalsIgnoreCase("gzip");
        if (encoding != null && !gzip && !encoding.equalsIgnoreCase("identity")) {
            reply(request, 415, "Content-Encoding " + encoding + " is not supported; send gzip or no encoding");
            return;
        }
        Buffer body = Buffer.buffer();
        long deadline = vertx.setTimer(BODY_DEADLINE_MILLIS, fired -> {
            if (!request.response().ended()) {
                reply(request, 408, "the body did not arrive within " + BODY_DEADLINE_MILLIS + " ms");
                request.connection().close();
            }
        });
        request.handler(chunk -> {
            if (request.response().ended()) {
                return;
            }
            // The limit applies to the bytes received here and again after decompression (a small gzip bomb is refused
            // too).
            if (body.length() + chunk.length() > Limits.MAX_REPORT_BODY_BYTES) {
                vertx.cancelTimer(deadline);
                reply(request, 413, "body exceeds the limit of " + Limits.MAX_REPORT_BODY_BYTES + " bytes");
                request.connection().close();
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(error -> vertx.cancelTimer(deadline));
        request.endHandler(end -> {
            vertx.cancelTimer(deadline);
            if (request.response().ended()) {
                return;
            }
            if (!gzip) {
                accept(request, agent, ingest, body);
                return;
            }
            try {
                accept(request, agent, ingest, Buffer.buffer(gunzip(body.getBytes())));
            } catch (TooLarge e) {
                reply(
                        request,
                        413,
                        "body exceeds the limit of " + Limits.MAX_REPORT_BODY_BYTES + " bytes once decompressed");
            } catch (IOException e) {
                reply(request, 400, "the gzip body could not be decompressed: " + e.getMessage());
            }
        });
    }

    /** Decompresses at most {@link Limits#MAX_REPORT_BODY_BYTES}; more is {@link TooLarge}. */
    static byte[] gunzip(byte[] compressed) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            ByteArrayOutputStream out =
                    new ByteArrayOutputStream(Math.min(Limits.MAX_REPORT_BODY_BYTES, compressed.length * 8 + 64));
            byte[] chunk = new byte[64 * 1024];
            for (int read; (read = in.read(chunk)) > 0; ) {
                if (out.size() + read > Limits.MAX_REPORT_BODY_BYTES) {
                    throw new TooLarge();
                }
                out.write(chunk, 0, read);
            }
            return out.toByteArray();
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super("too large once decompressed");
        }
    }

    private void accept(HttpServerRequest request, Credential agent, Ingest ingest, Buffer body) {
        ReportBatch batch;
        try {
            batch = Documents.readJson(body.getBytes(), ReportBatch.class);
        } catch (InvalidDocumentException e) {
            reply(request, 400, e.getMessage());
            return;
        }
        if (!batch.agentId().equals(agent.agentId()) || !batch.region().equals(agent.region())) {
            long[] logged = forbiddenLogged.computeIfAbsent(agent.agentId(), id -> new long[] {0, 0});
            long now = clock.millis();
            if (now - logged[0] >= FORBIDDEN_LOG_EVERY_MILLIS) {
                // At most one line per token per interval: a misconfigured or hostile client cannot flood the log.
                LOG.warn(
                        "rejected a report claiming to be {}@{} made with the token of {}@{}{}",
                        batch.agentId(),
                        batch.region(),
                        agent.agentId(),
                        agent.region(),
                        logged[1] == 0 ? "" : " (and " + logged[1] + " more with this token since the last such line)");
                logged[0] = now;
                logged[1] = 0;
            } else {
                logged[1]++;
            }
            reply(
                    request,
                    403,
                    "this token belongs to agent " + agent.agentId() + " in " + agent.region() + ", not "
                            + batch.agentId() + " in " + batch.region());
            return;
        }
        long received = clock.millis();
        String instance = request.getHeader(Headers.INSTANCE);
        if (!instances.admit(agent.agentId(), instance, received)) {
            metrics.identityConflict(agent.agentId());
            long[] last = droppedLogged.computeIfAbsent("\0" + agent.agentId(), id -> new long[] {Long.MIN_VALUE});
            if (last[0] == Long.MIN_VALUE || received - last[0] >= DROPPED_LOG_EVERY_MILLIS) {
                last[0] = received;
                LOG.error(
                        "two processes report as agent {}@{} at once (this one, instance {}, is refused): give each "
                                + "its own agent id and token",
                        agent.agentId(),
                        agent.region(),
                        Checks.visible(instance.length() > 32 ? instance.substring(0, 32) : instance));
            }
            reply(
                    request,
                    409,
                    "another process reports as agent " + agent.agentId() + " at the same time; only its reports "
                            + "count: give each process its own agent id and token");
            return;
        }
        int accepted = 0;
        int duplicate = 0;
        int unknown = 0;
        int future = 0;
        int noVote = 0;
        for (ProbeResult result : batch.results()) {
            Integer confirm = ingest.confirmByTarget().get(result.target());
            if (confirm == null) {
                unknown++;
            } else if (result.timestamp() > batch.sentAt() + ingest.maxClockSkewMillis()) {
                // Stamped after the batch that carries it was sent, on the agent's own clock: no honest agent does
                // that. Judged against sentAt, not the aggregator's clock, an agent's clock offset cannot drop it.
                future++;
            } else if (!result.isVote()) {
                noVote++; // measured while the agent ran late: counted, never a vote, and the last real vote ages
            } else {
                long ageWhenSent = Math.max(0, batch.sentAt() - result.timestamp());
                if (store.offer(agent.agentId(), result, received - ageWhenSent, confirm)) {
                    accepted++;
                } else {
                    duplicate++;
                }
            }
        }
        metrics.results(IngestOutcome.ACCEPTED, accepted);
        metrics.results(IngestOutcome.DUPLICATE, duplicate);
        metrics.results(IngestOutcome.UNKNOWN_TARGET, unknown);
        metrics.results(IngestOutcome.FUTURE, future);
        metrics.results(IngestOutcome.NO_VOTE, noVote);
        if (accepted > 0) {
            // Only results that count make an agent heard: one whose every result is dropped looks silent, and the
            // silent-agent alert can fire.
            metrics.reported(agent.agentId(), received);
        }
        logDropped(agent, batch, received, accepted, duplicate, future, ingest.maxClockSkewMillis());
        metrics.request(202);
        request.response()
                .setStatusCode(202)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject()
                        .put("accepted", accepted)
                        .put("duplicate", duplicate)
                        .put("unknownTarget", unknown)
                        .put("future", future)
                        .put("noVote", noVote)
                        .encode());
        if (accepted > 0) {
            store.accepted();
        }
    }

    /**
     * Logs, at most once a minute per agent, a batch that delivered nothing because its results were all dropped as
     * future or duplicate, and an agent whose clock is further off the aggregator's than {@code maxClockSkew} (its
     * results are still timed by their age, so the verdict is unaffected; the clock needs fixing).
     */
    private void logDropped(
            Credential agent,
            ReportBatch batch,
            long received,
            int accepted,
            int duplicate,
            int future,
            long maxSkewMillis) {
        long offset = batch.sentAt() - received;
        boolean nothing = accepted == 0 && (duplicate > 0 || future > 0);
        if (!nothing && Math.abs(offset) <= maxSkewMillis) {
            return;
        }
        long[] last = droppedLogged.computeIfAbsent(agent.agentId(), id -> new long[] {Long.MIN_VALUE});
        if (received - last[0] < DROPPED_LOG_EVERY_MILLIS && last[0] != Long.MIN_VALUE) {
            return;
        }
        last[0] = received;
        if (nothing) {
            LOG.warn(
                    "agent {}@{}: a report delivered no result ({} dropped as stamped after their batch was sent, {} as "
                            + "not newer than the results already kept); its clock is {} s {} the aggregator's",
                    agent.agentId(),
                    agent.region(),
                    future,
                    duplicate,
                    Math.abs(offset) / 1000,
                    offset >= 0 ? "ahead of" : "behind");
        } else {
            LOG.warn(
                    "agent {}@{}: its clock is {} s {} the aggregator's (more than maxClockSkew); its results are "
                            + "timed by their age, so verdicts are unaffected, but fix its time source",
                    agent.agentId(),
                    agent.region(),
                    Math.abs(offset) / 1000,
                    offset >= 0 ? "ahead of" : "behind");
        }
    }

    private void reply(HttpServerRequest request, int status, String message) {
        metrics.request(status);
        if (request.response().ended()) {
            return;
        }
        boolean early = !request.isEnded();
        if (early) {
            request.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        request.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("error", message).encode())
                .onComplete(sent -> {
                    if (early) {
                        // Answered before the body was read: close, or the client could hold the connection by
                        // trickling it.
                        ServerLimits.closeAfterAnswer(vertx, request);
                    }
                });
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
