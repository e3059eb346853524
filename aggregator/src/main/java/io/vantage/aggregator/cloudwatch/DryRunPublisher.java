package io.vantage.aggregator.cloudwatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.metrics.MetricNames;
import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the PutMetricData it would make: one bounded line when what is published changes (which targets are healthy),
 * and while it does not, one line a minute saying how many publishes it stood for (every datum of every publish at
 * DEBUG); for the demo and for runs without AWS.
 */
public final class DryRunPublisher implements MetricsPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(DryRunPublisher.class);
    /** Unhealthy targets named in the INFO line; the rest are counted. Every datum is logged at DEBUG. */
    private static final int SHOWN = 10;
    /** How often an unchanged publication is logged again. */
    static final long REPEAT_MILLIS = 60_000;

    private final String namespace;
    private final Counter published;
    private String lastSummary;
    private long lastLoggedMillis;
    private int unloggedPublishes;

    public DryRunPublisher(String namespace, MeterRegistry registry) {
        this.namespace = namespace;
        this.published = Counter.builder(MetricNames.CLOUDWATCH_PUBLISH)
                .tag("outcome", "dry_run")
                .description("CloudWatch publishes by outcome")
                .register(registry);
    }

    @Override
    public Future<Void> publish(List<Datum> datums, long timestampMillis) {
        published.increment();
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "dry-run PutMetricData namespace={} datums={}: {}",
                    namespace,
                    datums.size(),
                    datums.stream().map(DryRunPublisher::describe).collect(Collectors.joining(" ")));
        } else if (LOG.isInfoEnabled()) {
            String line = line(datums, timestampMillis);
            if (line != null) {
                LOG.info(line);
            }
        }
        return Future.succeededFuture();
    }

    /** The INFO line for this publish, or null when it publishes what the last line said less than a minute ago. */
    String line(List<Datum> datums, long timestampMillis) {
        String summary = summary(datums);
        boolean changed = !summary.equals(lastSummary);
        if (!changed && timestampMillis - lastLoggedMillis < REPEAT_MILLIS) {
            unloggedPublishes++;
            return null;
        }
        String line = "dry-run PutMetricData namespace=" + namespace + " datums=" + datums.size() + ": " + summary
                + (changed
                        ? lastSummary == null ? "" : " (changed)"
                        : " (unchanged; " + (unloggedPublishes + 1) + " publishes since the last line)");
        lastSummary = summary;
        lastLoggedMillis = timestampMillis;
        unloggedPublishes = 0;
        return line;
    }

    /** One bounded summary however many targets there are: the Healthy datums, and which targets are unhealthy. */
    private static String summary(List<Datum> datums) {
        List<String> unhealthy = datums.stream()
                .filter(d -> d.name().equals(CloudWatchContract.HEALTHY) && d.value() == 0)
                .map(Datum::target)
                .toList();
        long healthy = datums.stream()
                .filter(d -> d.name().equals(CloudWatchContract.HEALTHY) && d.value() == 1)
                .count();
        return "Healthy=1 for " + healthy + " targets, Healthy=0 for " + unhealthy.size()
                + (unhealthy.isEmpty()
                        ? ""
                        : " " + unhealthy.subList(0, Math.min(SHOWN, unhealthy.size()))
                                + (unhealthy.size() > SHOWN ? " and " + (unhealthy.size() - SHOWN) + " more" : ""));
    }

    private static String describe(Datum d) {
        return String.format(
                Locale.ROOT,
                "%s{Target=%s}=%s",
                d.name(),
                d.target(),
                d.value() == Math.rint(d.value())
                        ? String.valueOf((long) d.value())
                        : String.format(Locale.ROOT, "%.1f", d.value()));
    }
}
