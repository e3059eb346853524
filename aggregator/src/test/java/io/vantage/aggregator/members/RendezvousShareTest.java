package io.vantage.aggregator.members;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a member joining moves: with {@code perVantage} p and N members becoming N + 1, the newcomer enters the top p of
 * N + 1 weights for about p / (N + 1) of the targets; only those change owners, each gains the newcomer and loses one
 * previous owner, and no target moves between the members that were already there. Over 3,000 pod-like names.
 */
class RendezvousShareTest {
    static final int TARGETS = 3_000;

    private static List<Set<String>> owners(List<String> members, int perVantage) {
        long[] hashes = members.stream().mapToLong(Rendezvous::hash).toArray();
        List<Set<String>> owners = new ArrayList<>();
        for (int t = 0; t < TARGETS; t++) {
            Set<String> set = new TreeSet<>();
            for (int index : Rendezvous.owners(Rendezvous.hash("api-" + t + ".example.com"), hashes, perVantage)) {
                set.add(members.get(index));
            }
            owners.add(set);
        }
        return owners;
    }

    @ParameterizedTest(name = "perVantage {0}, {1} → {1} + 1 members")
    @CsvSource({"1, 2", "2, 2", "1, 3", "2, 3", "2, 7"})
    void aJoinMovesAboutPerVantageOverNPlusOne(int perVantage, int members) {
        List<String> before = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            before.add("vantage-agent-eu-west-1-7f9c4d-" + (char) ('a' + i) + "x2q");
        }
        List<String> after = new ArrayList<>(before);
        String newcomer = "vantage-agent-eu-west-1-7f9c4d-zz9k";
        after.add(newcomer);
        List<Set<String>> ownersBefore = owners(before, perVantage);
        List<Set<String>> ownersAfter = owners(after, perVantage);
        int moved = 0;
        for (int t = 0; t < TARGETS; t++) {
            Set<String> previous = ownersBefore.get(t);
            Set<String> next = ownersAfter.get(t);
            assertThat(next).hasSize(Math.min(perVantage, members + 1));
            if (!previous.equals(next)) {
                moved++;
                Set<String> kept = new TreeSet<>(next);
                kept.remove(newcomer);
                assertThat(next).as("a target that moved went to the newcomer").contains(newcomer);
                assertThat(previous)
                        .as("the others it keeps were owners before")
                        .containsAll(kept);
            }
        }
        double expected = Math.min(1.0, (double) perVantage / (members + 1));
        double fraction = (double) moved / TARGETS;
        System.out.printf(
                Locale.ROOT,
                "perVantage %d, %d → %d members: %.3f of the targets changed owners (expected %.3f)%n",
                perVantage,
                members,
                members + 1,
                fraction,
                expected);
        // binomial standard deviation at 3,000 targets is at most 0.0092: four of them
        assertThat(fraction).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.037));
    }
}
