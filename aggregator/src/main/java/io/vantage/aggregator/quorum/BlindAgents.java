package io.vantage.aggregator.quorum;

import java.util.Arrays;
import java.util.List;

/**
 * Which members are blind: a member (an agent process) whose votes are unhealthy for (nearly) every target it reports
 * at once, while the other members see at least half of those targets healthy, is an outlier (a broken resolver, NIC or route), not a
 * witness. Its unhealthy votes are set aside by the {@link QuorumEvaluator}; its healthy votes still count, so setting
 * it aside can only keep a verdict from turning UNHEALTHY, never make one.
 *
 * <p>A real outage is not mistaken for blindness: when many targets fail from every vantage point, no other agent sees
 * them healthy, and an agent that fails only some of its targets (one region's endpoint down) is below the share.
 * Judging needs at least {@link #MIN_TARGETS} targets and another agent to compare with; once blind, an agent stays
 * blind while it keeps failing nearly everything, even when no other agent can be compared with it (the others
 * restarting), and stops being blind as soon as it fails less.
 *
 * <p>A pure function of the vantage points, the previous round's answer and the time; no clock of its own.
 */
public final class BlindAgents {
    /** {@link #update}'s value for an agent that is not blind. */
    public static final long NOT_BLIND = Long.MAX_VALUE;
    /** An agent is judged on at least this many fresh targets. */
    public static final int MIN_TARGETS = 2;
    /** "Nearly every target": at least 90 % of its fresh votes are unhealthy. */
    static final double FAILING_SHARE = 0.9;
    /** The others see at least half of the targets it fails healthy. */
    static final double SEEN_HEALTHY_SHARE = 0.5;

    private BlindAgents() {}

    /**
     * Which of {@code agents} vantage points see: a fresh healthy vote of one of its members for at least one target.
     * Fate sharing trusts only the unhealthy votes of a vantage point that sees something, so that one failing
     * everything (blind, but not yet judged so, with nobody to compare it with) cannot fail a region over.
     */
    public static boolean[] seeing(List<Vantage[]> targets, long[] freshnessMillis, int agents, long now) {
        boolean[] sees = new boolean[agents];
        for (int t = 0; t < targets.size(); t++) {
            Vantage[] vantages = targets.get(t);
            for (int a = 0; a < agents && a < vantages.length; a++) {
                for (long seats = vantages[a].occupied(); !sees[a] && seats != 0; seats &= seats - 1) {
                    Reading reading = vantages[a].reading(Long.numberOfTrailingZeros(seats));
                    sees[a] = healthy(reading, now, freshnessMillis[t]);
                }
            }
        }
        return sees;
    }

    /** The columns of one member per vantage point: vantage point i's only member is column i. */
    public static int[] oneEach(int agents) {
        int[] offsets = new int[agents];
        Arrays.setAll(offsets, i -> i);
        return offsets;
    }

    /**
     * Since when each member is blind, or {@link #NOT_BLIND}, by column: vantage point i's members are columns {@code
     * offsets[i]} on, one per seat, {@code columns} in all. {@code targets}: every configured target's vantage points
     * (in agent order) with its freshness window in milliseconds; {@code previous}: the last round's answer (empty or
     * of another length after a reload: no member was blind). A member is compared with every other member, its
     * vantage point's peers included.
     */
    public static long[] update(
            List<Vantage[]> targets, long[] freshnessMillis, int[] offsets, int columns, long[] previous, long now) {
        int[] reported = new int[columns];
        int[] failing = new int[columns];
        int[] seenHealthyElsewhere = new int[columns];
        for (int t = 0; t < targets.size(); t++) {
            Vantage[] vantages = targets.get(t);
            int healthyVotes = 0;
            for (int a = 0; a < offsets.length && a < vantages.length; a++) {
                for (long seats = vantages[a].occupied(); seats != 0; seats &= seats - 1) {
                    if (healthy(vantages[a].reading(Long.numberOfTrailingZeros(seats)), now, freshnessMillis[t])) {
                        healthyVotes++;
                    }
                }
            }
            for (int a = 0; a < offsets.length && a < vantages.length; a++) {
                for (long seats = vantages[a].occupied(); seats != 0; seats &= seats - 1) {
                    int seat = Long.numberOfTrailingZeros(seats);
                    Reading reading = vantages[a].reading(seat);
                    if (!fresh(reading, now, freshnessMillis[t])) {
                        continue;
                    }
                    int column = offsets[a] + seat;
                    reported[column]++;
                    if (!reading.vote()) {
                        failing[column]++;
                        if (healthyVotes > 0) {
                            seenHealthyElsewhere[column]++;
                        }
                    }
                }
            }
        }
        long[] blindSince = new long[columns];
        for (int c = 0; c < columns; c++) {
            boolean nearlyAllFailing = reported[c] >= MIN_TARGETS && failing[c] >= FAILING_SHARE * reported[c];
            boolean wasBlind = previous.length == columns && previous[c] != NOT_BLIND;
            if (nearlyAllFailing && wasBlind) {
                blindSince[c] = previous[c];
            } else if (nearlyAllFailing && seenHealthyElsewhere[c] >= SEEN_HEALTHY_SHARE * failing[c]) {
                blindSince[c] = now;
            } else {
                blindSince[c] = NOT_BLIND;
            }
        }
        return blindSince;
    }

    private static boolean fresh(Reading reading, long now, long freshnessMillis) {
        long observedAt = reading.observedAt();
        return observedAt != Vantage.NEVER && QuorumEvaluator.isFresh(observedAt, now, freshnessMillis);
    }

    private static boolean healthy(Reading reading, long now, long freshnessMillis) {
        return fresh(reading, now, freshnessMillis) && reading.vote();
    }
}
