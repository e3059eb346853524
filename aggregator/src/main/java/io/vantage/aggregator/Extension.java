package io.vantage.aggregator;

import io.vantage.aggregator.cloudwatch.Datum;
import io.vantage.aggregator.status.StatusPage;
import io.vantage.aggregator.status.StatusSnapshot;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * What a process embedding an aggregator adds to it, the one way to do so (vantage-demo's endpoints, Route 53 stand-in
 * and drill buttons are one): requests under its own path prefix, a section of the status page, and every publication's
 * datums. {@code vantage-aggregator} itself runs none. Each method is called from an event loop or a worker and must
 * not block.
 */
public interface Extension {
    /** Requests whose path starts with this (for example {@code /demo/}) go to {@link #handle}; none may take a body. */
    String pathPrefix();

    /** Answers a request under {@link #pathPrefix()}, on an API event loop. */
    void handle(HttpServerRequest request);

    /**
     * What it adds to the status page: HTML above and below the verdicts, escaping what it shows
     * ({@code StatusPage.escape}), and whether it shows predictions of its own. On a worker.
     */
    StatusPage.Section pageSection(StatusSnapshot snapshot);

    /** One publication's datums, once handed to the publisher (CloudWatch or the dry-run log). */
    void published(List<Datum> datums, long timestampMillis);
}
