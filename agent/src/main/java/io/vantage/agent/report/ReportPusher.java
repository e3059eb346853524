package io.vantage.agent.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.agent.metrics.MetricNames;
import io.vantage.wire.Documents;
import io.vantage.wire.Limits;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
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
 * Pushes the newest result per target to one aggregator about once per push interval, backs off on failure without
 * losing the newest results, and counts what the aggregator kept. Used from the agent's event loop only.
 */
public final class ReportPusher {
    private static final Logger LOG = LoggerFactory.getLogger(ReportPusher.class);
    private static final int GZIP_ABOVE_BYTES = 1024;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    /** The most of a push answer that is read: it is a small JSON object, or an error message. */
    private static final int MAX_PUSH_ANSWER_BYTES = 64 * 1024;

    private static final String PUSHES = "Report pushes by outcome";
    private static final String DROPPED = "Results discarded without being delivered";

    private final AggregatorConnection connection;
    private final Clock clock;
    private final String agentId;
    private final String region;
    private final LatestResults pending = new LatestResults();
    private final Random random = new Random();
    private final Counter pushed;
    private final Counter failed;
    private final Counter rejected;
    private final Counter ignored;
    private final Counter droppedRejected;
    private final Counter droppedFuture;
    private final Counter droppedDuplicate;
    private final Counter droppedRemoved;
    private long lastIgnoredWarningMillis = Long.MIN_VALUE;
    private boolean pushing;
    private long nextAttemptMillis;
    private int consecutiveFailures;

    public ReportPusher(
            AggregatorConnection connection, Clock clock, String agentId, String region, MeterRegistry registry) {
        this.connection = connection;
        this.clock = clock;
        this.agentId = agentId;
        this.region = region;
        String label = connection.label();
        this.pushed = connection.counter(registry, MetricNames.REPORT_PUSH, MetricNames.TAG_OUTCOME, "success", PUSHES);
        this.failed = connection.counter(registry, MetricNames.REPORT_PUSH, MetricNames.TAG_OUTCOME, "failure", PUSHES);
        this.rejected =
                connection.counter(registry, MetricNames.REPORT_PUSH, MetricNames.TAG_OUTCOME, "rejected", PUSHES);
        this.ignored =
                connection.counter(registry, MetricNames.REPORT_PUSH, MetricNames.TAG_OUTCOME, "ignored", PUSHES);
        this.droppedFuture =
                connection.counter(registry, MetricNames.REPORT_DROPPED, MetricNames.TAG_REASON, "future", DROPPED);
        this.droppedDuplicate =
                connection.counter(registry, MetricNames.REPORT_DROPPED, MetricNames.TAG_REASON, "duplicate", DROPPED);
        this.droppedRejected =
                connection.counter(registry, MetricNames.REPORT_DROPPED, MetricNames.TAG_REASON, "rejected", DROPPED);
        this.droppedRemoved = connection.counter(
                registry, MetricNames.REPORT_DROPPED, MetricNames.TAG_REASON, "target_removed", DROPPED);
        FunctionCounter.builder(MetricNames.REPORT_SUPERSEDED, pending, LatestResults::superseded)
                .tag(MetricNames.TAG_AGGREGATOR, label)
                .description("Unsent results replaced by a newer result for the same target")
                .register(registry);
        Gauge.builder(MetricNames.REPORT_BUFFERED, pending, LatestResults::size)
                .tag(MetricNames.TAG_AGGREGATOR, label)
                .description("Results waiting to be pushed (at most one per target)")
                .register(registry);
    }

    public void offer(ProbeResult result) {
        pending.offer(result);
    }

    /** Forgets the waiting results of targets no longer probed (counted as dropped, target_removed). */
    public void retainTargets(Set<String> targets) {
        droppedRemoved.increment(pending.retain(targets));
    }

    /** Called once per push interval; starts a push unless one is running or this pusher is backing off. */
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
        RequestOptions request = connection
                .request(HttpMethod.POST, "/v1/reports")
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        Buffer body = Buffer.buffer(json);
        if (json.length > GZIP_ABOVE_BYTES) {
            request.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
            body = Buffer.buffer(gzip(json));
        }
        return connection
                .send(request, body, MAX_PUSH_ANSWER_BYTES)
                .map(answer -> {
                    onPushAnswer(answer, batch);
                    return (Void) null;
                })
                .recover(error -> {
                    failed.increment();
                    pending.restore(batch);
                    backOff("push of " + batch.size() + " results failed: " + error.getMessage());
                    return Future.failedFuture(error);
                });
    }

    private void onPushAnswer(AggregatorConnection.Answer reply, List<ProbeResult> batch) {
        Buffer answer = reply.body();
        int status = reply.status();
        if (status / 100 == 2) {
            countDropped(answer, batch.size());
            if (consecutiveFailures > 0) {
                LOG.info(
                        "aggregator {} reachable again after {} failed pushes",
                        connection.label(),
                        consecutiveFailures);
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
            LOG.error("aggregator {} rejected {} results ({}): {}", connection.label(), batch.size(), status, message);
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
            JsonObject counts = answer.toJsonObject();
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
                    connection.label(),
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
                    connection.label(),
                    why,
                    delay,
                    consecutiveFailures,
                    pending.size());
        }
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
