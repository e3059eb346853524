package io.vantage.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.config.AggregatorConfig.AgentEntry;
import io.vantage.aggregator.members.MemberView;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.wire.Documents;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the evaluation loop reads of each vantage point: when it was configured and last counted, its members. */
class ResultStoreTest {
    private final ResultStore store = new ResultStore();

    static AgentEntry entry(String id, String region, int members) {
        return new AgentEntry(id, region, null, "TOKEN_" + id.replace('-', '_'), null, null, members, 2, null);
    }

    private static List<AgentEntry> agents(String... idsAndRegions) {
        List<AgentEntry> entries = new ArrayList<>();
        for (int i = 0; i < idsAndRegions.length; i += 2) {
            entries.add(entry(idsAndRegions[i], idsAndRegions[i + 1], 8));
        }
        return entries;
    }

    private static List<TargetSpec> targets(String... names) {
        return List.of(names).stream()
                .map(name -> Documents.readJson(
                        ("{\"name\": \"" + name + "\", \"tcp\": {\"host\": \"127.0.0.1\", \"port\": 9}}")
                                .getBytes(StandardCharsets.UTF_8),
                        TargetSpec.class))
                .toList();
    }

    private void configure(List<AgentEntry> agents, long now) {
        store.configure(agents, targets("api"), agent -> targets("api"), now);
    }

    @Test
    void aVantagePointIsHeardWhenABatchOfItsCountsAndKeepsThatAcrossReloadsInItsRegion() {
        AtomicInteger told = new AtomicInteger();
        store.onAccepted(told::incrementAndGet);
        configure(agents("agent-a", "us-east-1"), 1_000);
        assertThat(store.agents(1_000))
                .extracting(ResultStore.AgentState::lastReportAt)
                .containsOnlyNulls();

        int seat = store.admit("agent-a", "pod-1", 1_500);
        assertThat(store.offer("agent-a", seat, ProbeResult.success("api", 1_500, 200, null, null), 1_500, 1))
                .isTrue();
        store.accepted("agent-a", seat, 2_000);
        assertThat(told).as("the loop is told").hasValue(1);
        assertThat(store.agents(2_000).get(0).lastReportAt()).isEqualTo(2_000L);
        assertThat(store.agents(2_000).get(0).members().members())
                .extracting(MemberView::instance, MemberView::lastReportAt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pod-1", 2_000L));

        configure(agents("agent-b", "eu-west-1", "agent-a", "us-east-1"), 5_000);
        assertThat(store.agents(5_000))
                .as("config order; the vantage point kept keeps when it was configured and heard, and its members")
                .extracting(
                        ResultStore.AgentState::id,
                        ResultStore.AgentState::configuredAt,
                        ResultStore.AgentState::lastReportAt,
                        agent -> agent.members().members().size())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("agent-b", 5_000L, null, 0),
                        org.assertj.core.groups.Tuple.tuple("agent-a", 1_000L, 2_000L, 1));

        configure(agents("agent-a", "eu-central-1"), 9_000);
        assertThat(store.agents(9_000))
                .as("moved to another region: a new vantage point, unheard, without members")
                .extracting(ResultStore.AgentState::configuredAt, ResultStore.AgentState::lastReportAt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(9_000L, null));
        assertThat(store.observations("api", 9_000))
                .as("its results are forgotten")
                .isEmpty();
    }

    @Test
    void moreProcessesThanTheBoundShowAsAConflict() {
        configure(List.of(entry("agent-a", "us-east-1", 1), entry("agent-b", "eu-west-1", 1)), 1_000);
        assertThat(store.admit("agent-a", "one", 1_000)).isZero();
        assertThat(store.admit("agent-a", "two", 1_500))
                .as("a restart takes the seat")
                .isZero();
        assertThat(store.admit("agent-a", "one", 2_000))
                .as("the old process again: refused")
                .isNegative();

        assertThat(store.agents(2_000))
                .extracting(ResultStore.AgentState::conflicting)
                .containsExactly(true, false);

        configure(agents("agent-b", "eu-west-1"), 3_000);
        configure(agents("agent-a", "us-east-1", "agent-b", "eu-west-1"), 4_000);
        assertThat(store.agents(4_000))
                .as("a removed vantage point's processes are forgotten")
                .extracting(ResultStore.AgentState::conflicting)
                .containsExactly(false, false);
    }

    @Test
    void anObservationCarriesTheVantagePointsVoteFromItsFreshMembers() {
        configure(agents("agent-a", "us-east-1"), 1_000);
        int one = store.admit("agent-a", "pod-1", 1_000);
        int two = store.admit("agent-a", "pod-2", 1_000);
        int three = store.admit("agent-a", "pod-3", 1_000);
        assertThat(List.of(one, two, three)).as("each member its own seat").doesNotHaveDuplicates();
        store.offer("agent-a", one, ProbeResult.success("api", 10_000, 200, null, null), 10_000, 1);
        store.offer("agent-a", two, failure(10_100), 10_100, 1);
        store.offer("agent-a", three, failure(10_200), 10_200, 1);

        Observation observation = store.observations("api", 11_000).get(0);
        assertThat(observation.member()).as("the newest reading").isEqualTo("pod-3");
        assertThat(observation.members()).isEqualTo(3);
        assertThat(observation.healthy())
                .as("two of three fresh members see it failing")
                .isFalse();

        store.offer("agent-a", three, ProbeResult.success("api", 12_000, 200, null, null), 12_000, 1);
        assertThat(store.observations("api", 12_500).get(0).healthy())
                .as("two of three fresh members see it healthy")
                .isTrue();
    }

    private static ProbeResult failure(long at) {
        return ProbeResult.failure("api", at, FailureReason.REFUSED, null, null, null, "refused");
    }
}
