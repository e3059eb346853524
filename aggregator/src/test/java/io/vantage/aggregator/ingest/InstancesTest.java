package io.vantage.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Telling a restarted agent from two processes that share one agent's id, with the time passed in. */
class InstancesTest {
    private final Instances instances = new Instances();

    @Test
    void aRestartTakesOverAtOnce() {
        assertThat(instances.admit("agent-a", "one", 1_000)).isTrue();
        assertThat(instances.admit("agent-a", "one", 2_000)).isTrue();
        assertThat(instances.admit("agent-a", "two", 3_000))
                .as("the new process")
                .isTrue();
        assertThat(instances.admit("agent-a", "two", 4_000)).isTrue();
        assertThat(instances.conflicting(4_000)).isEmpty();
    }

    @Test
    void twoProcessesAtOnceAreAConflictAndOnlyOneCounts() {
        instances.admit("agent-a", "one", 1_000);
        instances.admit("agent-a", "two", 1_500);
        assertThat(instances.admit("agent-a", "one", 2_000))
                .as("the old one is back: two processes")
                .isFalse();
        assertThat(instances.admit("agent-a", "two", 2_500)).isTrue();
        assertThat(instances.admit("agent-a", "one", 3_000)).isFalse();
        assertThat(instances.conflicting(3_000)).containsExactly("agent-a");
        assertThat(instances.admit("agent-b", "other", 3_000))
                .as("other agents are unaffected")
                .isTrue();

        // The counting process stops: after it has been silent for 30 s, the other one takes over.
        assertThat(instances.admit("agent-a", "one", 2_500 + Instances.GONE_AFTER_MILLIS + 1))
                .isTrue();
        assertThat(instances.conflicting(3_000 + Instances.CONFLICT_SHOWN_MILLIS))
                .isEmpty();
    }

    @Test
    void anAgentWithoutAnInstanceIdIsNeverRefused() {
        assertThat(instances.admit("agent-a", null, 1_000)).isTrue();
        assertThat(instances.admit("agent-a", "one", 1_100)).isTrue();
        assertThat(instances.admit("agent-a", null, 1_200)).isTrue();
    }
}
