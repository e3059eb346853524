package io.vantage.aggregator.quorum;

import java.util.List;

/**
 * Which agents are blind: an agent whose votes are unhealthy for (nearly) every target it reports at once, while the
 * other agents see at least half of those targets healthy, is an outlier (a broken resolver, NIC or route), not a
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
     * Which of {@code agents} agents see: a fresh healthy vote for at least one target. Fate sharing trusts only the
     * unhealthy votes of an agent that sees something, so that an agent failing everything (blind, but not yet judged
     * so, with nobody to compare it with) cannot fail a region over.
     */
    public static boolean[] seeing(List<Vantage[]> targets, long[] freshnessMillis, int agents, long now) {
        boolean[] sees = new boolean[agents];
        for (int t = 0; t < targets.size(); t++) {
            Vantage[] vantages = targets.get(t);
            for (int a = 0; a < agents && a < vantages.length; a++) {
                long observedAt = vantages[a].observedAt();
                if (!sees[a]
                        && observedAt != Vantage.NEVER
                        && QuorumEvaluator.isFresh(observedAt, now, freshnessMillis[t])
                        && vantages[a].vote()) {
                    sees[a] = true;
                }
            }
        }
        return sees;
    }

    /**
     * Since when each of {@code agents} agents is blind, or {@link #NOT_BLIND}. {@code targets}: every configured target's
     * vantage points (one per agent, in agent order) with its freshness window in milliseconds; {@code previous}: the
     * last round's answer (empty or of another length after a reload: no agent was blind).
     */
    public static long[] update(
            List<Vantage[]> targets, long[] freshnessMillis, int agents, long[] previous, long now) {
        int[] reported = new int[agents];
        int[] failing = new int[agents];
        int[] seenHealthyElsewhere = new int[agents];
        boolean[] healthyVote = new boolean[agents];
        boolean[] freshVote = new boolean[agents];
        for (int t = 0; t < targets.size(); t++) {
            Vantage[] vantages = targets.get(t);
            int healthyVotes = 0;
            for (int a = 0; a < agents && a < vantages.length; a++) {
                long observedAt = vantages[a].observedAt();
                freshVote[a] =
                        observedAt != Vantage.NEVER && QuorumEvaluator.isFresh(observedAt, now, freshnessMillis[t]);
                healthyVote[a] = freshVote[a] && vantages[a].vote();
                if (healthyVote[a]) {
                    healthyVotes++;
                }
            }
            for (int a = 0; a < agents && a < vantages.length; a++) {
                if (!freshVote[a]) {
                    continue;
                }
                reported[a]++;
                if (!healthyVote[a]) {
                    failing[a]++;
                    if (healthyVotes > 0) {
                        seenHealthyElsewhere[a]++;
                    }
                }
            }
        }
        long[] blindSince = new long[agents];
        for (int a = 0; a < agents; a++) {
            boolean nearlyAllFailing = reported[a] >= MIN_TARGETS && failing[a] >= FAILING_SHARE * reported[a];
            boolean wasBlind = previous.length == agents && previous[a] != NOT_BLIND;
            if (nearlyAllFailing && wasBlind) {
                blindSince[a] = previous[a];
            } else if (nearlyAllFailing && seenHealthyElsewhere[a] >= SEEN_HEALTHY_SHARE * failing[a]) {
                blindSince[a] = now;
            } else {
                blindSince[a] = NOT_BLIND;
            }
        }
        return blindSince;
    }
}
