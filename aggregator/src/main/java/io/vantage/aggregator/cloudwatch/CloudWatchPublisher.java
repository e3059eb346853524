package io.vantage.aggregator.cloudwatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.metrics.MetricNames;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

/**
 * PutMetricData through the async SDK client (never blocking an event loop). Values are split into
 * requests within AWS's limits; the SDK retries throttling and 5xx with backoff and jitter inside the
 * client's call timeout, which is shorter than the publish cadence. A publish that still fails is counted
 * and logged, and the next one sends the values current then: there is no backlog of stale data.
 */
public final class CloudWatchPublisher implements MetricsPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(CloudWatchPublisher.class);

    private final CloudWatchAsyncClient client;
    private final String namespace;
    private final Context context;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter skipped;
    private boolean publishing;

    public CloudWatchPublisher(
            CloudWatchAsyncClient client, String namespace, Context context, MeterRegistry registry) {
        this.client = client;
        this.namespace = namespace;
        this.context = context;
        this.succeeded = counter(registry, "success");
        this.failed = counter(registry, "failure");
        this.skipped = counter(registry, "skipped");
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder(MetricNames.CLOUDWATCH_PUBLISH)
                .tag("outcome", outcome)
                .description("CloudWatch publishes by outcome (skipped: the previous one was still running)")
                .register(registry);
    }

    @Override
    public Future<Void> publish(List<Datum> datums, long timestampMillis) {
        if (publishing) {
            skipped.increment();
            return Future.succeededFuture();
        }
        publishing = true;
        Instant timestamp = Instant.ofEpochMilli(timestampMillis);
        List<Future<Void>> requests = new ArrayList<>();
        for (List<MetricDatum> chunk : chunks(datums, timestamp)) {
            requests.add(Future.fromCompletionStage(
                            client.putMetricData(put -> put.namespace(namespace).metricData(chunk)), context)
                    .mapEmpty());
        }
        return Future.join(requests).transform(done -> {
            publishing = false;
            if (done.succeeded()) {
                succeeded.increment();
            } else {
                failed.increment();
                Throwable cause = done.cause();
                String code = cause instanceof AwsServiceException aws
                        ? aws.awsErrorDetails().errorCode()
                        : cause.getClass().getSimpleName();
                LOG.warn(
                        "CloudWatch publish of {} datums failed after retries ({}: {}); the next publish sends current values",
                        datums.size(),
                        code,
                        cause.getMessage());
            }
            return Future.<Void>succeededFuture();
        });
    }

    /** Requests of at most 1,000 datums and well under 1 MB each. */
    static List<List<MetricDatum>> chunks(List<Datum> datums, Instant timestamp) {
        List<List<MetricDatum>> chunks = new ArrayList<>();
        List<MetricDatum> current = new ArrayList<>();
        int bytes = 0;
        for (Datum datum : datums) {
            if (!Double.isFinite(datum.value())) {
                continue; // CloudWatch rejects NaN and infinities; skip rather than fail the whole request
            }
            // A conservative estimate of one datum's encoded size: names, value, unit and framing.
            int size = 200 + datum.name().length() + datum.target().length();
            if (current.size() == CloudWatchContract.MAX_DATUMS_PER_REQUEST
                    || bytes + size > CloudWatchContract.MAX_REQUEST_BYTES) {
                chunks.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(MetricDatum.builder()
                    .metricName(datum.name())
                    .dimensions(Dimension.builder()
                            .name(CloudWatchContract.DIMENSION)
                            .value(datum.target())
                            .build())
                    .value(datum.value())
                    .unit(StandardUnit.fromValue(datum.unit()))
                    .timestamp(timestamp)
                    .storageResolution(CloudWatchContract.STORAGE_RESOLUTION_SECONDS)
                    .build());
            bytes += size;
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    @Override
    public Future<Void> close() {
        client.close();
        return Future.succeededFuture();
    }
}
