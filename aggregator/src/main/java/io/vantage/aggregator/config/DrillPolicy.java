package io.vantage.aggregator.config;

import io.vantage.wire.Durations;
import io.vantage.wire.target.TargetSpec;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The one rule a drill must pass, wherever it is written (the {@code drill} command, Helm values, an edit by hand) and
 * each round it runs: it ends within {@link AggregatorConfig.Drill#MAX} (a minute of slack for the clock), and when its
 * target guards a record, another target of the same record group (zone, name and type) is outside a drill and
 * healthy to take the traffic. The command checks it before it writes, with every target taken as healthy (it knows no
 * verdicts); the aggregator checks it every round on the verdicts of that round.
 */
public final class DrillPolicy {
    private DrillPolicy() {}

    /**
     * Why {@code drill} must not run now, or null when it may. {@code inDrill}: the targets of the other running drills;
     * {@code healthy}: whether a target is healthy now.
     */
    public static String refusal(
            AggregatorConfig config,
            AggregatorConfig.Drill drill,
            Set<String> inDrill,
            Predicate<String> healthy,
            long nowMillis) {
        if (drill.end().toEpochMilli() - nowMillis
                > AggregatorConfig.Drill.MAX.plusMinutes(1).toMillis()) {
            return "it ends more than " + Durations.format(AggregatorConfig.Drill.MAX) + " from now (until "
                    + drill.until() + ")";
        }
        TargetSpec target = config.targets().stream()
                .filter(t -> t.name().equals(drill.target()))
                .findFirst()
                .orElse(null);
        if (target == null) {
            return "no target named '" + drill.target() + "'";
        }
        if (target.route53() == null) {
            return null;
        }
        String group = target.route53().group();
        boolean another = config.targets().stream()
                .anyMatch(other -> !other.name().equals(target.name())
                        && other.route53() != null
                        && other.route53().group().equals(group)
                        && !inDrill.contains(other.name())
                        && healthy.test(other.name()));
        return another
                ? null
                : "no other target of " + target.route53().recordName() + " "
                        + target.route53().recordType() + " is healthy and outside a drill to take the traffic";
    }
}
