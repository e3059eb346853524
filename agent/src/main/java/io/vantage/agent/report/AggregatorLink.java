package io.vantage.agent.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.agent.config.AgentConfig;
import io.vantage.agent.metrics.MetricNames;
import io.vantage.wire.Documents;
import io.vantage.wire.Headers;
import io.vantage.wire.Limits;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import io.vantage.wire.target.TargetList;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to one aggregator: pushes the newest result per target about once per push
 * interval, backs off on failure without losing the newest results, and fetches the target list.
 * Used from the agent's event loop only.
 */
public final class AggregatorLink {
    /**
     * This agent's id on every report to this aggregator ({@link Headers#INSTANCE}): random, new at each start, so an
     * aggregator can tell two processes reporting as one agent apart.
     */
    private final String instance = Long.toHexString(new java.security.SecureRandom().nextLong());

    private static final Logger LOG = LoggerFactory.getLogger(AggregatorLink.class);
    private static final int GZIP_ABOVE_BYTES = 1024;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    /** A whole answer must arrive within this, however steadily it trickles (the request timeout is an idle timeout). */
    private static final long ANSWER_DEADLINE_MILLIS = 30_000;
    /** The most of a push answer that is read: it is a small JSON object, or an error message. */
    private static final int MAX_PUSH_ANSWER_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final Clock clock;
    private final String label;
    private final String basePath;
    private final String agentId;
    private final String region;
    private final HttpClientAgent client;
    private final RequestOptions target;
    private final LatestResults pending = new LatestResults();
    private final Random random = new Random();
    private final Counter pushed;
    private final Counter failed;
    private final Counter rejected;
    private final Counter ignored;
    private final Counter droppedRejected;
    private final Counter droppedFuture;
    private final Counter droppedDuplicate;
    private long lastIgnoredWarningMillis = Long.MIN_VALUE;
    private final Counter droppedRemoved;
    private final Counter fetchOk;
    private final Counter fetchNotModified;
    private final Counter fetchFailed;
    private volatile String token;
    private boolean pushing;
    private long nextAttemptMillis;
    private int consecutiveFailures;
    private String targetsEtag;
    private final Counter replicaChanges;
    private String lastReplica;
    private long lastReplicaWarningMillis = Long.MIN_VALUE;

    public AggregatorLink(
            Vertx vertx,
            Clock clock,
            AgentConfig.Aggregator aggregator,
            String token,
            String agentId,
            String region,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.clock = clock;
        this.label = aggregator.label();
        this.agentId = agentId;
        this.region = region;
        this.token = token;
        String path =
                aggregator.url().getRawPath() == null ? "" : aggregator.url().getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        boolean https = aggregator.url().getScheme().equalsIgnoreCase("https");
        HttpClientOptions options = new HttpClientOptions()
                .setSsl(https)
                .setVerifyHost(true)
                .setConnectTimeout(5_000)
                .setKeepAlive(true);
        if (aggregator.caFile() != null) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(aggregator.caFile()));
        }
        this.client = vertx.createHttpClient(options);
        int port = aggregator.url().getPort() > 0 ? aggregator.url().getPort() : https ? 443 : 80;
        this.target = new RequestOptions()
                .setHost(aggregator.url().getHost())
                .setPort(port)
                .setSsl(https);
        String tag = MetricNames.TAG_AGGREGATOR;
        this.pushed = counter(
                registry, MetricNames.REPORT_PUSH, MetricNames.TAG_OUTCOME, "success", "Report pushes by outcome");
        this.failed = counter(
                registry, MetricNames.REPORT_PUSH, MetricNames.TAG_OUTCOME, "failure", "Report pushes by outcome");
        this.rejected = counter(
                registry, MetricNames.REPORT_PUSH, MetricNames.TAG_OUTCOME, "rejected", "Report pushes by outcome");
        this.ignored = counter(
                registry, MetricNames.REPORT_PUSH, MetricNames.TAG_OUTCOME, "ignored", "Report pushes by outcome");
        this.droppedFuture = counter(
                registry,
                MetricNames.REPORT_DROPPED,
                MetricNames.TAG_REASON,
                "future",
                "Results discarded without being delivered");
        this.droppedDuplicate = counter(
                registry,
                MetricNames.REPORT_DROPPED,
                MetricNames.TAG_REASON,
                "duplicate",
                "Results discarded without being delivered");
        this.droppedRejected = counter(
                registry,
                MetricNames.REPORT_DROPPED,
                MetricNames.TAG_REASON,
                "rejected",
                "Results discarded without being delivered");
        this.droppedRemoved = counter(
                registry,
                MetricNames.REPORT_DROPPED,
                MetricNames.TAG_REASON,
                "target_removed",
                "Results discarded without being delivered");
        FunctionCounter.builder(MetricNames.REPORT_SUPERSEDED, pending, LatestResults::superseded)
                .tag(tag, label)
                .description("Unsent results replaced by a newer result for the same target")
                .register(registry);
        Gauge.builder(MetricNames.REPORT_BUFFERED, pending, LatestResults::size)
                .tag(tag, label)
                .description("Results waiting to be pushed (at most one per target)")
                .register(registry);
        this.fetchOk = counter(
                registry,
                MetricNames.TARGETS_FETCH,
                MetricNames.TAG_OUTCOME,
                "updated",
                "Target list fetches by outcome");
        this.fetchNotModified = counter(
                registry,
                MetricNames.TARGETS_FETCH,
                MetricNames.TAG_OUTCOME,
                "not_modified",
                "Target list fetches by outcome");
        this.replicaChanges = Counter.builder(MetricNames.AGGREGATOR_REPLICA_CHANGES)
                .tag(tag, label)
                .description("Answers from another aggregator replica than the previous answer, behind this one URL")
                .register(registry);
        this.fetchFailed = counter(
                registry,
                MetricNames.TARGETS_FETCH,
                MetricNames.TAG_OUTCOME,
                "failure",
                "Target list fetches by outcome");
    }

    private Counter counter(MeterRegistry registry, String name, String key, String value, String description) {
        return Counter.builder(name)
                .tag(MetricNames.TAG_AGGREGATOR, label)
                .tag(key, value)
                .description(description)
                .register(registry);
    }

    public String label() {
        return label;
    }

    public void token(String token) {
        this.token = token;
    }

    public void offer(ProbeResult result) {
        pending.offer(result);
    }

    public void retainTargets(Set<String> targets) {
        droppedRemoved.increment(pending.retain(targets));
    }

    /** Called once per push interval; starts a push unless one is running or the link is backing off. */
    public void tick() {
        if (pushing || pending.size() == 0 || clock.millis() < nextAttemptMillis) {
            return;
        }
        pushing = true;
        List<ProbeResult> batch = pending.take(Limits.MAX_RESULTS_PER_BATCH);
        push(batch).onComplete(done -> {
            pushing = false;
            if (done.succeeded() && pending.size() >= Limits.MAX_RESULTS_PER_BATCH) {
                tick(); // more than one batch is waiting: keep going
            }
        });
    }

    private Future<Void> push(List<ProbeResult> batch) {
        byte[] json = Documents.writeJson(new ReportBatch(Limits.WIRE_VERSION, agentId, region, clock.millis(), batch));
        RequestOptions request = new RequestOptions(target)
                .setMethod(HttpMethod.POST)
                .setURI(basePath + "/v1/reports")
                .setTimeout(REQUEST_TIMEOUT_MILLIS)
                .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(Headers.INSTANCE, instance);
        Buffer body = Buffer.buffer(json);
        if (json.length > GZIP_ABOVE_BYTES) {
            request.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
            body = Buffer.buffer(gzip(json));
        }
        Buffer payload = body;
        return client.request(request)
                .compose(req -> req.send(payload))
                .compose(
                        response -> boundedBody(response, MAX_PUSH_ANSWER_BYTES).map(answer -> {
                            onPushAnswer(response, answer, batch);
                            return (Void) null;
                        }))
                .recover(error -> {
                    failed.increment();
                    pending.restore(batch);
                    backOff("push of " + batch.size() + " results failed: " + error.getMessage());
                    return Future.failedFuture(error);
                });
    }

    /**
     * One URL must be one replica: behind a balancer, each replica would hear only the agents that happen to land on
     * it, and a replica hearing part of the fleet decides on part of the evidence. Counted, and said once a minute.
     */
    private void observeReplica(HttpClientResponse response) {
        String replica = response.getHeader(Headers.REPLICA);
        if (replica == null) {
            return;
        }
        if (lastReplica != null && !lastReplica.equals(replica)) {
            replicaChanges.increment();
            long now = clock.millis();
            if (now - lastReplicaWarningMillis >= 60_000) {
                lastReplicaWarningMillis = now;
                LOG.warn(
                        "aggregator {} answered from replica {}, then from {}: this URL is balanced over several replicas, "
                                + "so no replica hears every agent; list each replica's own address in agent.aggregators",
                        label,
                        lastReplica,
                        replica);
            }
        }
        lastReplica = replica;
    }

    private void onPushAnswer(HttpClientResponse response, Buffer answer, List<ProbeResult> batch) {
        observeReplica(response);
        int status = response.statusCode();
        if (status / 100 == 2) {
            countDropped(answer, batch.size());
            if (consecutiveFailures > 0) {
                LOG.info("aggregator {} reachable again after {} failed pushes", label, consecutiveFailures);
            }
            consecutiveFailures = 0;
            nextAttemptMillis = 0;
            return;
        }
        String message = answer.length() > 200 ? answer.getString(0, 200) : answer.toString();
        if (status == 400 || status == 413 || status == 422) {
            // Resending the same bytes cannot succeed: count what is lost and say why.
            rejected.increment();
            droppedRejected.increment(batch.size());
            LOG.error("aggregator {} rejected {} results ({}): {}", label, batch.size(), status, message);
            return;
        }
        failed.increment();
        pending.restore(batch);
        String why = status == 401 || status == 403
                ? "the aggregator refused this agent's token (" + status + "); check agent id, region and token"
                : status == 409
                        ? "another process reports as this agent (409); only its reports count until it stops: give "
                                + "each process its own agent id and token"
                        : "the aggregator answered " + status + ": " + message;
        backOff(why);
    }

    /**
     * The aggregator's 202 says what became of each result. One that kept none (every result stamped after the batch
     * was sent, or not newer than what it holds: this agent's clock is wrong or was stepped back) is no success: this
     * agent's vote is not counted, so it is metered as {@code ignored} and said at most once a minute. One kept-nothing
     * answer after a retried push whose first answer was lost is harmless.
     */
    private void countDropped(Buffer answer, int sent) {
        int accepted;
        int future;
        int duplicate;
        try {
            io.vertx.core.json.JsonObject counts = answer.toJsonObject();
            accepted = counts.getInteger("accepted", sent);
            future = counts.getInteger("future", 0);
            duplicate = counts.getInteger("duplicate", 0);
        } catch (RuntimeException notCounts) {
            pushed.increment(); // an aggregator that does not say: delivered is all that is known
            return;
        }
        droppedFuture.increment(future);
        droppedDuplicate.increment(duplicate);
        if (accepted > 0 || future + duplicate == 0) {
            pushed.increment();
            return;
        }
        ignored.increment();
        long now = clock.millis();
        if (now - lastIgnoredWarningMillis >= 60_000 || lastIgnoredWarningMillis == Long.MIN_VALUE) {
            lastIgnoredWarningMillis = now;
            LOG.warn(
                    "aggregator {} kept none of {} results ({} stamped after their batch was sent, {} not newer than "
                            + "results it already holds): this agent's votes are not counted; check this host's clock "
                            + "(NTP) — it may be ahead or have been stepped back",
                    label,
                    sent,
                    future,
                    duplicate);
        }
    }

    private void backOff(String why) {
        consecutiveFailures++;
        long ceiling = Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(consecutiveFailures - 1, 15));
        long delay = ceiling / 2 + (long) (random.nextDouble() * ceiling / 2);
        nextAttemptMillis = clock.millis() + delay;
        if (consecutiveFailures <= 3 || Integer.bitCount(consecutiveFailures) == 1) {
            LOG.warn(
                    "aggregator {}: {}; retrying in {} ms ({} consecutive failures, {} results waiting)",
                    label,
                    why,
                    delay,
                    consecutiveFailures,
                    pending.size());
        }
    }

    /** The aggregator's target list, or null when unchanged since the last fetch (ETag). */
    public Future<TargetList> fetchTargets() {
        RequestOptions request = new RequestOptions(target)
                .setMethod(HttpMethod.GET)
                .setURI(basePath + "/v1/targets")
                .setTimeout(REQUEST_TIMEOUT_MILLIS)
                .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        if (targetsEtag != null) {
            request.putHeader(HttpHeaders.IF_NONE_MATCH, targetsEtag);
        }
        return client.request(request)
                .compose(req -> req.send())
                .compose(response -> boundedBody(response, Limits.MAX_TARGETS_BODY_BYTES)
                        .compose(body -> {
                            observeReplica(response);
                            if (response.statusCode() == 304) {
                                fetchNotModified.increment();
                                return Future.succeededFuture((TargetList) null);
                            }
                            if (response.statusCode() != 200) {
                                return Future.failedFuture("GET /v1/targets answered " + response.statusCode());
                            }
                            TargetList list = Documents.readJson(body.getBytes(), TargetList.class);
                            targetsEtag = response.getHeader(HttpHeaders.ETAG);
                            fetchOk.increment();
                            return Future.succeededFuture(list);
                        }))
                .onFailure(error -> fetchFailed.increment());
    }

    public Future<Void> close() {
        return client.close();
    }

    /**
     * The response body, read as it streams and refused as soon as it exceeds {@code maxBytes} or takes longer
     * than {@link #ANSWER_DEADLINE_MILLIS} in all: a hostile or broken server streaming forever costs a bounded
     * buffer and a closed connection, never the heap.
     */
    private Future<Buffer> boundedBody(HttpClientResponse response, int maxBytes) {
        io.vertx.core.Promise<Buffer> body = io.vertx.core.Promise.promise();
        Buffer received = Buffer.buffer();
        long deadline = vertx.setTimer(ANSWER_DEADLINE_MILLIS, fired -> {
            if (body.tryFail("the answer took more than " + ANSWER_DEADLINE_MILLIS / 1000 + " s to arrive")) {
                response.request().reset();
            }
        });
        response.exceptionHandler(body::tryFail);
        response.handler(chunk -> {
            if (body.future().isComplete()) {
                return;
            }
            if (received.length() + chunk.length() > maxBytes) {
                if (body.tryFail("the answer exceeds the limit of " + maxBytes + " bytes")) {
                    response.request().reset();
                }
                return;
            }
            received.appendBuffer(chunk);
        });
        response.endHandler(end -> body.tryComplete(received));
        return body.future().onComplete(done -> vertx.cancelTimer(deadline));
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new IllegalStateException("gzip to memory failed", e);
        }
        return out.toByteArray();
    }
}
