package io.vantage.aggregator.round;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.members.Members;
import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.wire.target.TargetSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The outcome of one evaluation round, immutable: the config it was evaluated under, every configured agent as the
 * round saw it, one evaluation per configured target (config order), and the drills it honours. {@code drilled}: targets
 * published as Healthy=0 this round because of a drill; {@code drills}: what the page says of each drill (running or
 * refused); {@code durationNanos}: what evaluating took.
 */
public record Round(
        long at,
        AggregatorConfig config,
        List<Agent> agents,
        List<Evaluation> evaluations,
        Set<String> drilled,
        Map<String, String> drills,
        long durationNanos) {

    /**
     * A configured agent as of this round. {@code configuredAt}: when it was configured (the start, or the reload that
     * added it); {@code lastReportAt}: when its results last counted (aggregator clock), null when none has since;
     * {@code blind}: its members' probes fail nearly every target that the others see healthy, their unhealthy votes
     * are set aside; {@code members}: the processes that report as it, and whether more than its bound did within the
     * last minute (only the bound's reports count); {@code expectedMembers}: how many should run (null: not said).
     */
    public record Agent(
            String id,
            String region,
            long configuredAt,
            Long lastReportAt,
            boolean blind,
            Members.PointView members,
            Integer expectedMembers) {
        /** More processes reported as this agent than its members bound within the last minute. */
        public boolean duplicateIdentity() {
            return members.conflicting();
        }
    }

    /** The configured targets, in the order of {@link #evaluations()}. */
    public List<TargetSpec> targets() {
        return config.targets();
    }

    /** The verdict published for target {@code i}: its own, or UNHEALTHY while a drill of it is honoured. */
    public Verdict published(int i) {
        return drilled.contains(config.targets().get(i).name())
                ? Verdict.UNHEALTHY
                : evaluations.get(i).verdict();
    }

    /** {@link #published(int)} of every target, by name. */
    public Map<String, Verdict> published() {
        Map<String, Verdict> byName = new HashMap<>();
        for (int i = 0; i < evaluations.size(); i++) {
            byName.put(config.targets().get(i).name(), published(i));
        }
        return byName;
    }
}
