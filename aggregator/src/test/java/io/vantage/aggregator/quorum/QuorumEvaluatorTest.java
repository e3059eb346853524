package io.vantage.aggregator.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.QuorumSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verdict rules as a table. Each scenario is a list of rounds 10 s apart; in a round, {@code A+} means
 * agent A reported a healthy result a second ago, {@code A-} an unhealthy one, {@code A=} nothing new
 * (its last result ages), {@code A!} a result from A reported 40 s late (older than the freshness window).
 * Expected verdicts after each round: H healthy, U unhealthy, I insufficient data. Freshness is 30 s. Three
 * vantage points (A, B, C) are configured unless a row says otherwise; one never heard from is missing.
 */
class QuorumEvaluatorTest {
    private static final Duration FRESHNESS = Duration.ofSeconds(30);
    private static final QuorumSpec TWO_OF_THREE = new QuorumSpec(2, 2, 2, 2, null);
    private static final QuorumSpec TWO_OF_THREE_AT_ONCE = new QuorumSpec(2, 2, 1, 1, null);
    private static final int VANTAGES = 3;

    static Stream<Arguments> scenarios() {
        return Stream.of(
                row("no results at all", TWO_OF_THREE, "I", ""),
                row(
                        "all healthy: HEALTHY after rise=2 rounds",
                        TWO_OF_THREE,
                        "I H H",
                        "A+ B+ C+",
                        "A+ B+ C+",
                        "A+ B+ C+"),
                row("minVantages exactly met", TWO_OF_THREE, "I H", "A+ B+", "A+ B+"),
                row("one short of minVantages: insufficient, never unhealthy", TWO_OF_THREE, "I I I", "A-", "A-", "A-"),
                row("quorum exactly met (2 of 3 healthy)", TWO_OF_THREE, "I H H", "A+ B+ C-", "A+ B+ C-", "A+ B+ C-"),
                row(
                        "quorum missed by one: UNHEALTHY after fall=2 rounds",
                        TWO_OF_THREE,
                        "I H H U U",
                        "A+ B+ C+",
                        "A+ B+ C+",
                        "A+ B- C-",
                        "A+ B- C-",
                        "A+ B- C-"),
                row(
                        "one agent flapping cannot move the verdict",
                        TWO_OF_THREE,
                        "I H H H H H",
                        "A+ B+ C+",
                        "A- B+ C+",
                        "A+ B+ C+",
                        "A- B+ C+",
                        "A+ B+ C+",
                        "A- B+ C+"),
                row(
                        "one failed round is not enough (fall=2)",
                        TWO_OF_THREE,
                        "I H H H H",
                        "A+ B+ C+",
                        "A+ B+ C+",
                        "A- B- C+",
                        "A+ B+ C+",
                        "A- B- C+"),
                row(
                        "recovery needs rise=2 rounds",
                        TWO_OF_THREE,
                        "I U U U H",
                        "A- B- C-",
                        "A- B- C-",
                        "A+ B+ C+",
                        "A= B= C=",
                        "A+ B+ C+"),
                row(
                        "re-evaluating the same results is not a new round",
                        TWO_OF_THREE,
                        "I H H H H U",
                        "A+ B+ C+",
                        "A+ B+ C+",
                        "A- B- C-",
                        "A= B= C=",
                        "A= B= C=",
                        "A- B- C-"),
                row(
                        "stale agents do not count: insufficient, not unhealthy",
                        TWO_OF_THREE,
                        "I H H H I",
                        "A+ B+ C+",
                        "A+ B+ C+",
                        "A+ B= C=",
                        "A+ B= C=",
                        "A+ B= C="),
                row(
                        "agents that vanish: insufficient once their results are older than freshness",
                        TWO_OF_THREE,
                        "I H H H I",
                        "A+ B+ C+",
                        "A+ B+ C+",
                        "A= B= C=",
                        "A= B= C=",
                        "A= B= C="),
                row(
                        "results delivered late count as stale at once",
                        TWO_OF_THREE,
                        "I H I",
                        "A+ B+ C+",
                        "A+ B+ C+",
                        "A! B! C+"),
                row(
                        "unhealthy, then blind, then healthy again after rise rounds",
                        TWO_OF_THREE,
                        "I U U U I I H",
                        "A- B- C-",
                        "A- B- C-",
                        "A= B= C=",
                        "A= B= C=",
                        "A= B= C=",
                        "A+ B+ C+",
                        "A+ B+ C+"),
                row(
                        "agents joining one by one, the blind one first: never UNHEALTHY (C, unheard, could overturn it)",
                        TWO_OF_THREE_AT_ONCE,
                        "I I H H",
                        "A-",
                        "A- B+",
                        "A- B+ C+",
                        "A- B+ C+"),
                row(
                        "rolling restart of every agent in turn (each away 40 s) while A is blind: never UNHEALTHY",
                        TWO_OF_THREE_AT_ONCE,
                        "H H H H I H H H I H H H H H",
                        "A- B+ C+",
                        "A- B+ C+",
                        "A- B= C+",
                        "A- B= C+",
                        "A- B= C+",
                        "A- B+ C+",
                        "A- B+ C=",
                        "A- B+ C=",
                        "A- B+ C=",
                        "A- B+ C+",
                        "A= B+ C+",
                        "A= B+ C+",
                        "A= B+ C+",
                        "A- B+ C+"),
                row(
                        "a region lost with its agent: decisive, UNHEALTHY as soon as the others agree",
                        TWO_OF_THREE_AT_ONCE,
                        "H U U U U",
                        "A+ B+ C+",
                        "A= B- C-",
                        "A= B- C-",
                        "A= B- C-",
                        "A= B- C-"),
                row(
                        "two of three agree it is down while the third is unheard: decisive",
                        TWO_OF_THREE_AT_ONCE,
                        "U U",
                        "B- C-",
                        "B- C-"),
                row(
                        "1-of-1 quorum with rise=1 fall=1 follows every round",
                        new QuorumSpec(1, 1, 1, 1, null),
                        1,
                        "H U H",
                        "A+",
                        "A-",
                        "A+"));
    }

    private static Arguments row(String name, QuorumSpec quorum, String expected, String... rounds) {
        return row(name, quorum, VANTAGES, expected, rounds);
    }

    private static Arguments row(String name, QuorumSpec quorum, int configured, String expected, String... rounds) {
        return Arguments.of(name, quorum, configured, expected, List.of(rounds));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(String name, QuorumSpec quorum, int configured, String expected, List<String> rounds) {
        Map<String, Vantage> latest = new LinkedHashMap<>();
        long now = 1_000_000;
        VerdictState state = VerdictState.initial(now);
        List<String> verdicts = new ArrayList<>();
        for (String round : rounds) {
            now += 10_000;
            for (String token :
                    round.trim().isEmpty() ? new String[0] : round.trim().split("\\s+")) {
                String agent = token.substring(0, 1);
                switch (token.charAt(1)) {
                    case '+' -> latest.put(agent, vantage(now - 1_000, true));
                    case '-' -> latest.put(agent, vantage(now - 1_000, false));
                    case '!' -> latest.put(agent, vantage(now - 40_000, true));
                    case '=' -> {}
                    default -> throw new IllegalArgumentException(token);
                }
            }
            state = QuorumEvaluator.evaluate(quorum, FRESHNESS, all(latest), configured, state, now)
                    .state();
            verdicts.add(state.published().name().substring(0, 1));
        }
        assertThat(String.join(" ", verdicts)).isEqualTo(expected);
    }

    /**
     * Placement (TargetSpec.probeFrom), as a table: four vantage points A-D, of which {@code placed} are the ones the
     * target is placed at and {@code colocated} the ones in the target's region; rounds as in {@link #scenarios}. The
     * evaluator is told how many are placed (configured) and which, the aggregator having started 100 s before the
     * first round (so one never heard is long missing); regionLostAfter is 30 s. A vantage point not placed is neither
     * fresh, missing, lost nor blind: its results (an agent still holding an old target list) count for nothing.
     */
    static Stream<Arguments> placementScenarios() {
        QuorumSpec twoOfTwoAtOnce = new QuorumSpec(2, 2, 1, 1, null);
        QuorumSpec oneOfTwoAtOnce = new QuorumSpec(2, 1, 1, 1, null);
        return Stream.of(
                placed(
                        "placed at A B C, D never heard: HEALTHY",
                        TWO_OF_THREE,
                        "ABC",
                        "",
                        "I H H",
                        "A+ B+ C+",
                        "A+ B+ C+",
                        "A+ B+ C+"),
                placed(
                        "placed at A B, every unplaced one silent: HEALTHY",
                        TWO_OF_THREE,
                        "AB",
                        "",
                        "I H H",
                        "A+ B+",
                        "A+ B+",
                        "A+ B+"),
                placed(
                        "placed at A B: a failure among them is decisive, the silent unplaced C D cannot overturn it",
                        twoOfTwoAtOnce,
                        "AB",
                        "",
                        "U U",
                        "A+ B-",
                        "A+ B-"),
                placed(
                        "placed everywhere: C D silent could overturn it",
                        twoOfTwoAtOnce,
                        "ABCD",
                        "",
                        "I I",
                        "A+ B-",
                        "A+ B-"),
                placed(
                        "the quorum counts only placed ones: D's result does not make two",
                        twoOfTwoAtOnce,
                        "ABC",
                        "",
                        "I I",
                        "A+ D+",
                        "A+ D+"),
                placed(
                        "unplaced ones' results count for nothing, healthy or not",
                        twoOfTwoAtOnce,
                        "AB",
                        "",
                        "U H",
                        "A- B- C+ D+",
                        "A+ B+ C- D-"),
                placed(
                        "fate sharing within the placed: B, placed in the target's region, is lost with it",
                        oneOfTwoAtOnce,
                        "AB",
                        "B",
                        "H H H U",
                        "A- B+",
                        "A- B=",
                        "A- B=",
                        "A- B="),
                placed(
                        "C in the target's region but not placed is never lost with it (placed, it would be: U)",
                        oneOfTwoAtOnce,
                        "AB",
                        "C",
                        "H H H I",
                        "A- B+",
                        "A- B=",
                        "A- B=",
                        "A- B="));
    }

    private static Arguments placed(
            String name, QuorumSpec quorum, String placed, String colocated, String expected, String... rounds) {
        return Arguments.of(name, quorum, placed, colocated, expected, List.of(rounds));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("placementScenarios")
    void placementScenario(
            String name, QuorumSpec quorum, String placed, String colocated, String expected, List<String> rounds) {
        String names = "ABCD";
        Vantage[] vantages = new Vantage[names.length()];
        boolean[] isPlaced = new boolean[names.length()];
        boolean[] isColocated = new boolean[names.length()];
        for (int i = 0; i < vantages.length; i++) {
            vantages[i] = new Vantage();
            isPlaced[i] = placed.indexOf(names.charAt(i)) >= 0;
            isColocated[i] = colocated.indexOf(names.charAt(i)) >= 0;
        }
        long now = 1_000_000;
        var fleet = new QuorumEvaluator.Fleet(
                isColocated, new long[0], new int[0], now - 100_000, new boolean[0], isPlaced);
        VerdictState state = VerdictState.initial(now);
        List<String> verdicts = new ArrayList<>();
        for (String round : rounds) {
            now += 10_000;
            for (String token : round.trim().split("\\s+")) {
                int agent = names.indexOf(token.charAt(0));
                switch (token.charAt(1)) {
                    case '+' -> vantages[agent] = vantage(now - 1_000, true);
                    case '-' -> vantages[agent] = vantage(now - 1_000, false);
                    case '=' -> {}
                    default -> throw new IllegalArgumentException(token);
                }
            }
            state = QuorumEvaluator.evaluate(quorum, FRESHNESS, vantages, placed.length(), fleet, state, now)
                    .state();
            verdicts.add(state.published().name().substring(0, 1));
        }
        assertThat(String.join(" ", verdicts)).isEqualTo(expected);
    }

    @Test
    void aMembersVoteChangesOnlyAfterConfirmAgreeingResults() {
        Reading vantage = new Reading();
        assertThat(vantage.offer(result(1, true), 1, 2)).isTrue();
        assertThat(vantage.vote()).as("a first result votes at once").isTrue();
        vantage.offer(result(2, false), 2, 2);
        assertThat(vantage.vote()).as("one failure is not confirmed").isTrue();
        assertThat(vantage.observation("A", "r", "m").success()).isFalse();
        vantage.offer(result(3, false), 3, 2);
        assertThat(vantage.vote()).isFalse();
        vantage.offer(result(4, true), 4, 2);
        assertThat(vantage.vote()).isFalse();
        assertThat(vantage.offer(result(4, false), 5, 2))
                .as("not newer than the one kept (agent timestamp)")
                .isFalse();
        assertThat(vantage.observedAt()).isEqualTo(4);

        Reading followsEvery = new Reading();
        followsEvery.offer(result(1, true), 1, 1);
        followsEvery.offer(result(2, false), 2, 1);
        assertThat(followsEvery.vote()).as("confirm 1 follows every result").isFalse();
    }

    @Test
    void anEndpointFailingEveryOtherProbeMovesNoVoteAndNoVerdict() {
        QuorumSpec quorum = new QuorumSpec(2, 2, 2, 2, null, 2, null);
        Map<String, Vantage> latest = new LinkedHashMap<>();
        long now = 1_000_000;
        VerdictState state = new VerdictState(Verdict.HEALTHY, 0, null, 0, Long.MIN_VALUE);
        for (String agent : List.of("A", "B", "C")) {
            latest.put(agent, vantage(now, true));
        }
        boolean failing = false;
        for (int round = 0; round < 60; round++) {
            now += 1_000;
            String agent = String.valueOf((char) ('A' + round % 3));
            failing = !failing; // the endpoint alternates per request, whoever sends it
            ProbeResult result = failing
                    ? ProbeResult.failure("api", now, FailureReason.HTTP_STATUS, 503, null, null, "503")
                    : ProbeResult.success("api", now, 200, null, null);
            latest.get(agent).offer(result, now, quorum.confirm());
            state = QuorumEvaluator.evaluate(quorum, FRESHNESS, all(latest), VANTAGES, state, now)
                    .state();
            assertThat(state.published()).as("round " + round).isEqualTo(Verdict.HEALTHY);
        }
    }

    private static ProbeResult result(long timestamp, boolean success) {
        return success
                ? ProbeResult.success("api", timestamp, 200, null, null)
                : ProbeResult.failure("api", timestamp, FailureReason.HTTP_STATUS, 503, null, null, "503");
    }

    @Test
    void quorumChangedWhileRunningAppliesAtTheNextEvaluation() {
        long now = 1_000_000;
        Vantage[] twoHealthy = {vantage(now - 1_000, true), vantage(now - 1_000, true)};
        VerdictState healthy = new VerdictState(Verdict.HEALTHY, 0, null, 0, now - 2_000);

        Evaluation stricter = QuorumEvaluator.evaluate(
                new QuorumSpec(3, 3, 2, 2, null), FRESHNESS, twoHealthy, VANTAGES, healthy, now);
        assertThat(stricter.verdict()).as("3 vantages now needed, 2 fresh").isEqualTo(Verdict.INSUFFICIENT_DATA);
        assertThat(stricter.changed()).isTrue();

        Evaluation same = QuorumEvaluator.evaluate(TWO_OF_THREE, FRESHNESS, twoHealthy, VANTAGES, healthy, now);
        assertThat(same.verdict()).isEqualTo(Verdict.HEALTHY);
        assertThat(same.changed()).isFalse();
        assertThat(same.healthy()).isEqualTo(2);
        assertThat(same.fresh()).isEqualTo(2);
    }

    @Test
    void countsFreshHealthyAndStale() {
        long now = 1_000_000;
        Vantage[] observations = {
            vantage(now - 1_000, true), vantage(now - 29_999, false), vantage(now - 30_000, true), new Vantage()
        };

        Evaluation evaluation =
                QuorumEvaluator.evaluate(TWO_OF_THREE, FRESHNESS, observations, VANTAGES, VerdictState.initial(0), now);

        assertThat(evaluation.healthy()).isEqualTo(1);
        assertThat(evaluation.fresh()).isEqualTo(2);
        assertThat(evaluation.stale())
                .as("exactly freshness old is stale; never heard is not")
                .isEqualTo(1);
        assertThat(evaluation.raw())
                .as("stale C could make it 2 of 3: not decisive")
                .isEqualTo(Verdict.INSUFFICIENT_DATA);
    }

    @Test
    void latencyPercentilesComeFromTheFreshResultsOnly() {
        long now = 1_000_000;
        Vantage[] vantages = new Vantage[5];
        double[] totals = {0.030, 0.010, 0.020, 0.500};
        for (int i = 0; i < totals.length; i++) {
            vantages[i] = new Vantage();
            long observedAt = i == 3 ? now - 31_000 : now - 1_000; // the slow one is stale
            vantages[i].offer(
                    ProbeResult.success(
                            "api", observedAt, 200, new PhaseTimings(null, null, null, null, totals[i]), null),
                    observedAt,
                    1);
        }
        vantages[4] = vantage(now - 1_000, true); // no timings: fresh, healthy, not measured

        Evaluation evaluation =
                QuorumEvaluator.evaluate(TWO_OF_THREE, FRESHNESS, vantages, 5, VerdictState.initial(0), now);

        assertThat(evaluation.fresh()).isEqualTo(4);
        assertThat(evaluation.latencyP50Ms()).isEqualTo(20.0);
        assertThat(evaluation.latencyP90Ms()).isEqualTo(30.0);
        assertThat(QuorumEvaluator.evaluate(
                                TWO_OF_THREE,
                                FRESHNESS,
                                new Vantage[] {vantage(now - 1_000, true)},
                                1,
                                VerdictState.initial(0),
                                now)
                        .measuredLatency())
                .isFalse();
    }

    /**
     * Every combination of healthy, unhealthy and missing (never heard, or stale) for 3 and 5 vantage points, for
     * every quorum size, against the rule stated by brute force: UNHEALTHY only if no way the missing ones could
     * vote makes it healthy.
     */
    @ParameterizedTest(name = "{0} vantage points, {1} healthy needed")
    @MethodSource("quorumSizes")
    void everyCombinationOfHealthyUnhealthyAndMissing(int vantages, int needed) {
        QuorumSpec quorum = new QuorumSpec(needed, needed, 1, 1, null);
        long now = 1_000_000;
        int combinations = (int) Math.pow(3, vantages);
        for (int combination = 0; combination < combinations; combination++) {
            List<Vantage> observations = new ArrayList<>();
            int healthy = 0;
            int missing = 0;
            StringBuilder label = new StringBuilder();
            for (int v = 0, rest = combination; v < vantages; v++, rest /= 3) {
                String agent = String.valueOf((char) ('A' + v));
                switch (rest % 3) {
                    case 0 -> {
                        observations.add(vantage(now - 1_000, true));
                        healthy++;
                        label.append(agent).append("+ ");
                    }
                    case 1 -> {
                        observations.add(vantage(now - 1_000, false));
                        label.append(agent).append("- ");
                    }
                    default -> {
                        observations.add(
                                v % 2 == 0 ? vantage(now - 31_000, true) : new Vantage()); // stale, never heard
                        missing++;
                        label.append(agent).append("? ");
                    }
                }
            }
            int fresh = vantages - missing;
            boolean couldBeHealthy = false;
            for (int completion = 0; completion < (1 << missing); completion++) {
                couldBeHealthy |= healthy + Integer.bitCount(completion) >= needed;
            }
            Verdict expected = fresh < needed
                    ? Verdict.INSUFFICIENT_DATA
                    : healthy >= needed
                            ? Verdict.HEALTHY
                            : couldBeHealthy ? Verdict.INSUFFICIENT_DATA : Verdict.UNHEALTHY;

            Evaluation evaluation = QuorumEvaluator.evaluate(
                    quorum, FRESHNESS, observations.toArray(Vantage[]::new), vantages, VerdictState.initial(0), now);
            assertThat(evaluation.raw()).as(label.toString().trim()).isEqualTo(expected);
        }
    }

    /**
     * Fate sharing, for 2, 3 and 5 vantage points and every quorum: each vantage point is healthy, unhealthy, missing
     * for a moment (a restart: stale, heard 40 s ago), or missing long (never heard since start 100 s ago, or heard 90 s
     * ago), and in the target's region or not (regionLostAfter 60 s). Checked against three rules stated on their own:
     * without a co-located vantage point missing long, the verdict is the decisive quorum's; with a healthy vote
     * anywhere, fate sharing changes nothing; a region lost with its agents (every other vote unhealthy) fails over for
     * every quorum that the fleet's size can meet.
     */
    @ParameterizedTest(name = "{0} vantage points, {1} healthy needed, fate sharing")
    @MethodSource("fateSharingSizes")
    void everyCombinationWithVantagePointsInTheTargetsRegion(int vantages, int needed) {
        QuorumSpec quorum = new QuorumSpec(needed, needed, 1, 1, null, 1, Duration.ofSeconds(60));
        long now = 1_000_000;
        long startedAt = now - 100_000;
        int combinations = 1 << (3 * vantages);
        for (int combination = 0; combination < combinations; combination++) {
            Vantage[] observations = new Vantage[vantages];
            boolean[] colocated = new boolean[vantages];
            int healthy = 0;
            int unhealthy = 0;
            int longMissingColocated = 0;
            StringBuilder label = new StringBuilder();
            for (int v = 0, rest = combination; v < vantages; v++, rest >>= 3) {
                colocated[v] = (rest & 4) != 0;
                label.append((char) ('A' + v)).append(colocated[v] ? "@region" : "");
                switch (rest & 3) {
                    case 0 -> {
                        observations[v] = vantage(now - 1_000, true);
                        healthy++;
                        label.append("+ ");
                    }
                    case 1 -> {
                        observations[v] = vantage(now - 1_000, false);
                        unhealthy++;
                        label.append("- ");
                    }
                    case 2 -> {
                        observations[v] = vantage(now - 40_000, true);
                        label.append("(restarting) ");
                    }
                    default -> {
                        observations[v] = v % 2 == 0 ? new Vantage() : vantage(now - 90_000, true);
                        longMissingColocated += colocated[v] ? 1 : 0;
                        label.append("(gone) ");
                    }
                }
            }
            Verdict withFate = QuorumEvaluator.evaluate(
                            quorum,
                            FRESHNESS,
                            observations,
                            vantages,
                            new QuorumEvaluator.Fleet(colocated, new long[0], startedAt),
                            VerdictState.initial(0),
                            now)
                    .raw();
            Verdict decisive = QuorumEvaluator.evaluate(
                            quorum, FRESHNESS, observations, vantages, VerdictState.initial(0), now)
                    .raw();
            String as = label.toString().trim();
            if (longMissingColocated == 0 || healthy > 0 || unhealthy == 0) {
                assertThat(withFate)
                        .as(as + ": nothing lost with the region, the decisive quorum decides")
                        .isEqualTo(decisive);
            } else {
                // Every fresh vote unhealthy: the gone co-located ones vote unhealthy with them, and the rest could
                // still overturn it.
                int votes = unhealthy + longMissingColocated;
                Verdict expected =
                        votes < needed || vantages - votes >= needed ? Verdict.INSUFFICIENT_DATA : Verdict.UNHEALTHY;
                assertThat(withFate)
                        .as(as + ": the region's own vantage points gone with it")
                        .isEqualTo(expected);
                if (votes == vantages) {
                    assertThat(withFate)
                            .as(as + ": region lost, every other vote unhealthy")
                            .isEqualTo(Verdict.UNHEALTHY);
                }
            }
            assertThat(withFate == Verdict.UNHEALTHY && healthy > 0 && decisive != Verdict.UNHEALTHY)
                    .as(as + ": fate sharing never outvotes a healthy vote")
                    .isFalse();
        }
    }

    static Stream<Arguments> fateSharingSizes() {
        return Stream.of(
                Arguments.of(2, 1),
                Arguments.of(2, 2),
                Arguments.of(3, 1),
                Arguments.of(3, 2),
                Arguments.of(3, 3),
                Arguments.of(5, 2),
                Arguments.of(5, 3),
                Arguments.of(5, 5));
    }

    /**
     * Two regions, one agent each, quorum 1 of 1, regionLostAfter 45 s: us-east-1 is lost with its agent at t = 0
     * (agent A's last result is from t = -1 s; B's probes of the us endpoint fail from t = 10 s). A's healthy vote
     * stands while it is fresh (30 s); then it is missing and could overturn the verdict (insufficient data) until it
     * has been quiet for 45 s, when it is taken as lost with its region; the verdict falls after fall = 2 rounds.
     */
    @Test
    void twoRegionsARegionLostWithItsAgentFailsOverAfterRegionLostAfter() {
        QuorumSpec quorum = new QuorumSpec(1, 1, 2, 2, null, null, Duration.ofSeconds(45));
        boolean[] colocated = {true, false};
        long now = 1_000_000;
        Vantage a = vantage(now - 1_000, true);
        Vantage b = vantage(now - 1_000, true);
        VerdictState state = new VerdictState(Verdict.HEALTHY, 0, null, 0, now - 1_000);
        List<String> verdicts = new ArrayList<>();
        for (int second = 1; second <= 80; second++) {
            now += 1_000;
            if (second % 10 == 0) {
                b.offer(result(now, false), now, 1);
            }
            state = QuorumEvaluator.evaluate(
                            quorum,
                            FRESHNESS,
                            new Vantage[] {a, b},
                            2,
                            new QuorumEvaluator.Fleet(colocated, new long[0], 0),
                            state,
                            now)
                    .state();
            verdicts.add(second + ":" + state.published().name().charAt(0));
        }
        assertThat(verdicts.subList(0, 28)).as("A's vote still fresh").allMatch(v -> v.endsWith("H"));
        assertThat(verdicts.subList(28, 59))
                .as("A missing, for less than 45 s: it could overturn, insufficient data")
                .allMatch(v -> v.endsWith("I"));
        assertThat(verdicts.subList(59, 80))
                .as("lost with its region at 44 s, then fall = 2 rounds of B's results")
                .allMatch(v -> v.endsWith("U"));

        Vantage restarting = vantage(now - 5_000, true);
        Evaluation restart = QuorumEvaluator.evaluate(
                quorum,
                FRESHNESS,
                new Vantage[] {restarting, vantage(now - 1_000, false)},
                2,
                new QuorumEvaluator.Fleet(colocated, new long[0], 0),
                VerdictState.initial(0),
                now);
        assertThat(restart.raw())
                .as("a co-located agent 5 s quiet is restarting")
                .isEqualTo(Verdict.HEALTHY);
    }

    /**
     * Fate sharing trusts only unhealthy votes from an agent that sees some target healthy: one failing everything
     * (blind, but with nobody to compare it with while the other agent is away) cannot fail a region over.
     */
    @Test
    void aRegionIsLostOnlyOnTheVoteOfAnAgentThatSees() {
        QuorumSpec quorum = new QuorumSpec(1, 1, 1, 1, null);
        long now = 1_000_000;
        Vantage[] vantages = {vantage(now - 100_000, true), vantage(now - 1_000, false)};
        boolean[] colocated = {true, false};
        Evaluation seesNothing = QuorumEvaluator.evaluate(
                quorum,
                FRESHNESS,
                vantages,
                2,
                new QuorumEvaluator.Fleet(colocated, new long[0], new int[0], 0, new boolean[] {false, false}),
                VerdictState.initial(0),
                now);
        assertThat(seesNothing.raw()).isEqualTo(Verdict.INSUFFICIENT_DATA);
        assertThat(seesNothing.lost()).isZero();
        Evaluation sees = QuorumEvaluator.evaluate(
                quorum,
                FRESHNESS,
                vantages,
                2,
                new QuorumEvaluator.Fleet(colocated, new long[0], new int[0], 0, new boolean[] {false, true}),
                VerdictState.initial(0),
                now);
        assertThat(sees.raw())
                .as("B sees its own region's target: its vote counts")
                .isEqualTo(Verdict.UNHEALTHY);
        assertThat(sees.lost()).isEqualTo(1);
    }

    /** A blind agent's unhealthy vote is set aside (counted as missing), its healthy vote still counts. */
    @Test
    void aBlindAgentsUnhealthyVoteIsSetAsideItsHealthyVoteCounts() {
        long now = 1_000_000;
        QuorumSpec oneOfOne = new QuorumSpec(1, 1, 1, 1, null);
        long[] aBlind = {now - 5_000, BlindAgents.NOT_BLIND};
        Evaluation setAside = QuorumEvaluator.evaluate(
                oneOfOne,
                FRESHNESS,
                new Vantage[] {vantage(now - 1_000, false), vantage(now - 1_000, true)},
                2,
                new QuorumEvaluator.Fleet(new boolean[0], aBlind, 0),
                VerdictState.initial(0),
                now);
        assertThat(setAside.raw()).isEqualTo(Verdict.HEALTHY);
        assertThat(setAside.setAside()).isEqualTo(1);
        assertThat(setAside.fresh()).isEqualTo(1);

        Evaluation twoOfTwo = QuorumEvaluator.evaluate(
                new QuorumSpec(2, 2, 1, 1, null),
                FRESHNESS,
                new Vantage[] {vantage(now - 1_000, false), vantage(now - 1_000, true)},
                2,
                new QuorumEvaluator.Fleet(new boolean[0], aBlind, 0),
                VerdictState.initial(0),
                now);
        assertThat(twoOfTwo.raw())
                .as("2 of 2 with one agent blind: insufficient data, never a failover")
                .isEqualTo(Verdict.INSUFFICIENT_DATA);

        Evaluation healthyVote = QuorumEvaluator.evaluate(
                oneOfOne,
                FRESHNESS,
                new Vantage[] {vantage(now - 1_000, true), vantage(now - 1_000, false)},
                2,
                new QuorumEvaluator.Fleet(new boolean[0], aBlind, 0),
                VerdictState.initial(0),
                now);
        assertThat(healthyVote.raw()).isEqualTo(Verdict.HEALTHY);
        assertThat(healthyVote.setAside()).isZero();
    }

    static Stream<Arguments> quorumSizes() {
        return Stream.of(
                Arguments.of(3, 1),
                Arguments.of(3, 2),
                Arguments.of(3, 3),
                Arguments.of(5, 2),
                Arguments.of(5, 3),
                Arguments.of(5, 4),
                Arguments.of(5, 5));
    }

    /** A member's state in the members table: H healthy, U unhealthy, S stale, N never heard, B blind (unhealthy). */
    private static final String MEMBER_STATES = "HUSNB";

    private static final long BLIND_SINCE = 1_000_000 - 100_000;

    /**
     * A vantage point's vote from its members, for 1, 2 and 3 members in every combination of states, against the rule
     * as stated: the fresh members that count are the healthy and unhealthy ones (a blind member's unhealthy vote is set
     * aside); healthy when at least half of those are (a tie is healthy); blind when only set-aside votes are fresh;
     * else stale when any member was heard; else never heard.
     */
    @ParameterizedTest(name = "{0} members")
    @MethodSource("memberCounts")
    void aVantagePointsVoteFromEveryCombinationOfItsMembers(int members) {
        long now = 1_000_000;
        for (String states : combinations(members)) {
            Vantage vantage = members(states, now);
            long[] blind = blindColumns(states, 0, members);
            long healthy = states.chars().filter(c -> c == 'H').count();
            long counted = healthy + states.chars().filter(c -> c == 'U').count();
            Vantage.State expected = counted > 0
                    ? Vantage.State.FRESH
                    : states.contains("B")
                            ? Vantage.State.BLIND
                            : states.contains("S") ? Vantage.State.STALE : Vantage.State.NEVER;
            Vantage.Vote vote = vantage.vote(now, FRESHNESS.toMillis(), blind, 0);
            assertThat(vote.state()).as(states).isEqualTo(expected);
            if (expected == Vantage.State.FRESH) {
                assertThat(vote.healthy()).as(states).isEqualTo(2 * healthy >= counted);
                assertThat(vote.members()).as(states).isEqualTo((int) counted);
            }
        }
    }

    static Stream<Arguments> memberCounts() {
        return Stream.of(Arguments.of(1), Arguments.of(2), Arguments.of(3));
    }

    /**
     * Members never change what a quorum means: three vantage points with 3, 2 and 1 members, every combination of
     * member states (15,625), every quorum of three with fate sharing on the first vantage point's region: the verdict
     * and its counts are those of three one-process vantage points that vote as each vantage point's members do.
     */
    @ParameterizedTest(name = "{0} healthy needed")
    @MethodSource("neededOfThree")
    void aQuorumOfVantagePointsWithMembersIsTheQuorumOfTheirVotes(int needed) {
        QuorumSpec quorum = new QuorumSpec(needed, needed, 1, 1, null, 1, Duration.ofSeconds(60));
        long now = 1_000_000;
        int[] seats = {3, 2, 1};
        int[] offsets = {0, 3, 5};
        boolean[] colocated = {true, false, false};
        for (String a : combinations(3)) {
            for (String b : combinations(2)) {
                for (String c : combinations(1)) {
                    String[] states = {a, b, c};
                    Vantage[] withMembers = new Vantage[3];
                    Vantage[] alone = new Vantage[3];
                    long[] memberBlind = new long[6];
                    long[] aloneBlind = new long[3];
                    Arrays.fill(aloneBlind, BlindAgents.NOT_BLIND);
                    for (int v = 0; v < 3; v++) {
                        withMembers[v] = members(states[v], now);
                        System.arraycopy(blindColumns(states[v], 0, seats[v]), 0, memberBlind, offsets[v], seats[v]);
                        Vantage.Vote vote = withMembers[v].vote(now, FRESHNESS.toMillis(), memberBlind, offsets[v]);
                        alone[v] = switch (vote.state()) {
                            case FRESH -> vantage(now - 1_000, vote.healthy());
                            case BLIND -> vantage(now - 1_000, false);
                            case STALE -> vantage(now - 40_000, true);
                            case NEVER -> new Vantage();
                        };
                        if (vote.state() == Vantage.State.BLIND) {
                            aloneBlind[v] = BLIND_SINCE;
                        }
                    }
                    Evaluation members = QuorumEvaluator.evaluate(
                            quorum,
                            FRESHNESS,
                            withMembers,
                            3,
                            new QuorumEvaluator.Fleet(colocated, memberBlind, offsets, 0, new boolean[0]),
                            VerdictState.initial(0),
                            now);
                    Evaluation processes = QuorumEvaluator.evaluate(
                            quorum,
                            FRESHNESS,
                            alone,
                            3,
                            new QuorumEvaluator.Fleet(colocated, aloneBlind, 0),
                            VerdictState.initial(0),
                            now);
                    String label = String.join(" | ", states);
                    assertThat(members.raw()).as(label).isEqualTo(processes.raw());
                    assertThat(List.of(
                                    members.healthy(),
                                    members.fresh(),
                                    members.stale(),
                                    members.setAside(),
                                    members.lost()))
                            .as(label)
                            .isEqualTo(List.of(
                                    processes.healthy(),
                                    processes.fresh(),
                                    processes.stale(),
                                    processes.setAside(),
                                    processes.lost()));
                }
            }
        }
    }

    static Stream<Arguments> neededOfThree() {
        return Stream.of(Arguments.of(1), Arguments.of(2), Arguments.of(3));
    }

    /** Every string of {@code length} member states. */
    private static List<String> combinations(int length) {
        List<String> all = new ArrayList<>(List.of(""));
        for (int i = 0; i < length; i++) {
            List<String> longer = new ArrayList<>();
            for (String prefix : all) {
                for (char state : MEMBER_STATES.toCharArray()) {
                    longer.add(prefix + state);
                }
            }
            all = longer;
        }
        return all;
    }

    /** A vantage point whose member in seat i is in state {@code states.charAt(i)}. */
    private static Vantage members(String states, long now) {
        Vantage vantage = new Vantage(states.length());
        for (int seat = 0; seat < states.length(); seat++) {
            switch (states.charAt(seat)) {
                case 'H' -> vantage.offer(seat, result(now - 1_000 - seat, true), now - 1_000 - seat, 1);
                case 'U', 'B' -> vantage.offer(seat, result(now - 1_000 - seat, false), now - 1_000 - seat, 1);
                case 'S' -> vantage.offer(seat, result(now - 40_000, true), now - 40_000, 1);
                default -> {}
            }
        }
        return vantage;
    }

    /** Since when each member (columns {@code offset} on) is blind: the B ones. */
    private static long[] blindColumns(String states, int offset, int seats) {
        long[] blind = new long[offset + seats];
        Arrays.fill(blind, BlindAgents.NOT_BLIND);
        for (int seat = 0; seat < states.length(); seat++) {
            if (states.charAt(seat) == 'B') {
                blind[offset + seat] = BLIND_SINCE;
            }
        }
        return blind;
    }

    /** A vantage point heard once: its result's outcome is its vote. */
    static Vantage vantage(long observedAt, boolean healthy) {
        Vantage vantage = new Vantage();
        vantage.offer(result(observedAt, healthy), observedAt, 1);
        return vantage;
    }

    private static Vantage[] all(Map<String, Vantage> latest) {
        return latest.values().toArray(Vantage[]::new);
    }
}
