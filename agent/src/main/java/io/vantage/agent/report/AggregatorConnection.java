package io.vantage.agent.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.agent.config.AgentConfig;
import io.vantage.agent.metrics.MetricNames;
import io.vantage.wire.Headers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP connection to one aggregator, shared by its {@link ReportPusher} and {@link TargetSource}: the
 * client (TLS verified, the configured CA), the agent's token and instance id ({@link Headers#INSTANCE}) on every
 * request, answers read within bounds, and a check that one URL answers from one replica. Used from the agent's event
 * loop only.
 */
public final class AggregatorConnection {
    private static final Logger LOG = LoggerFactory.getLogger(AggregatorConnection.class);
    private static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    /** A whole answer must arrive within this, however steadily it trickles (the request timeout is an idle timeout). */
    private static final long ANSWER_DEADLINE_MILLIS = 30_000;

    private final Vertx vertx;
    private final Clock clock;
    private final String label;
    private final String basePath;
    private final HttpClientAgent client;
    private final RequestOptions target;
    private final Counter replicaChanges;
    private final String instance;
    private volatile String token;
    private String lastReplica;
    private long lastReplicaWarningMillis = Long.MIN_VALUE;

    /** {@code instance}: this process's instance id (the agent's {@code Instance}), sent on every request. */
    public AggregatorConnection(
            Vertx vertx,
            Clock clock,
            AgentConfig.Aggregator aggregator,
            String token,
            String instance,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.clock = clock;
        this.label = aggregator.label();
        this.token = token;
        this.instance = instance;
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
        this.replicaChanges = Counter.builder(MetricNames.AGGREGATOR_REPLICA_CHANGES)
                .tag(MetricNames.TAG_AGGREGATOR, label)
                .description("Answers from another aggregator replica than the previous answer, behind this one URL")
                .register(registry);
    }

    public String label() {
        return label;
    }

    /** A counter of this aggregator's ({@code aggregator} tag), with one more tag: what the pusher and the source count. */
    Counter counter(MeterRegistry registry, String name, String key, String value, String description) {
        return Counter.builder(name)
                .tag(MetricNames.TAG_AGGREGATOR, label)
                .tag(key, value)
                .description(description)
                .register(registry);
    }

    /** The token for requests from now on (a reloaded config's). */
    public void token(String token) {
        this.token = token;
    }

    /**
     * A request to {@code path} under the aggregator's URL, with the token, the instance id and the request timeout.
     */
    RequestOptions request(HttpMethod method, String path) {
        return new RequestOptions(target)
                .setMethod(method)
                .setURI(basePath + path)
                .setTimeout(REQUEST_TIMEOUT_MILLIS)
                .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .putHeader(Headers.INSTANCE, instance);
    }

    /**
     * Sends {@code request} (with {@code body}, or none when null) and reads the answer: at most {@code maxBytes},
     * within {@link #ANSWER_DEADLINE_MILLIS}, noting the replica that answered.
     */
    Future<Answer> send(RequestOptions request, Buffer body, int maxBytes) {
        return client.request(request)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(response -> boundedBody(response, maxBytes).map(read -> {
                    observeReplica(response);
                    return new Answer(response, read);
                }));
    }

    /** An answer read whole: its response (status, headers) and body. */
    record Answer(HttpClientResponse response, Buffer body) {
        int status() {
            return response.statusCode();
        }
    }

    public Future<Void> close() {
        return client.close();
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

    /**
     * The response body, read as it streams and refused as soon as it exceeds {@code maxBytes} or takes longer
     * than {@link #ANSWER_DEADLINE_MILLIS} in all: a hostile or broken server streaming forever costs a bounded
     * buffer and a closed connection, never the heap.
     */
    private Future<Buffer> boundedBody(HttpClientResponse response, int maxBytes) {
        Promise<Buffer> body = Promise.promise();
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
}
