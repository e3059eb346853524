package io.vantage.aggregator.ingest;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Which process reports as each agent. Every agent process sends a random instance id with its reports
 * ({@link io.vantage.wire.Headers#INSTANCE}). A new id replaces the old one at once (a restart); the old one reporting
 * again while the new one still does means two processes share the agent's id and token (replicas of one agent, a
 * copied config), whose interleaved results would freeze or flip its vote. Then only the current process's reports
 * count and the other's are refused (409), for as long as both keep reporting; the conflict is reported (log, metric,
 * status) until a minute after the last refused report. Kept by the {@link ResultStore}, shared by the ingest loops;
 * bounded by the configured agents.
 */
final class Instances {
    /** An instance not heard for this long is gone: another may take over without a conflict. */
    static final long GONE_AFTER_MILLIS = 30_000;
    /** A conflict is reported until this long after the last refused report. */
    static final long CONFLICT_SHOWN_MILLIS = 60_000;

    private record State(String current, long currentSeen, String previous, long previousSeen, long conflictUntil) {}

    private final Map<String, State> byAgent = new ConcurrentHashMap<>();

    /** Whether the report of {@code agent} from process {@code instance} counts (null: an agent that sends none). */
    boolean admit(String agent, String instance, long now) {
        if (instance == null) {
            return true;
        }
        boolean[] admitted = {true};
        byAgent.compute(agent, (id, state) -> {
            if (state == null) {
                return new State(instance, now, null, Long.MIN_VALUE, Long.MIN_VALUE);
            }
            if (instance.equals(state.current())) {
                return new State(instance, now, state.previous(), state.previousSeen(), state.conflictUntil());
            }
            boolean currentGone = now - state.currentSeen() > GONE_AFTER_MILLIS;
            boolean returning = instance.equals(state.previous()) && now - state.previousSeen() <= GONE_AFTER_MILLIS;
            if (!currentGone && (returning || now < state.conflictUntil())) {
                admitted[0] = false;
                return new State(state.current(), state.currentSeen(), instance, now, now + CONFLICT_SHOWN_MILLIS);
            }
            // A new process (a restart), or the current one is gone: it takes over.
            return new State(instance, now, state.current(), state.currentSeen(), state.conflictUntil());
        });
        return admitted[0];
    }

    /** The agents two processes reported as within the last minute. */
    Set<String> conflicting(long now) {
        return byAgent.entrySet().stream()
                .filter(entry -> now < entry.getValue().conflictUntil())
                .map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Forgets agents a reload removed. */
    void retain(Set<String> agents) {
        byAgent.keySet().retainAll(agents);
    }
}
