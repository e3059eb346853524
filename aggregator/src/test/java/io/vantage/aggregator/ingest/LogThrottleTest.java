package io.vantage.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One line per key per interval, with the count of those held back; the time passed in. */
class LogThrottleTest {
    @Test
    void oneLinePerKeyPerIntervalCountingTheRest() {
        LogThrottle throttle = new LogThrottle(10_000);

        assertThat(throttle.admit("agent-a", 0)).as("the first line").isZero();
        assertThat(throttle.admit("agent-a", 1_000)).isEqualTo(LogThrottle.HELD_BACK);
        assertThat(throttle.admit("agent-a", 9_999)).isEqualTo(LogThrottle.HELD_BACK);
        assertThat(throttle.admit("agent-b", 9_999))
                .as("another key has its own interval")
                .isZero();
        assertThat(throttle.admit("agent-a", 10_000))
                .as("an interval later, with the two held back")
                .isEqualTo(2);
        assertThat(throttle.admit("agent-a", 25_000)).as("none held back since").isZero();
    }
}
