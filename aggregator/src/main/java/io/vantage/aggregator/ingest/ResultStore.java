package io.vantage.aggregator.ingest;

import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.Vantage;
import io.vantage.wire.report.ProbeResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest result per target and agent, in a {@link Vantage} allocated when a config loads: storing a result
 * allocates nothing that outlives the request. Written by the ingest event loops, read by the evaluator; a duplicate or
 * reordered result (not newer than the one kept) is ignored. Memory is bounded by targets × agents.
 */
public final class ResultStore {
    private static final Vantage[] NONE = new Vantage[0];

    /** The configured agents in order, and per target one vantage per agent in that order. */
    private record Layout(
            List<String> agents,
            List<String> regions,
            Map<String, Integer> agentIndex,
            Map<String, Vantage[]> targets) {}

    private volatile Layout layout = new Layout(List.of(), List.of(), Map.of(), Map.of());
    private volatile Runnable onAccepted = () -> {};

    /** Told after each batch that kept a result (the evaluation loop then evaluates soon); from any thread. */
    public void onAccepted(Runnable listener) {
        this.onAccepted = listener;
    }

    /** A batch's results are stored and at least one was kept ({@link #offer} returned true). */
    public void accepted() {
        onAccepted.run();
    }

    /**
     * Lays the store out for these agents (id to region, in config order) and targets; the latest result of every
     * (target, agent) pair that stays is kept, the others are forgotten.
     */
    public void configure(Map<String, String> regionsByAgent, Collection<String> targets) {
        Layout before = layout;
        List<String> agents = List.copyOf(regionsByAgent.keySet());
        Map<String, Integer> agentIndex = new HashMap<>();
        agents.forEach(agent -> agentIndex.put(agent, agentIndex.size()));
        Map<String, Vantage[]> slots = new HashMap<>();
        for (String target : targets) {
            Vantage[] previous = before.targets().get(target);
            Vantage[] vantages = new Vantage[agents.size()];
            for (int i = 0; i < vantages.length; i++) {
                Integer was = before.agentIndex().get(agents.get(i));
                vantages[i] = previous != null && was != null ? previous[was] : new Vantage();
            }
            slots.put(target, vantages);
        }
        layout = new Layout(agents, List.copyOf(regionsByAgent.values()), Map.copyOf(agentIndex), slots);
    }

    /**
     * Keeps {@code result} from {@code agentId} when it is the newest for its target and agent, updating that vantage
     * point's vote ({@code confirm}: consecutive agreeing results needed to change it). Returns whether it was kept; a
     * target or agent that a reload removed a moment ago keeps nothing.
     */
    public boolean offer(String agentId, ProbeResult result, long observedAt, int confirm) {
        Layout current = layout;
        Vantage[] vantages = current.targets().get(result.target());
        Integer agent = current.agentIndex().get(agentId);
        return vantages != null && agent != null && vantages[agent].offer(result, observedAt, confirm);
    }

    /** The target's vantage points, one per configured agent in config order; empty for a target not configured. */
    public Vantage[] vantages(String target) {
        return layout.targets().getOrDefault(target, NONE);
    }

    /** Copies of the target's latest results, one per agent that was heard, in config order. */
    public List<Observation> observations(String target) {
        Layout current = layout;
        Vantage[] vantages = current.targets().getOrDefault(target, NONE);
        List<Observation> heard = new ArrayList<>(vantages.length);
        for (int i = 0; i < vantages.length; i++) {
            Observation observation = vantages[i].observation(
                    current.agents().get(i), current.regions().get(i));
            if (observation != null) {
                heard.add(observation);
            }
        }
        return heard;
    }
}
