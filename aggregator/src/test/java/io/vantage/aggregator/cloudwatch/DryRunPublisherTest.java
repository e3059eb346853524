package io.vantage.aggregator.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dry-run log: a line when what is published changes, else one a minute counting the publishes it stands for. */
class DryRunPublisherTest {
    private static final long T0 = 1_700_000_000_000L;

    private final DryRunPublisher publisher = new DryRunPublisher("Vantage", new SimpleMeterRegistry());

    private static List<Datum> healthy(int eu, int us) {
        return List.of(
                new Datum(CloudWatchContract.HEALTHY, "api-eu", eu, "None"),
                new Datum(CloudWatchContract.HEALTHY, "api-us", us, "None"));
    }

    @Test
    void logsTheFirstPublishThenOnlyChangesAndAMinutelySummary() {
        assertThat(publisher.line(healthy(1, 1), T0))
                .isEqualTo(
                        "dry-run PutMetricData namespace=Vantage datums=2: Healthy=1 for 2 targets, Healthy=0 for 0");
        for (int second = 1; second < 30; second++) {
            assertThat(publisher.line(healthy(1, 1), T0 + second * 1000L))
                    .as("second %d", second)
                    .isNull();
        }
        assertThat(publisher.line(healthy(0, 1), T0 + 30_000))
                .isEqualTo("dry-run PutMetricData namespace=Vantage datums=2: Healthy=1 for 1 targets, Healthy=0 for 1 "
                        + "[api-eu] (changed)");
        assertThat(publisher.line(healthy(0, 1), T0 + 89_999)).isNull();
        assertThat(publisher.line(healthy(0, 1), T0 + 90_000))
                .isEqualTo("dry-run PutMetricData namespace=Vantage datums=2: Healthy=1 for 1 targets, Healthy=0 for 1 "
                        + "[api-eu] (unchanged; 2 publishes since the last line)");
    }
}
