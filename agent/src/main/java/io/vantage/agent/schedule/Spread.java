package io.vantage.agent.schedule;

import java.util.Random;

/**
 * Start offsets for {@code count} new targets sharing one interval: target {@code i} starts in the
 * {@code i}-th of {@code count} equal slots, at a random point inside it, except the first, which starts at once (a
 * started agent is ready, and has a first result, without waiting up to a slot: 1 s for 10 targets every 10 s). Even,
 * so there is no thundering herd at start-up or reload; jittered, so agents in several regions do not probe in
 * lockstep.
 */
public final class Spread {
    private Spread() {}

    public static long offsetMillis(int index, int count, long intervalMillis, Random random) {
        if (count <= 0 || index < 0 || index >= count) {
            throw new IllegalArgumentException("index " + index + " outside 0.." + (count - 1));
        }
        if (index == 0) {
            return 0;
        }
        double slot = (double) intervalMillis / count;
        return Math.min(intervalMillis - 1, (long) (index * slot + random.nextDouble() * slot));
    }
}
