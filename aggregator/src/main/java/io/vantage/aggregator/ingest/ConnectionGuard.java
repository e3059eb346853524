package io.vantage.aggregator.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.metrics.MetricNames;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Bounds the connections one API event loop holds ({@link ServerLimits}, divided between the loops): a total cap,
 * a cap on connections without a valid agent token that evicts the oldest of them, and a deadline for a new
 * connection's first request. Used from its event loop only.
 */
public final class ConnectionGuard {
    private final Vertx vertx;
    private final int maxConnections;
    private final int maxUnauthenticated;
    // Insertion order: the first entry is the oldest unauthenticated connection, the next to evict. Value: its deadline
    // timer.
    private final Map<HttpConnection, Long> unauthenticated = new LinkedHashMap<>();
    private final Set<HttpConnection> authenticated = new HashSet<>();
    private final Counter refused;
    private final Counter evicted;
    private final Counter noRequest;

    /** {@code share}: this loop's part of the limits (1 / the number of API loops). */
    public ConnectionGuard(Vertx vertx, MeterRegistry registry, int loops) {
        this.vertx = vertx;
        this.maxConnections = Math.max(1, ServerLimits.MAX_CONNECTIONS / loops);
        this.maxUnauthenticated = Math.max(1, ServerLimits.MAX_UNAUTHENTICATED_CONNECTIONS / loops);
        this.refused = closed(registry, "over_limit");
        this.evicted = closed(registry, "evicted");
        this.noRequest = closed(registry, "no_request");
    }

    private static Counter closed(MeterRegistry registry, String reason) {
        return Counter.builder(MetricNames.API_CONNECTIONS_CLOSED)
                .tag("reason", reason)
                .description("Connections the aggregator closed to stay within its connection limits")
                .register(registry);
    }

    /** A new connection: refused over the total cap; otherwise admitted as unauthenticated, evicting the oldest such if needed. */
    public void opened(HttpConnection connection) {
        if (unauthenticated.size() + authenticated.size() >= maxConnections) {
            refused.increment();
            connection.close();
            return;
        }
        if (unauthenticated.size() >= maxUnauthenticated) {
            Iterator<Map.Entry<HttpConnection, Long>> oldest =
                    unauthenticated.entrySet().iterator();
            Map.Entry<HttpConnection, Long> victim = oldest.next();
            oldest.remove();
            vertx.cancelTimer(victim.getValue());
            evicted.increment();
            victim.getKey().close();
        }
        long deadline = vertx.setTimer(ServerLimits.FIRST_REQUEST_DEADLINE_MILLIS, fired -> {
            if (unauthenticated.remove(connection) != null) {
                noRequest.increment();
                connection.close();
            }
        });
        unauthenticated.put(connection, deadline);
        connection.closeHandler(closed -> {
            Long timer = unauthenticated.remove(connection);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
            authenticated.remove(connection);
        });
    }

    /** A complete request head arrived: the first-request deadline no longer applies (the idle timeout does). */
    public void requested(HttpConnection connection) {
        Long timer = unauthenticated.get(connection);
        if (timer != null && timer >= 0) {
            vertx.cancelTimer(timer);
            unauthenticated.put(connection, -1L); // keeps its place in the eviction order
        }
    }

    /** The connection presented a valid agent token: it is never evicted. */
    public void authenticated(HttpConnection connection) {
        Long timer = unauthenticated.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
            authenticated.add(connection);
        }
    }

    public int open() {
        return unauthenticated.size() + authenticated.size();
    }
}
