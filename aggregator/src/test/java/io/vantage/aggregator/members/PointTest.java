package io.vantage.aggregator.members;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.wire.Documents;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** One vantage point's members: seats, shares, moves, handovers, flapping. */
class PointTest {
    private static final int TARGETS = 600;
    private static final Point.Readings NOTHING_REPORTED = (agent, target, seat) -> Long.MIN_VALUE;

    private static List<TargetSpec> targets(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> Documents.readJson(
                        ("{\"name\": \"t" + i + "\", \"tcp\": {\"host\": \"127.0.0.1\", \"port\": 9}}")
                                .getBytes(StandardCharsets.UTF_8),
                        TargetSpec.class))
                .toList();
    }

    private static Point point(int bound, int perVantage, long now) {
        Point point = new Point("agent-a", "us-east-1", bound, perVantage);
        point.configure(bound, perVantage, targets(TARGETS), now);
        return point;
    }

    private static Set<String> share(Point point, String instance, long now) {
        TargetsBody body = point.share(instance, now);
        assertThat(body).as(instance + " is admitted").isNotNull();
        return Documents.readJson(body.json().getBytes(), TargetList.class).targets().stream()
                .map(TargetSpec::name)
                .collect(Collectors.toSet());
    }

    /** A point whose members came at once (no handovers between them). */
    private static Point point(int bound, int perVantage, long now, String... instances) {
        Point point = point(bound, perVantage, now);
        for (String instance : instances) {
            point.admit(instance, now);
        }
        return point;
    }

    /** How many of the members' shares hold each target. */
    private static Map<String, Integer> coverage(Point point, long now, String... instances) {
        Map<String, Integer> owners = new HashMap<>();
        for (String instance : instances) {
            share(point, instance, now).forEach(target -> owners.merge(target, 1, Integer::sum));
        }
        return owners;
    }

    @Test
    void eachTargetGoesToPerVantageMembersAndTheSharesAreEven() {
        Point point = point(8, 2, 0, "pod-1", "pod-2", "pod-3");
        Map<String, Integer> owners = coverage(point, 0, "pod-1", "pod-2", "pod-3");
        assertThat(owners).hasSize(TARGETS);
        assertThat(owners.values()).as("every target probed by two members").containsOnly(2);
        for (String pod : List.of("pod-1", "pod-2", "pod-3")) {
            assertThat(share(point, pod, 0).size())
                    .as(pod + "'s share of 2 x 600 over 3")
                    .isBetween(340, 460);
        }
        Point alone = point(8, 2, 0);
        assertThat(share(alone, "pod-1", 0)).as("one member probes everything").hasSize(TARGETS);
    }

    @Test
    void aJoiningMemberMovesAboutItsShareAndThePreviousOwnerKeepsATargetUntilTheNewcomerReportedIt() {
        Point point = point(8, 1, 0, "pod-1", "pod-2");
        Set<String> one = share(point, "pod-1", 0);
        Set<String> two = share(point, "pod-2", 0);
        assertThat(one.size() + two.size()).isEqualTo(TARGETS);

        Set<String> three = share(point, "pod-3", 1_000);
        double moved = (double) three.size() / TARGETS;
        assertThat(moved)
                .as("about 1/3 of the targets move to the third member")
                .isBetween(0.25, 0.42);
        assertThat(point.moves()).isEqualTo(three.size());
        assertThat(share(point, "pod-1", 1_000))
                .as("make before break: the previous owner keeps probing what moved")
                .isEqualTo(one);

        point.tick(2_000, NOTHING_REPORTED);
        assertThat(share(point, "pod-1", 2_000))
                .as("not until the newcomer has reported")
                .isEqualTo(one);

        Set<String> newcomer = three;
        point.tick(3_000, (agent, target, seat) -> newcomer.contains(target) ? 2_500 : Long.MIN_VALUE);
        Set<String> after = share(point, "pod-1", 3_000);
        assertThat(after).isEqualTo(one.stream().filter(t -> !three.contains(t)).collect(Collectors.toSet()));
        Map<String, Integer> owners = coverage(point, 3_000, "pod-1", "pod-2", "pod-3");
        assertThat(owners).hasSize(TARGETS);
        assertThat(owners.values()).containsOnly(1);
    }

    @Test
    void aSilentMemberLeavesAfterTheGoneWindowAndItsTargetsGoToTheOthersWithoutAGap() {
        Point point = point(8, 2, 0, "pod-1", "pod-2", "pod-3");
        coverage(point, 0, "pod-1", "pod-2", "pod-3");
        long later = Point.GONE_AFTER_MILLIS;
        share(point, "pod-1", later);
        share(point, "pod-2", later);
        point.tick(later, NOTHING_REPORTED);
        assertThat(coverage(point, later, "pod-1", "pod-2").values())
                .as("within the window the silent member still has its share: the others probe only theirs")
                .contains(1);

        long gone = later + 1;
        share(point, "pod-1", gone);
        share(point, "pod-2", gone);
        point.tick(gone, NOTHING_REPORTED);
        Map<String, Integer> owners = coverage(point, gone, "pod-1", "pod-2");
        assertThat(owners).hasSize(TARGETS);
        assertThat(owners.values())
                .as("two members left: both probe everything")
                .containsOnly(2);
        assertThat(point.members()).extracting(MemberView::instance).containsExactly("pod-1", "pod-2");
        assertThat(point.moves())
                .as("the gone member's targets gained a new owner")
                .isBetween(340L, 460L);
    }

    @Test
    void aFlappingMemberTakesAShareAgainOnlyAfterStayingAMinute() {
        Point point = point(8, 2, 0, "pod-1", "pod-2", "pod-3");
        coverage(point, 0, "pod-1", "pod-2", "pod-3");
        long gone = Point.GONE_AFTER_MILLIS + 1;
        share(point, "pod-1", gone);
        share(point, "pod-2", gone);
        point.tick(gone, NOTHING_REPORTED);
        long movesWhenGone = point.moves();

        long back = gone + 5_000;
        assertThat(share(point, "pod-3", back))
                .as("back within ten minutes: no share yet")
                .isEmpty();
        assertThat(point.moves()).isEqualTo(movesWhenGone);
        assertThat(point.members())
                .filteredOn(member -> member.instance().equals("pod-3"))
                .extracting(MemberView::sharing)
                .containsExactly(false);

        assertThat(share(point, "pod-3", back + 30_000))
                .as("its next fetch, still waiting")
                .isEmpty();
        long stayed = back + Point.REJOIN_AFTER_MILLIS;
        share(point, "pod-3", stayed);
        share(point, "pod-1", stayed);
        share(point, "pod-2", stayed);
        point.tick(stayed, NOTHING_REPORTED);
        assertThat(share(point, "pod-3", stayed).size())
                .as("heard for a minute: a share again")
                .isBetween(340, 460);
    }

    @Test
    void aNewProcessBeyondTheBoundDisplacesTheLeastRecentlyHeardAndItsReturnIsAConflict() {
        Point point = point(2, 2, 0);
        assertThat(point.admit("pod-1", 0)).isZero();
        assertThat(point.admit("pod-2", 100)).isEqualTo(1);
        assertThat(point.admit("pod-3", 200))
                .as("pod-1's seat: heard least recently")
                .isZero();
        assertThat(point.conflicting(200)).isFalse();
        assertThat(point.admit("pod-1", 300))
                .as("a third process at once: refused")
                .isEqualTo(-1);
        assertThat(point.share("pod-1", 300)).isNull();
        assertThat(point.conflicting(300)).isTrue();
        assertThat(point.conflicting(300 + Point.CONFLICT_SHOWN_MILLIS)).isFalse();
        assertThat(point.members()).extracting(MemberView::instance).containsExactly("pod-3", "pod-2");

        long silent = 300 + Point.GONE_AFTER_MILLIS + 1;
        point.admit("pod-3", silent);
        assertThat(point.admit("pod-1", silent))
                .as("once a member is gone, its seat is free for the returning process")
                .isEqualTo(1);
    }

    @Test
    void oneProcessPerEntryKeepsTheOldIdentityRules() {
        Point point = point(1, 2, 0);
        assertThat(point.admit("one", 1_000)).isZero();
        assertThat(point.admit("one", 2_000)).isZero();
        assertThat(point.admit("two", 3_000)).as("a restart takes over at once").isZero();
        assertThat(point.admit("two", 4_000)).isZero();
        assertThat(point.admit("one", 5_000)).as("the old process again").isEqualTo(-1);
        assertThat(point.admit("two", 5_500)).as("the current one still counts").isZero();
        assertThat(point.conflicting(5_500)).isTrue();
        assertThat(share(point, "two", 6_000)).hasSize(TARGETS);
        Set<String> names = new HashSet<>();
        point.members().forEach(member -> names.add(member.instance()));
        assertThat(names).containsExactly("two");
    }
}
