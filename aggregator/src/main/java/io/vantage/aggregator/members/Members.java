package io.vantage.aggregator.members;

import io.vantage.aggregator.config.AggregatorConfig.AgentEntry;
import io.vantage.wire.Checks;
import io.vantage.wire.Headers;
import io.vantage.wire.Limits;
import io.vantage.wire.target.TargetSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every vantage point's members ({@link Point}): which processes report as each {@code agents:} entry, and the share
 * of the targets each one probes. Each aggregator replica computes the shares from what it hears; the members of a
 * vantage point fetch from every replica and probe the union, so replicas disagreeing for a moment costs extra probes,
 * never a gap. Thread-safe.
 */
public final class Members {
    /** The instance of a process that sends none (an agent older than members). */
    public static final String UNNAMED = "unnamed";

    /** A vantage point's members as of one round: {@code unassigned}, placed targets no member in a share probes. */
    public record PointView(List<MemberView> members, boolean conflicting, long moves, int unassigned) {}

    private volatile Map<String, Point> points = Map.of();

    /**
     * What is wrong with a {@code Vantage-Instance} header (null: one that sends none), or null when it is an
     * instance id: 1-64 letters, digits, '.', '_' or '-' (a pod's name). It becomes a metric label and shows on the page.
     */
    public static String invalidInstance(String instance) {
        if (instance == null) {
            return null;
        }
        try {
            Checks.name(Headers.INSTANCE, instance, Limits.MAX_IDENTITY_LENGTH);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** What a refused process is told (409). */
    public static String refusal(String agent) {
        return "more processes report as agent " + agent + " than its members bound allows; the others' reports count: "
                + "raise members for this agent in the aggregator's config, or give each process its own agent id and "
                + "token";
    }

    /**
     * Lays out {@code agents}, each probing {@code targets.get(agent id)} (its placed targets, in config order); an
     * entry that stays in its region keeps its members.
     */
    public void configure(List<AgentEntry> agents, Map<String, List<TargetSpec>> targets, long now) {
        Map<String, Point> before = points;
        Map<String, Point> next = new HashMap<>();
        for (AgentEntry agent : agents) {
            Point kept = before.get(agent.id());
            Point point = kept != null && kept.region.equals(agent.region())
                    ? kept
                    : new Point(agent.id(), agent.region(), agent.members(), agent.perVantage());
            point.configure(agent.members(), agent.perVantage(), targets.getOrDefault(agent.id(), List.of()), now);
            next.put(agent.id(), point);
        }
        points = Map.copyOf(next);
    }

    /** The seat of process {@code instance} (null: unnamed) reporting as {@code agent}, or -1 when refused. */
    public int admit(String agent, String instance, long now) {
        Point point = points.get(agent);
        return point == null ? -1 : point.admit(instance == null ? UNNAMED : instance, now);
    }

    /** The member of {@code agent} in {@code seat} had results counted at {@code at}. */
    public void reported(String agent, int seat, long at) {
        Point point = points.get(agent);
        if (point != null) {
            point.reported(seat, at);
        }
    }

    /** The share of process {@code instance} (null: unnamed) of {@code agent}; null when it is refused. */
    public TargetsBody share(String agent, String instance, long now) {
        Point point = points.get(agent);
        return point == null ? null : point.share(instance == null ? UNNAMED : instance, now);
    }

    /** {@link Point#tick} on every vantage point. */
    public void tick(long now, Point.Readings readings) {
        points.values().forEach(point -> point.tick(now, readings));
    }

    /** The instance of the member of {@code agent} in {@code seat}, null when the seat is free. */
    public String instance(String agent, int seat) {
        Point point = points.get(agent);
        return point == null ? null : point.instance(seat);
    }

    /** {@code agent}'s members as of {@code now}. */
    public PointView view(String agent, long now) {
        Point point = points.get(agent);
        return point == null
                ? new PointView(List.of(), false, 0, 0)
                : new PointView(point.members(), point.conflicting(now), point.moves(), point.unassigned());
    }
}
