package io.vantage.aggregator.cloudwatch;

import io.vertx.core.Future;
import java.util.List;

/** Where each round's datums go: CloudWatch, or the log in dry-run. */
public interface MetricsPublisher {
    /** Sends the current values; completes when done or failed (already counted and logged). Never queues old values. */
    Future<Void> publish(List<Datum> datums, long timestampMillis);

    default Future<Void> close() {
        return Future.succeededFuture();
    }
}
