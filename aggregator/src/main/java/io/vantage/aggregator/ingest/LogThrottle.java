package io.vantage.aggregator.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * At most one log line per key (an agent) per interval, counting the lines held back since the last one: a
 * misconfigured or hostile client cannot flood the log. One event loop's (not thread-safe); bounded by the keys, the
 * configured agents.
 */
final class LogThrottle {
    /** What {@link #admit} returns for a line to hold back. */
    static final long HELD_BACK = -1;

    private static final long NEVER = Long.MIN_VALUE;

    private final long everyMillis;
    /** Per key: when a line was last logged, and how many were held back since. */
    private final Map<String, long[]> byKey = new HashMap<>();

    LogThrottle(long everyMillis) {
        this.everyMillis = everyMillis;
    }

    /** For a line about {@code key} at {@code now}: {@link #HELD_BACK}, or how many were held back before it. */
    long admit(String key, long now) {
        long[] last = byKey.computeIfAbsent(key, k -> new long[] {NEVER, 0});
        if (last[0] != NEVER && now - last[0] < everyMillis) {
            last[1]++;
            return HELD_BACK;
        }
        long heldBack = last[1];
        last[0] = now;
        last[1] = 0;
        return heldBack;
    }
}
