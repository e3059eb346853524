package io.vantage.aggregator.ingest;

import io.vantage.aggregator.config.LoadedAggregatorConfig.Credential;
import io.vantage.aggregator.members.Members;
import io.vantage.aggregator.metrics.AggregatorMetrics;
import io.vantage.aggregator.metrics.AggregatorMetrics.IngestOutcome;
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
import java.time.Clock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/reports}: admission (method, token, rate, size, encoding), the body ({@link ReportBody}: read within
 * its bounds and deadline), the batch's identity (its agent and region are the token's, one process per agent), then
 * each result as {@link ResultRules} classifies it, into the {@link ResultStore}. Answers 202 with what became of the
 * results, 400 naming the problem (a corrupt gzip body included), 401 (no or unknown token), 403 (a token reporting as
 * another agent), 405, 408 (body too slow), 409 (a second process reporting as the same agent), 413, 415 (an encoding
 * other than gzip), 429. Bad input never reaches the store and never produces a 500.
 */
public final class IngestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IngestHandler.class);

    /** What ingest needs from the config in force; replaced on reload. */
    public record Ingest(Credentials credentials, RateLimiter limiter, ResultRules rules) {}

    private final Vertx vertx;
    private final Clock clock;
    private final Supplier<Ingest> settings;
    private final ResultStore store;
    private final AggregatorMetrics metrics;
    private final Consumer<HttpConnection> onAuthenticated;
    /** Reports made with another agent's token, per token owner. */
    private final LogThrottle forbiddenLogged = new LogThrottle(10_000);
    /** Reports from a second process reporting as the same agent, per agent. */
    private final LogThrottle conflictsLogged = new LogThrottle(60_000);
    /** Batches that delivered nothing, or an agent's clock offset, per agent. */
    private final LogThrottle droppedLogged = new LogThrottle(60_000);

    /** {@code onAuthenticated}: told of each connection that presented a valid agent token. */
    public IngestHandler(
            Vertx vertx,
            Clock clock,
            Supplier<Ingest> settings,
            ResultStore store,
            AggregatorMetrics metrics,
            Consumer<HttpConnection> onAuthenticated) {
        this.vertx = vertx;
        this.clock = clock;
        this.settings = settings;
        this.store = store;
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
        ReportBody.read(vertx, request, gzip).onComplete(read -> {
            if (read.succeeded()) {
                accept(request, agent, ingest, read.result());
            } else if (read.cause() instanceof ReportBody.Refused refused) {
                reply(request, refused.status, refused.getMessage());
                if (refused.close) {
                    request.connection().close();
                }
            }
        });
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
            forbidden(request, agent, batch);
            return;
        }
        long received = clock.millis();
        String instance = request.getHeader(Headers.INSTANCE);
        String invalid = Members.invalidInstance(instance);
        if (invalid != null) {
            reply(request, 400, invalid);
            return;
        }
        int seat = store.admit(agent.agentId(), instance, received);
        if (seat < 0) {
            conflict(request, agent, instance, received);
            return;
        }
        int[] counts = new int[IngestOutcome.values().length];
        for (ProbeResult result : batch.results()) {
            ResultRules.Classification classified = ingest.rules().classify(result, batch.sentAt(), received);
            IngestOutcome outcome = !classified.offered()
                    ? classified.refused()
                    : store.offer(agent.agentId(), seat, result, classified.observedAt(), classified.confirm())
                            ? IngestOutcome.ACCEPTED
                            : IngestOutcome.DUPLICATE;
            counts[outcome.ordinal()]++;
        }
        for (IngestOutcome outcome : IngestOutcome.values()) {
            metrics.results(outcome, counts[outcome.ordinal()]);
        }
        int accepted = counts[IngestOutcome.ACCEPTED.ordinal()];
        int duplicate = counts[IngestOutcome.DUPLICATE.ordinal()];
        int future = counts[IngestOutcome.FUTURE.ordinal()];
        logDropped(
                agent,
                batch,
                received,
                accepted,
                duplicate,
                future,
                ingest.rules().maxClockSkewMillis());
        metrics.request(202);
        request.response()
                .setStatusCode(202)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject()
                        .put("accepted", accepted)
                        .put("duplicate", duplicate)
                        .put("unknownTarget", counts[IngestOutcome.UNKNOWN_TARGET.ordinal()])
                        .put("future", future)
                        .put("noVote", counts[IngestOutcome.NO_VOTE.ordinal()])
                        .encode());
        if (accepted > 0) {
            store.accepted(agent.agentId(), seat, received);
        }
    }

    /** 403: a batch claiming another agent or region than its token's. */
    private void forbidden(HttpServerRequest request, Credential agent, ReportBatch batch) {
        long heldBack = forbiddenLogged.admit(agent.agentId(), clock.millis());
        if (heldBack != LogThrottle.HELD_BACK) {
            LOG.warn(
                    "rejected a report claiming to be {}@{} made with the token of {}@{}{}",
                    batch.agentId(),
                    batch.region(),
                    agent.agentId(),
                    agent.region(),
                    heldBack == 0 ? "" : " (and " + heldBack + " more with this token since the last such line)");
        }
        reply(
                request,
                403,
                "this token belongs to agent " + agent.agentId() + " in " + agent.region() + ", not " + batch.agentId()
                        + " in " + batch.region());
    }

    /** 409: more processes report as the same vantage point than its {@code members} bound ({@link Members}). */
    private void conflict(HttpServerRequest request, Credential agent, String instance, long received) {
        metrics.identityConflict(agent.agentId(), agent.region());
        if (conflictsLogged.admit(agent.agentId(), received) != LogThrottle.HELD_BACK) {
            LOG.error(
                    "more processes report as agent {}@{} than its members bound allows (this one, instance {}, is "
                            + "refused): raise members for it, or give each process its own agent id and token",
                    agent.agentId(),
                    agent.region(),
                    instance == null ? Members.UNNAMED : instance);
        }
        reply(request, 409, Members.refusal(agent.agentId()));
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
        if (droppedLogged.admit(agent.agentId(), received) == LogThrottle.HELD_BACK) {
            return;
        }
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
