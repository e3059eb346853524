package io.vantage.aggregator.routing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One vantage point's answers for one observed name over time (those that named targets), and for each target they
 * stopped naming, the {@link Absence} since. A target missing from one answer has not necessarily been failed over: a
 * weighted name answers a random record per query, a multivalue name several, so a move is called only once the target
 * has stayed out of the answers for as long as {@link #holdMillis} says, judged on what this vantage point's answers
 * were before. On the aggregator's context only.
 */
final class AnswerHistory {
    /** How many picks of an answer a target's share in the answers is judged over (the lookback). */
    static final int LOOKBACK_PICKS = 10;

    /**
     * The chance of a target still answered staying out of a vantage point's answers as long as a move must last: 0.5^10
     * for a share of one half over {@value #LOOKBACK_PICKS} picks.
     */
    static final double CHANCE = 0.001;

    /**
     * Picks a target named in every answer of a full lookback must stay out for: whatever its share w, the chance of
     * w^10 (named in 10 picks) times (1 - w)^3 (then out of 3) is at most 0.0009, under {@link #CHANCE}; 2 picks would
     * allow 0.0045.
     */
    static final int NAMED_THROUGHOUT_PICKS = 3;

    /**
     * Observations a target must stay out of answers that name one record per client for: nothing in them is random,
     * and Route 53 changing its choice back and forth within them is a flap, not a failover.
     */
    static final int SETTLED_OBSERVATIONS = 3;

    /** Answers kept at most, whatever the lookback (a 2-day TTL observed every second would be 1.7 million). */
    private static final int MAX_KEPT = 2_048;

    /**
     * How a target's absence is judged at one vantage point of one name: {@code interval}, the name's observation
     * interval; {@code ttl}, the DNS TTL the failover model assumes for the target's record; {@code onePerVantage}, the
     * target's record group answers each client with one record, the same each time (its routingPolicy says so).
     */
    record Persistence(Duration interval, Duration ttl, boolean onePerVantage) {
        /**
         * How far apart two answers are surely two picks: a resolver keeps an answer for its TTL, so one that caches
         * picks anew at most once per TTL, and an agent asks once per interval.
         */
        long pickMillis() {
            return Math.max(interval.toMillis(), ttl.toMillis());
        }
    }

    /**
     * Answers without a target since the one observed at {@code firstObservedAt}, first seen in the round at {@code
     * since}, until {@code lastObservedAt}: a move once they span {@code holdMillis}.
     */
    record Absence(long since, long firstObservedAt, long lastObservedAt, long holdMillis) {
        boolean held() {
            return lastObservedAt - firstObservedAt >= holdMillis;
        }
    }

    private record Answer(long observedAt, Set<String> targets) {}

    private final Deque<Answer> kept = new ArrayDeque<>();
    private final Map<String, Absence> absences = new HashMap<>();

    /**
     * A new answer naming {@code targets} (one already added is ignored): targets named before and missing now start an
     * absence, named ones end theirs. {@code persistence}: null for a target no longer configured; {@code keepMillis}:
     * how far back answers are kept.
     */
    void add(
            long round,
            long observedAt,
            List<String> targets,
            Function<String, Persistence> persistence,
            long keepMillis) {
        Answer previous = kept.peekLast();
        if (previous != null && observedAt <= previous.observedAt()) {
            return;
        }
        Set<String> named = Set.copyOf(targets);
        absences.keySet().removeIf(target -> named.contains(target) || persistence.apply(target) == null);
        absences.replaceAll((target, absence) ->
                new Absence(absence.since(), absence.firstObservedAt(), observedAt, absence.holdMillis()));
        if (previous != null) {
            for (String target : previous.targets()) {
                Persistence rules = persistence.apply(target);
                if (!named.contains(target) && rules != null) {
                    absences.put(
                            target, new Absence(round, observedAt, observedAt, holdMillis(target, observedAt, rules)));
                }
            }
        }
        kept.addLast(new Answer(observedAt, named));
        while (kept.size() > MAX_KEPT || kept.peekFirst().observedAt() < observedAt - keepMillis) {
            kept.removeFirst();
        }
    }

    /** The absence of {@code target} from these answers, null while it is named (or never was). */
    Absence absence(String target) {
        return absences.get(target);
    }

    /**
     * How long {@code target} must stay out of these answers, from an absence starting at {@code at}, for a move: judged
     * on its share w of the answers of the lookback before ({@value #LOOKBACK_PICKS} picks).
     *
     * <ul>
     *   <li>Its group answers one record per client (routingPolicy) and every answer of the lookback named it alone:
     *       {@value #SETTLED_OBSERVATIONS} observations.
     *   <li>Named in every answer of a full lookback: {@value #NAMED_THROUGHOUT_PICKS} picks.
     *   <li>Otherwise (a weighted or multivalue name, a lookback not yet full): as many picks as make staying out by
     *       chance, (1 - w)^picks, at most {@link #CHANCE}, and at least {@value #LOOKBACK_PICKS} (which cover a share of
     *       one half, whatever a short lookback showed).
     * </ul>
     */
    private long holdMillis(String target, long at, Persistence persistence) {
        long pick = persistence.pickMillis();
        long lookbackStart = at - LOOKBACK_PICKS * pick;
        int seen = 0;
        int named = 0;
        boolean alone = true;
        for (Answer answer : kept) {
            if (answer.observedAt() >= lookbackStart) {
                seen++;
                named += answer.targets().contains(target) ? 1 : 0;
                alone &= answer.targets().equals(Set.of(target));
            }
        }
        if (persistence.onePerVantage() && seen > 0 && alone) {
            return SETTLED_OBSERVATIONS * persistence.interval().toMillis();
        }
        boolean full = !kept.isEmpty() && kept.peekFirst().observedAt() <= lookbackStart;
        if (named > 0 && named == seen && full) {
            return NAMED_THROUGHOUT_PICKS * pick;
        }
        if (named == 0 || named == seen) {
            return LOOKBACK_PICKS * pick;
        }
        double share = (double) named / seen;
        long picks = (long) Math.ceil(Math.log(CHANCE) / Math.log(1 - share));
        return Math.max(LOOKBACK_PICKS, picks) * pick;
    }
}
