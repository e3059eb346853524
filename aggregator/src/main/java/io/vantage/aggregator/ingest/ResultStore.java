package io.vantage.aggregator.ingest;

import io.vantage.aggregator.quorum.Observation;
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

    /** Returns true when the observation was kept (it is the newest for its target and agent). */
    public boolean offer(Observation observation) {
        Map<String, Observation> agents = byTarget.computeIfAbsent(observation.result().target(), target -> new ConcurrentHashMap<>());
        boolean[] kept = {false};
        agents.compute(observation.agentId(), (agent, current) -> {
            if (current == null || observation.result().timestamp() > current.result().timestamp()) {
                kept[0] = true;
                return observation;
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
