package io.vantage.aggregator.ingest;

import io.vantage.aggregator.quorum.Observation;
import io.vantage.wire.report.ProbeResult;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest observation per target and agent. Written by the ingest event loops, read by the evaluator;
 * a duplicate or reordered result (not newer than the one kept) is ignored. Memory is bounded by
 * targets × agents.
 */
public final class ResultStore {
    private final Map<String, Map<String, Observation>> byTarget = new ConcurrentHashMap<>();

    /**
     * Keeps {@code result} from {@code agentId} when it is the newest for its target and agent, updating that
     * vantage point's vote ({@code confirm}: consecutive agreeing results needed to change it). Returns whether it was kept.
     */
    public boolean offer(String agentId, String region, ProbeResult result, long observedAt, int confirm) {
        Map<String, Observation> agents =
                byTarget.computeIfAbsent(result.target(), target -> new ConcurrentHashMap<>());
        boolean[] kept = {false};
        agents.compute(agentId, (agent, current) -> {
            if (current == null || result.timestamp() > current.result().timestamp()) {
                kept[0] = true;
                return Observation.next(current, agentId, region, result, observedAt, confirm);
            }
            return current;
        });
        return kept[0];
    }

    public Collection<Observation> observations(String target) {
        Map<String, Observation> agents = byTarget.get(target);
        return agents == null ? List.of() : agents.values();
    }

    /** Forgets targets no longer configured and agents no longer allowed. */
    public void retain(Set<String> targets, Set<String> agents) {
        byTarget.keySet().retainAll(targets);
        byTarget.values().forEach(perAgent -> perAgent.keySet().retainAll(agents));
    }
}
