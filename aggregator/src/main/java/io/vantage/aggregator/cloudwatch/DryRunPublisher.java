package io.vantage.aggregator.cloudwatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.AggregatorMetrics;
import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs the PutMetricData it would make, one line per publish; for the demo and for runs without AWS. */
public final class DryRunPublisher implements MetricsPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(DryRunPublisher.class);
    private final String namespace;
    private final Counter published;

    public DryRunPublisher(String namespace, MeterRegistry registry) {
        this.namespace = namespace;
        this.published = Counter.builder(AggregatorMetrics.CLOUDWATCH_PUBLISH).tag("outcome", "dry_run")
                .description("CloudWatch publishes by outcome").register(registry);
    }

    @Override
    public Future<Void> publish(List<Datum> datums, long timestampMillis) {
        published.increment();
        if (LOG.isInfoEnabled()) {
            String summary = datums.stream()
                    .map(d -> String.format(Locale.ROOT, "%s{Target=%s}=%s", d.name(), d.target(),
                            d.value() == Math.rint(d.value()) ? String.valueOf((long) d.value()) : String.format(Locale.ROOT, "%.1f", d.value())))
                    .collect(Collectors.joining(" "));
            LOG.info("dry-run PutMetricData namespace={} datums={}: {}", namespace, datums.size(), summary);
        }
        return Future.succeededFuture();
    }
}
