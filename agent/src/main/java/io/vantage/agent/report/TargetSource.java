package io.vantage.agent.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.agent.metrics.MetricNames;
import io.vantage.wire.Documents;
import io.vantage.wire.Limits;
import io.vantage.wire.target.TargetList;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The target list one aggregator serves this member, fetched with its ETag, and the last list it answered (kept when a
 * later fetch fails). Used from the agent's event loop only.
 */
public final class TargetSource {
    private static final String FETCHES = "Target list fetches by outcome";

    private final AggregatorConnection connection;
    private final Counter fetchOk;
    private final Counter fetchNotModified;
    private final Counter fetchFailed;
    private String targetsEtag;
    private TargetList last;
    private boolean fetching;

    public TargetSource(AggregatorConnection connection, MeterRegistry registry) {
        this.connection = connection;
        this.fetchOk =
                connection.counter(registry, MetricNames.TARGETS_FETCH, MetricNames.TAG_OUTCOME, "updated", FETCHES);
        this.fetchNotModified = connection.counter(
                registry, MetricNames.TARGETS_FETCH, MetricNames.TAG_OUTCOME, "not_modified", FETCHES);
        this.fetchFailed =
                connection.counter(registry, MetricNames.TARGETS_FETCH, MetricNames.TAG_OUTCOME, "failure", FETCHES);
        Gauge.builder(
                        MetricNames.TARGETS_ASSIGNED,
                        this,
                        source ->
                                source.last == null ? 0 : source.last.targets().size())
                .tag(MetricNames.TAG_AGGREGATOR, connection.label())
                .description("Targets in this aggregator's last list for this member (its share)")
                .register(registry);
    }

    public String label() {
        return connection.label();
    }

    /** The last target list this aggregator answered, or null while it has never answered one. */
    public TargetList last() {
        return last;
    }

    /** Whether a fetch is under way (its answer not yet read). */
    public boolean fetching() {
        return fetching;
    }

    /**
     * The aggregator's target list, or null when unchanged since the last fetch (ETag); either way {@link #last()} is
     * then its list.
     */
    public Future<TargetList> fetchTargets() {
        fetching = true;
        RequestOptions request = connection.request(HttpMethod.GET, "/v1/targets");
        if (targetsEtag != null) {
            request.putHeader(HttpHeaders.IF_NONE_MATCH, targetsEtag);
        }
        return connection
                .send(request, null, Limits.MAX_TARGETS_BODY_BYTES)
                .compose(answer -> {
                    if (answer.status() == 304) {
                        fetchNotModified.increment();
                        return Future.succeededFuture((TargetList) null);
                    }
                    if (answer.status() != 200) {
                        return Future.failedFuture("GET /v1/targets answered " + answer.status());
                    }
                    TargetList list = Documents.readJson(answer.body().getBytes(), TargetList.class);
                    targetsEtag = answer.response().getHeader(HttpHeaders.ETAG);
                    last = list;
                    fetchOk.increment();
                    return Future.succeededFuture(list);
                })
                .onComplete(done -> fetching = false)
                .onFailure(error -> fetchFailed.increment());
    }
}
