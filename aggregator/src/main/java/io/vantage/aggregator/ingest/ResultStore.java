package io.vantage.aggregator.ingest;

import io.vantage.aggregator.config.AggregatorConfig.AgentEntry;
import io.vantage.aggregator.members.Members;
import io.vantage.aggregator.members.TargetsBody;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.Reading;
import io.vantage.aggregator.quorum.Vantage;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What ingest learnt, and all the evaluation loop reads: the newest result per target and member of each vantage
 * point, in a {@link Vantage} allocated when a config loads (storing a result allocates nothing that outlives the
 * request, once a member has reported a target); when each vantage point's results last counted; and which processes
 * report as each vantage point, with their shares of the targets ({@link Members}). Written by the ingest and API event
 * loops, read by the evaluator; a duplicate or reordered result (not newer than the one kept) is ignored. Memory is
 * bounded by targets × vantage points × members.
 */
public final class ResultStore {
    private static final Vantage[] NONE = new Vantage[0];

    /**
     * A configured vantage point as the store knows it. {@code configuredAt}: when it was configured (the start, or the
     * reload that added it or moved it to another region); {@code lastReportAt}: when its results last counted
     * (aggregator clock), null when none has since it was configured; {@code members}: its members ({@link
     * Members.PointView}).
     */
    public record AgentState(
            String id, String region, long configuredAt, Long lastReportAt, Members.PointView members) {
        /** More processes than its bound reported as it within the last minute. */
        public boolean conflicting() {
            return members.conflicting();
        }
    }

    /** One configured vantage point's liveness: written by the ingest loops, read by the evaluator. */
    private static final class Heard {
        final String region;
        final long configuredAt;
        volatile Long lastReportAt;

        Heard(String region, long configuredAt) {
            this.region = region;
            this.configuredAt = configuredAt;
        }
    }

    /**
     * The configured vantage points in order, each with its liveness, and per target one vantage per vantage point in
     * that order (those it is not placed at never hear it) with its freshness window.
     */
    private record Layout(
            List<AgentEntry> agents,
            List<Heard> heard,
            Map<String, Integer> agentIndex,
            Map<String, Vantage[]> targets,
            Map<String, Long> freshness) {}

    private final Members members = new Members();
    private volatile Layout layout = new Layout(List.of(), List.of(), Map.of(), Map.of(), Map.of());
    private volatile Runnable onAccepted = () -> {};

    /** Told after each batch that kept a result (the evaluation loop then evaluates soon); from any thread. */
    public void onAccepted(Runnable listener) {
        this.onAccepted = listener;
    }

    /**
     * A batch from the member in {@code seat} of {@code agentId} that arrived at {@code receivedAt} had at least one
     * result kept ({@link #offer} returned true): the vantage point and the member are heard, and the listener told.
     * Only results that count make them heard: one whose every result is dropped looks silent, and the silent-agent
     * alert can fire.
     */
    public void accepted(String agentId, int seat, long receivedAt) {
        Layout current = layout;
        Integer agent = current.agentIndex().get(agentId);
        if (agent != null) {
            current.heard().get(agent).lastReportAt = receivedAt;
        }
        members.reported(agentId, seat, receivedAt);
        onAccepted.run();
    }

    /**
     * The seat of process {@code instance} (null: one that sends none) reporting as {@code agentId}, or -1 when it is
     * refused: more processes report as the vantage point than it may have.
     */
    public int admit(String agentId, String instance, long now) {
        return members.admit(agentId, instance, now);
    }

    /** The share of the targets of process {@code instance} of {@code agentId}; null when it is refused. */
    public TargetsBody share(String agentId, String instance, long now) {
        return members.share(agentId, instance, now);
    }

    /** Once per round: members come and go, shares follow, handovers end ({@link Members#tick}). */
    public void tick(long now) {
        Layout current = layout;
        members.tick(now, (agentId, target, seat) -> {
            Integer agent = current.agentIndex().get(agentId);
            Vantage[] vantages = current.targets().get(target);
            Reading reading = agent == null || vantages == null || seat >= vantages[agent].seats()
                    ? null
                    : vantages[agent].reading(seat);
            return reading == null ? Vantage.NEVER : reading.observedAt();
        });
    }

    /**
     * Lays the store out for these vantage points (in config order) and agent targets, configured at {@code now}:
     * each vantage point is sent the targets {@code sent} gives it (those placed at it, as agents receive them). The latest results of every (target, vantage point)
     * pair that stays are kept, the others are forgotten. A vantage point that stays in its region keeps when it was
     * configured and last heard, and its members; one added or moved starts unheard.
     */
    public void configure(
            List<AgentEntry> agents, List<TargetSpec> targets, Function<AgentEntry, List<TargetSpec>> sent, long now) {
        Layout before = layout;
        Map<String, Integer> agentIndex = new HashMap<>();
        List<Heard> heard = new ArrayList<>(agents.size());
        for (AgentEntry agent : agents) {
            agentIndex.put(agent.id(), agentIndex.size());
            Integer was = before.agentIndex().get(agent.id());
            Heard kept = was == null ? null : before.heard().get(was);
            heard.add(kept != null && kept.region.equals(agent.region()) ? kept : new Heard(agent.region(), now));
        }
        Map<String, Vantage[]> slots = new HashMap<>();
        Map<String, Long> freshness = new HashMap<>();
        Map<String, List<TargetSpec>> byAgent = new HashMap<>();
        agents.forEach(agent -> byAgent.put(agent.id(), sent.apply(agent)));
        for (TargetSpec target : targets) {
            Vantage[] previous = before.targets().get(target.name());
            Vantage[] vantages = new Vantage[agents.size()];
            for (int i = 0; i < vantages.length; i++) {
                AgentEntry agent = agents.get(i);
                Integer was = before.agentIndex().get(agent.id());
                boolean sameRegion =
                        was != null && before.agents().get(was).region().equals(agent.region());
                vantages[i] = previous != null && sameRegion
                        ? previous[was].resized(agent.members())
                        : new Vantage(agent.members());
            }
            slots.put(target.name(), vantages);
            freshness.put(target.name(), target.freshness().toMillis());
        }
        layout = new Layout(
                List.copyOf(agents), List.copyOf(heard), Map.copyOf(agentIndex), slots, Map.copyOf(freshness));
        members.configure(agents, byAgent, now);
    }

    /** The configured vantage points in config order, as of {@code now}. */
    public List<AgentState> agents(long now) {
        Layout current = layout;
        List<AgentState> agents = new ArrayList<>(current.agents().size());
        for (int i = 0; i < current.agents().size(); i++) {
            String id = current.agents().get(i).id();
            Heard heard = current.heard().get(i);
            agents.add(new AgentState(id, heard.region, heard.configuredAt, heard.lastReportAt, members.view(id, now)));
        }
        return agents;
    }

    /**
     * Keeps {@code result} from the member in {@code seat} of {@code agentId} when it is the newest for its target and
     * member, updating that member's vote ({@code confirm}: consecutive agreeing results needed to change it). Returns
     * whether it was kept; a target or agent that a reload removed a moment ago keeps nothing.
     */
    public boolean offer(String agentId, int seat, ProbeResult result, long observedAt, int confirm) {
        Layout current = layout;
        Vantage[] vantages = current.targets().get(result.target());
        Integer agent = current.agentIndex().get(agentId);
        return vantages != null
                && agent != null
                && seat < vantages[agent].seats()
                && vantages[agent].offer(seat, result, observedAt, confirm);
    }

    /** The target's vantage points, one per configured agent in config order; empty for a target not configured. */
    public Vantage[] vantages(String target) {
        return layout.targets().getOrDefault(target, NONE);
    }

    /**
     * What each heard vantage point says of the target as of {@code now}, in config order: a copy of its newest
     * reading, with the vote its fresh members make ({@link Vantage#vote}, blindness aside) and how many they are.
     */
    public List<Observation> observations(String target, long now) {
        Layout current = layout;
        Vantage[] vantages = current.targets().getOrDefault(target, NONE);
        long freshness = current.freshness().getOrDefault(target, 0L);
        List<Observation> heard = new ArrayList<>(vantages.length);
        for (int i = 0; i < vantages.length; i++) {
            Vantage vantage = vantages[i];
            Reading newest = null;
            int seat = -1;
            for (int s = 0; s < vantage.seats(); s++) {
                Reading reading = vantage.reading(s);
                if (reading != null
                        && reading.observedAt() != Vantage.NEVER
                        && (newest == null || reading.observedAt() > newest.observedAt())) {
                    newest = reading;
                    seat = s;
                }
            }
            if (newest == null) {
                continue;
            }
            AgentEntry agent = current.agents().get(i);
            Vantage.Vote vote = vantage.vote(now, freshness, new long[0], 0);
            Observation observation =
                    newest.observation(agent.id(), agent.region(), members.instance(agent.id(), seat));
            heard.add(
                    vote.state() == Vantage.State.FRESH
                            ? observation.withVote(vote.healthy(), vote.members())
                            : observation.withVote(observation.healthy(), 0));
        }
        return heard;
    }
}
