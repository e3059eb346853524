package io.vantage.aggregator.drill;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.DrillPolicy;
import io.vantage.aggregator.metrics.MetricNames;
import io.vantage.aggregator.quorum.Verdict;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drills each round honours: every configured drill still running that {@link DrillPolicy} allows on the round's
 * verdicts (the same rule the {@code drill} command checks when it writes one, here with the verdicts the command cannot
 * know). Logs when a drill starts, ends or is refused, and keeps {@code vantage_target_drill} per target. Called from the
 * evaluation loop only.
 */
public final class Drills {
    private static final Logger LOG = LoggerFactory.getLogger(Drills.class);

    /** {@code honoured}: targets published as Healthy=0 this round; {@code notes}: what the page says of each drill. */
    public record Round(Set<String> honoured, Map<String, String> notes) {
        public static final Round NONE = new Round(Set.of(), Map.of());
    }

    private final MeterRegistry registry;
    private final Set<String> drilled = new HashSet<>();
    private final Set<String> refused = new HashSet<>();
    private final Map<String, Integer> gauges = new ConcurrentHashMap<>();

    public Drills(MeterRegistry registry) {
        this.registry = registry;
    }

    /** True while a drill was honoured last round: the round must then look at drills even if the config has none. */
    public boolean any() {
        return !drilled.isEmpty();
    }

    /** No drill configured: forget the refusals, so that a drill written again later is logged again. */
    public Round none() {
        refused.clear();
        return Round.NONE;
    }

    /** The drills of {@code config} honoured now, given this round's {@code verdicts} by target name. */
    public Round evaluate(AggregatorConfig config, Map<String, Verdict> verdicts, long now) {
        Map<String, AggregatorConfig.Drill> running = new LinkedHashMap<>();
        config.drills().stream().filter(d -> d.activeAt(now)).forEach(d -> running.put(d.target(), d));
        Set<String> honoured = new HashSet<>();
        Map<String, String> notes = new HashMap<>();
        Map<String, String> refusals = new HashMap<>();
        running.forEach((target, drill) -> {
            Set<String> others = new HashSet<>(running.keySet());
            others.remove(target);
            String refusal =
                    DrillPolicy.refusal(config, drill, others, other -> verdicts.get(other) == Verdict.HEALTHY, now);
            if (refusal == null) {
                honoured.add(target);
                notes.put(target, "in drill, started by " + drill.by());
            } else {
                refusals.put(target, refusal);
                notes.put(target, "drill refused: " + refusal);
            }
        });
        for (String target : honoured) {
            if (!drilled.contains(target)) {
                LOG.warn(
                        "{}: failover drill started by {}: publishing Healthy=0 until {}",
                        target,
                        running.get(target).by(),
                        running.get(target).until());
            }
        }
        for (String target : drilled) {
            if (!honoured.contains(target)) {
                LOG.warn("{}: failover drill over: publishing its verdict ({}) again", target, verdicts.get(target));
            }
        }
        running.keySet().stream()
                .filter(target -> !honoured.contains(target) && !refused.contains(target))
                .forEach(target -> LOG.error(
                        "{}: failover drill started by {} refused: {}",
                        target,
                        running.get(target).by(),
                        refusals.get(target)));
        refused.clear();
        running.keySet().stream().filter(target -> !honoured.contains(target)).forEach(refused::add);
        drilled.clear();
        drilled.addAll(honoured);
        gauges.keySet().forEach(target -> gauges.put(target, honoured.contains(target) ? 1 : 0));
        honoured.forEach(target -> gauges.computeIfAbsent(target, t -> {
            Gauge.builder(MetricNames.TARGET_DRILL, gauges, m -> m.getOrDefault(t, 0))
                    .tag("target", t)
                    .description("1 while a failover drill publishes Healthy=0 for this target")
                    .register(registry);
            return 1;
        }));
        return honoured.isEmpty() && notes.isEmpty() ? Round.NONE : new Round(Set.copyOf(honoured), Map.copyOf(notes));
    }
}
