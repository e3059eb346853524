package io.vantage.aggregator.config;

import io.vantage.wire.target.TargetSpec;
import java.util.List;

/**
 * Where a target is probed from: a target's {@code probeFrom} names regions or agent ids, and an {@code agents:} entry
 * (a vantage point) is placed for the target when the list is empty or names its region or its id. Only placed vantage
 * points are sent the target, and only they count in its quorum, its fate sharing and its failover model.
 */
public final class Placement {
    private Placement() {}

    /** Whether {@code target} is probed from {@code agent}. */
    public static boolean placedAt(TargetSpec target, AggregatorConfig.AgentEntry agent) {
        return placedAt(target, agent.id(), agent.region());
    }

    /** Whether {@code target} is probed from the vantage point {@code agentId} in {@code region}. */
    public static boolean placedAt(TargetSpec target, String agentId, String region) {
        return target.placedAt(agentId, region);
    }

    /** Per agent entry (config order): whether the target is placed there. */
    public static boolean[] placed(TargetSpec target, List<AggregatorConfig.AgentEntry> agents) {
        boolean[] placed = new boolean[agents.size()];
        for (int i = 0; i < placed.length; i++) {
            placed[i] = placedAt(target, agents.get(i));
        }
        return placed;
    }

    /** How many of {@code agents} the target is placed at. */
    public static int count(TargetSpec target, List<AggregatorConfig.AgentEntry> agents) {
        if (target.probeFrom().isEmpty()) {
            return agents.size();
        }
        int count = 0;
        for (AggregatorConfig.AgentEntry agent : agents) {
            if (placedAt(target, agent)) {
                count++;
            }
        }
        return count;
    }
}
