package io.vantage.aggregator.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which agents are blind. A fleet is written as one string per target, one character per agent: + a fresh healthy
 * vote, - a fresh unhealthy one, . nothing fresh. Freshness 30 s.
 */
class BlindAgentsTest {
    private static final long NOW = 1_000_000;
    private static final long[] NONE = new long[0];

    private static List<Vantage[]> fleet(String... targets) {
        List<Vantage[]> all = new ArrayList<>();
        for (String target : targets) {
            Vantage[] vantages = new Vantage[target.length()];
            for (int a = 0; a < vantages.length; a++) {
                char c = target.charAt(a);
                vantages[a] = c == '.' ? new Vantage() : QuorumEvaluatorTest.vantage(NOW - 1_000, c == '+');
            }
            all.add(vantages);
        }
        return all;
    }

    private static long[] blind(long[] previous, String... targets) {
        long[] freshness = new long[targets.length];
        Arrays.fill(freshness, 30_000);
        return BlindAgents.update(
                fleet(targets),
                freshness,
                BlindAgents.oneEach(targets[0].length()),
                targets[0].length(),
                previous,
                NOW);
    }

    private static boolean isBlind(long[] result, int agent) {
        return result[agent] != BlindAgents.NOT_BLIND;
    }

    @Test
    void twoRegionsOneAgentFailingEverythingTheOtherSeesHealthyIsBlind() {
        long[] result = blind(NONE, "-+", "-+");
        assertThat(isBlind(result, 0)).isTrue();
        assertThat(result[0]).as("blind since now").isEqualTo(NOW);
        assertThat(isBlind(result, 1)).isFalse();
    }

    @Test
    void aRegionWhoseNetworkIsCutIsBlindItsOwnEndpointDownFromEverywhereIsNot() {
        // us-east-1 (agent 0) cut off: it fails both; agent 1 sees api-us down and api-eu up.
        assertThat(isBlind(blind(NONE, "--", "-+"), 0)).isTrue();
        // Only us-east-1's endpoint down: agent 0 fails one target of two, and sees the other healthy.
        long[] endpointDown = blind(NONE, "--", "++");
        assertThat(isBlind(endpointDown, 0)).isFalse();
        assertThat(isBlind(endpointDown, 1)).isFalse();
    }

    @Test
    void aRealOutageFailingFromEveryVantagePointMakesNobodyBlind() {
        long[] result = blind(NONE, "---", "---", "---", "--+");
        for (int agent = 0; agent < 3; agent++) {
            assertThat(isBlind(result, agent)).as("agent " + agent).isFalse();
        }
        // Many targets failing from every vantage point, a few seen healthy by one: still no one is blind.
        long[] mostlyDown = blind(NONE, "---", "---", "---", "---", "-++", "---", "---", "---", "---", "---");
        for (int agent = 0; agent < 3; agent++) {
            assertThat(isBlind(mostlyDown, agent)).as("agent " + agent).isFalse();
        }
    }

    @Test
    void nearlyEveryTargetIsNinetyPercent() {
        String[] targets = new String[10];
        Arrays.fill(targets, "-+");
        targets[9] = "++"; // 9 of 10 failing
        assertThat(isBlind(blind(NONE, targets), 0)).isTrue();
        targets[8] = "++"; // 8 of 10
        assertThat(isBlind(blind(NONE, targets), 0)).isFalse();
    }

    @Test
    void oneTargetOrNoOneToCompareWithIsNeverJudged() {
        assertThat(isBlind(blind(NONE, "-+"), 0)).as("one target").isFalse();
        assertThat(isBlind(blind(NONE, "-.", "-."), 0)).as("nobody else fresh").isFalse();
        assertThat(isBlind(blind(NONE, "-", "-"), 0)).as("one agent").isFalse();
    }

    @Test
    void onceBlindItStaysBlindWhileItFailsEverythingEvenAloneAndRecoversAtOnce() {
        long since = NOW - 60_000;
        long[] previous = {since, BlindAgents.NOT_BLIND};
        long[] alone = blind(previous, "-.", "-.");
        assertThat(alone[0])
                .as("the other agent restarting: still blind, since then")
                .isEqualTo(since);
        long[] sees = blind(previous, "+.", "-.");
        assertThat(isBlind(sees, 0)).as("it sees a target again").isFalse();
        assertThat(isBlind(blind(new long[] {since}, "-+", "-+"), 0))
                .as("a previous answer of another length (a reload) is no memory")
                .isTrue();
    }
}
