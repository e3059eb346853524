package io.vantage.aggregator.cloudwatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.aws.AwsClients;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.round.Round;
import io.vantage.aggregator.round.RoundConsumer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Publishes the latest round's datums every {@code cloudwatch.publishEvery}, to CloudWatch or the dry-run log, whatever
 * the evaluation cadence: a round replaces the one not yet published, never queues behind it.
 */
public final class Publication implements RoundConsumer {
    private final MetricsPublisher publisher;
    private final BiConsumer<List<Datum>, Long> published;
    private volatile Round latest;

    /**
     * Starts publishing on {@code context} as {@code settings} say; {@code published} is told of each publication's
     * datums once they are handed to the publisher.
     */
    public Publication(
            AggregatorConfig.CloudWatch settings,
            Context context,
            MeterRegistry registry,
            BiConsumer<List<Datum>, Long> published) {
        this.publisher = publisher(settings, context, registry);
        this.published = published;
        context.owner().setPeriodic(settings.publishEvery().toMillis(), tick -> publishLatest());
    }

    private static MetricsPublisher publisher(
            AggregatorConfig.CloudWatch settings, Context context, MeterRegistry registry) {
        if (settings.mode() == AggregatorConfig.CloudWatch.Mode.DRY_RUN) {
            return new DryRunPublisher(settings.namespace(), registry);
        }
        // Retries must end before the next publish is due: the call timeout is 80 % of the cadence.
        Duration timeout = settings.publishEvery().multipliedBy(4).dividedBy(5);
        return new CloudWatchPublisher(
                AwsClients.cloudWatch(settings.region(), settings.endpoint(), timeout, registry),
                settings.namespace(),
                context,
                registry);
    }

    @Override
    public void accept(Round round) {
        latest = round;
    }

    private void publishLatest() {
        Round round = latest;
        if (round != null) {
            List<Datum> datums = Datums.of(round);
            publisher.publish(datums, round.at());
            published.accept(datums, round.at());
        }
    }

    /** Waits for a publication under way; the timer ends with the verticle whose context it runs on. */
    public Future<Void> close() {
        return publisher.close();
    }
}
