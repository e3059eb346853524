package io.vantage.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.wire.report.ProbeResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the evaluation loop reads of each agent: when it was configured, when its results last counted, conflicts. */
class ResultStoreTest {
    private final ResultStore store = new ResultStore();

    private static Map<String, String> agents(String... idsAndRegions) {
        Map<String, String> regions = new LinkedHashMap<>();
        for (int i = 0; i < idsAndRegions.length; i += 2) {
            regions.put(idsAndRegions[i], idsAndRegions[i + 1]);
        }
        return regions;
    }

    @Test
    void anAgentIsHeardWhenABatchOfItsCountsAndKeepsThatAcrossReloadsInItsRegion() {
        AtomicInteger told = new AtomicInteger();
        store.onAccepted(told::incrementAndGet);
        store.configure(agents("agent-a", "us-east-1"), List.of("api"), 1_000);
        assertThat(store.agents(1_000))
                .containsExactly(new ResultStore.AgentState("agent-a", "us-east-1", 1_000, null, false));

        assertThat(store.offer("agent-a", ProbeResult.success("api", 1_500, 200, null, null), 1_500, 1))
                .isTrue();
        store.accepted("agent-a", 2_000);
        assertThat(told).as("the loop is told").hasValue(1);
        assertThat(store.agents(2_000).get(0).lastReportAt()).isEqualTo(2_000L);

        store.configure(agents("agent-b", "eu-west-1", "agent-a", "us-east-1"), List.of("api"), 5_000);
        assertThat(store.agents(5_000))
                .as("config order; the agent kept keeps when it was configured and heard")
                .containsExactly(
                        new ResultStore.AgentState("agent-b", "eu-west-1", 5_000, null, false),
                        new ResultStore.AgentState("agent-a", "us-east-1", 1_000, 2_000L, false));

        store.configure(agents("agent-a", "eu-central-1"), List.of("api"), 9_000);
        assertThat(store.agents(9_000))
                .as("moved to another region: a new vantage point, unheard")
                .containsExactly(new ResultStore.AgentState("agent-a", "eu-central-1", 9_000, null, false));
    }

    @Test
    void twoProcessesReportingAsOneAgentShowAsAConflict() {
        store.configure(agents("agent-a", "us-east-1", "agent-b", "eu-west-1"), List.of("api"), 1_000);
        assertThat(store.admit("agent-a", "one", 1_000)).isTrue();
        assertThat(store.admit("agent-a", "two", 1_500)).isTrue();
        assertThat(store.admit("agent-a", "one", 2_000)).isFalse();

        assertThat(store.agents(2_000))
                .extracting(ResultStore.AgentState::conflicting)
                .containsExactly(true, false);

        store.configure(agents("agent-b", "eu-west-1"), List.of("api"), 3_000);
        store.configure(agents("agent-a", "us-east-1", "agent-b", "eu-west-1"), List.of("api"), 4_000);
        assertThat(store.agents(4_000))
                .as("a removed agent's processes are forgotten")
                .extracting(ResultStore.AgentState::conflicting)
                .containsExactly(false, false);
    }
}
