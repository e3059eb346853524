package io.vantage.aggregator.ingest;

import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.Vantage;
import io.vantage.wire.report.ProbeResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What ingest learnt, and all the evaluation loop reads: the newest result per target and agent, in a {@link Vantage}
 * allocated when a config loads (storing a result allocates nothing that outlives the request); when each agent's
 * results last counted; and which process reports as each agent ({@link Instances}). Written by the ingest event loops,
 * read by the evaluator; a duplicate or reordered result (not newer than the one kept) is ignored. Memory is bounded by
 * targets × agents.
 */
public final class ResultStore {
    private static final Vantage[] NONE = new Vantage[0];

    /**
     * A configured agent as the store knows it. {@code configuredAt}: when it was configured (the start, or the reload
     * that added it or moved it to another region); {@code lastReportAt}: when its results last counted (aggregator
     * clock), null when none has since it was configured; {@code conflicting}: two processes reported as it within the
     * last minute.
     */
    public record AgentState(String id, String region, long configuredAt, Long lastReportAt, boolean conflicting) {}

    /** One configured agent's liveness: written by the ingest loops, read by the evaluator. */
    private static final class Heard {
        final String region;
        final long configuredAt;
        volatile Long lastReportAt;

        Heard(String region, long configuredAt) {
            this.region = region;
            this.configuredAt = configuredAt;
        }
    }

    /** The configured agents in order, each with its liveness, and per target one vantage per agent in that order. */
    private record Layout(
            List<String> agents, List<Heard> heard, Map<String, Integer> agentIndex, Map<String, Vantage[]> targets) {}

    private final Instances instances = new Instances();
    private volatile Layout layout = new Layout(List.of(), List.of(), Map.of(), Map.of());
    private volatile Runnable onAccepted = () -> {};

    /** Told after each batch that kept a result (the evaluation loop then evaluates soon); from any thread. */
    public void onAccepted(Runnable listener) {
        this.onAccepted = listener;
    }

    /**
     * A batch from {@code agentId} that arrived at {@code receivedAt} had at least one result kept ({@link #offer}
     * returned true): the agent is heard, and the listener told. Only results that count make an agent heard: one whose
     * every result is dropped looks silent, and the silent-agent alert can fire.
     */
    public void accepted(String agentId, long receivedAt) {
        Layout current = layout;
        Integer agent = current.agentIndex().get(agentId);
        if (agent != null) {
            current.heard().get(agent).lastReportAt = receivedAt;
        }
        onAccepted.run();
    }

    /** Whether the report of {@code agentId} from process {@code instance} counts ({@link Instances#admit}). */
    public boolean admit(String agentId, String instance, long now) {
        return instances.admit(agentId, instance, now);
    }

    /**
     * Lays the store out for these agents (id to region, in config order) and targets, configured at {@code now}; the
     * latest result of every (target, agent) pair that stays is kept, the others are forgotten. An agent that stays in
     * its region keeps when it was configured and last heard; one added or moved starts unheard.
     */
    public void configure(Map<String, String> regionsByAgent, Collection<String> targets, long now) {
        Layout before = layout;
        List<String> agents = List.copyOf(regionsByAgent.keySet());
        Map<String, Integer> agentIndex = new HashMap<>();
        List<Heard> heard = new ArrayList<>(agents.size());
        for (String agent : agents) {
            agentIndex.put(agent, agentIndex.size());
            Integer was = before.agentIndex().get(agent);
            Heard kept = was == null ? null : before.heard().get(was);
            String region = regionsByAgent.get(agent);
            heard.add(kept != null && kept.region.equals(region) ? kept : new Heard(region, now));
        }
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
        layout = new Layout(agents, List.copyOf(heard), Map.copyOf(agentIndex), slots);
        instances.retain(regionsByAgent.keySet());
    }

    /** The configured agents in config order, as of {@code now}. */
    public List<AgentState> agents(long now) {
        Layout current = layout;
        Set<String> conflicting = instances.conflicting(now);
        List<AgentState> agents = new ArrayList<>(current.agents().size());
        for (int i = 0; i < current.agents().size(); i++) {
            String id = current.agents().get(i);
            Heard heard = current.heard().get(i);
            agents.add(
                    new AgentState(id, heard.region, heard.configuredAt, heard.lastReportAt, conflicting.contains(id)));
        }
        return agents;
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
                    current.agents().get(i), current.heard().get(i).region);
            if (observation != null) {
                heard.add(observation);
            }
        }
        return heard;
    }
}
