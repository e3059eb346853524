package io.vantage.aggregator.routing;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.wire.target.TargetSpec;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where DNS sends each vantage point, from the answers agents observe for each observed name, and the failovers that
 * follow: when a target's verdict turns UNHEALTHY while vantage points are sent to it, the time until the last of them
 * is sent elsewhere is the observed time to failover; when it turns HEALTHY again after that, the time until the first
 * is sent back is the observed time to fail back. Answers are matched to targets by the targets' hosts and, for bound
 * targets, their records' values. Runs on the aggregator's context; readers get immutable copies.
 */
public final class Routing {
    private static final Logger LOG = LoggerFactory.getLogger(Routing.class);
    private static final int KEPT_EVENTS = 50;

    /** One vantage point's view of an observed name: its answers and the targets they are. */
    public record Route(String agentId, String region, List<String> answers, List<String> targets, double ageSeconds) {}

    public record ObservedName(String name, String type, List<Route> vantages) {}

    /**
     * One failover or failback as observed: {@code startedAt} the verdict change (epoch millis), {@code seconds} until
     * the routing followed (null while it has not), with the model's prediction for the target.
     */
    public record FailoverEvent(
            String target,
            String kind,
            long startedAt,
            Double seconds,
            Double predictedTypical,
            Double predictedWorst) {}

    private final MeterRegistry registry;
    private final DistributionSummary failovers;
    private final DistributionSummary failbacks;
    private final Map<String, Integer> vantagesByNameAndTarget = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new HashMap<>();
    private final Map<String, Verdict> lastVerdict = new HashMap<>();
    private final Map<String, FailoverEvent> open = new HashMap<>();
    private final Deque<FailoverEvent> closed = new ArrayDeque<>();
    private final Set<String> everRouted = new HashSet<>();
    private AggregatorConfig addressesFor;
    private Map<String, List<String>> addressesFrom;
    private Map<String, List<String>> targetsByAddress = Map.of();
    private Map<String, Integer> targetOrder = Map.of();
    private volatile List<ObservedName> names = List.of();
    private volatile List<FailoverEvent> events = List.of();

    public Routing(MeterRegistry registry) {
        this.registry = registry;
        this.failovers = summary(registry, "failover");
        this.failbacks = summary(registry, "failback");
    }

    private static DistributionSummary summary(MeterRegistry registry, String kind) {
        return DistributionSummary.builder("vantage.observed.failover.seconds")
                .tag("kind", kind)
                .description(
                        "Observed time from a verdict change until DNS sent the vantage points elsewhere (failover) or back (failback)")
                .baseUnit("seconds")
                .serviceLevelObjectives(30, 60, 90, 120, 180, 240, 300, 600)
                .register(registry);
    }

    /**
     * One round: reads the observed names' latest answers, maps them to targets, counts vantage points per target, and
     * opens or closes failover events on the round's verdicts.
     */
    public void update(
            long now,
            AggregatorConfig config,
            Function<String, Collection<Observation>> observations,
            Map<String, Verdict> verdicts,
            Map<String, List<String>> recordValues,
            Function<TargetSpec, FailoverModel.Range> predicted) {
        if (config != addressesFor || recordValues != addressesFrom) {
            targetsByAddress = targetsByAddress(config.targets(), recordValues);
            targetOrder = new HashMap<>();
            config.targets().forEach(t -> targetOrder.put(t.name(), targetOrder.size()));
            addressesFor = config;
            addressesFrom = recordValues;
        }
        List<ObservedName> observed = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, Integer> routedTo = new HashMap<>();
        for (AggregatorConfig.Observe name : config.observe()) {
            long freshFor = name.interval().toMillis() * 3;
            List<Route> routes = new ArrayList<>();
            for (Observation observation : observations.apply(name.targetName())) {
                List<String> answers = observation.answers();
                if (answers == null || now - observation.observedAt() > freshFor) {
                    continue;
                }
                Set<String> matched = new java.util.LinkedHashSet<>();
                answers.forEach(answer -> matched.addAll(targetsByAddress.getOrDefault(normal(answer), List.of())));
                List<String> targets = new ArrayList<>(matched);
                targets.sort(java.util.Comparator.comparing(targetOrder::get)); // in config order, as listed
                targets.forEach(target -> {
                    counts.merge(name.name() + "\u0000" + target, 1, Integer::sum);
                    routedTo.merge(target, 1, Integer::sum);
                });
                routes.add(new Route(
                        observation.agentId(),
                        observation.region(),
                        answers,
                        List.copyOf(targets),
                        (now - observation.observedAt()) / 1000.0));
            }
            routes.sort(java.util.Comparator.comparing(Route::region));
            observed.add(new ObservedName(name.name(), name.type(), List.copyOf(routes)));
        }
        names = List.copyOf(observed);
        gauges(counts);
        everRouted.addAll(routedTo.keySet());
        for (TargetSpec target : config.targets()) {
            follow(now, target, verdicts.get(target.name()), routedTo.getOrDefault(target.name(), 0), predicted);
        }
        lastVerdict.keySet().retainAll(verdicts.keySet());
        open.keySet().retainAll(verdicts.keySet());
        List<FailoverEvent> all = new ArrayList<>(open.values());
        all.addAll(closed);
        all.sort(java.util.Comparator.comparingLong(FailoverEvent::startedAt).reversed());
        events = List.copyOf(all);
    }

    private void follow(
            long now,
            TargetSpec target,
            Verdict verdict,
            int routed,
            Function<TargetSpec, FailoverModel.Range> predicted) {
        String name = target.name();
        Verdict before = lastVerdict.put(name, verdict);
        if (verdict == null || !everRouted.contains(name)) {
            return;
        }
        if (verdict != before) {
            FailoverEvent cancelled = open.remove(name);
            if (cancelled != null) {
                LOG.info("{}: {} not observed to complete before the verdict changed again", name, cancelled.kind());
            }
            FailoverModel.Range prediction = predicted.apply(target);
            Double typical = prediction == null ? null : prediction.typical();
            Double worst = prediction == null ? null : prediction.worst();
            if (verdict == Verdict.UNHEALTHY && routed > 0) {
                open.put(name, new FailoverEvent(name, "failover", now, null, typical, worst));
            } else if (verdict == Verdict.HEALTHY && before == Verdict.UNHEALTHY && routed == 0) {
                open.put(name, new FailoverEvent(name, "failback", now, null, typical, worst));
            }
        }
        FailoverEvent event = open.get(name);
        if (event == null) {
            return;
        }
        boolean done = event.kind().equals("failover") ? routed == 0 : routed > 0;
        if (!done) {
            return;
        }
        open.remove(name);
        double seconds = (now - event.startedAt()) / 1000.0;
        FailoverEvent finished = new FailoverEvent(
                name, event.kind(), event.startedAt(), seconds, event.predictedTypical(), event.predictedWorst());
        closed.addFirst(finished);
        while (closed.size() > KEPT_EVENTS) {
            closed.removeLast();
        }
        (event.kind().equals("failover") ? failovers : failbacks).record(seconds);
        LOG.info(
                "{}: observed {} in {} s (from the verdict {} until DNS {}); the model predicted {} s typical, {} s at worst",
                name,
                event.kind(),
                String.format(Locale.ROOT, "%.1f", seconds),
                event.kind().equals("failover") ? "UNHEALTHY" : "HEALTHY",
                event.kind().equals("failover") ? "sent no vantage point to it" : "sent a vantage point to it again",
                event.predictedTypical() == null ? "?" : String.format(Locale.ROOT, "%.0f", event.predictedTypical()),
                event.predictedWorst() == null ? "?" : String.format(Locale.ROOT, "%.0f", event.predictedWorst()));
    }

    /** How many vantage points DNS sends to each target, per observed name ({@code vantage_route_vantages}). */
    private void gauges(Map<String, Integer> counts) {
        vantagesByNameAndTarget.keySet().forEach(key -> vantagesByNameAndTarget.put(key, 0));
        vantagesByNameAndTarget.putAll(counts);
        counts.keySet()
                .forEach(key -> gauges.computeIfAbsent(key, k -> {
                    String[] parts = k.split("\u0000", 2);
                    return Gauge.builder("vantage.route.vantages", vantagesByNameAndTarget, m -> m.getOrDefault(k, 0))
                            .tag("name", parts[0])
                            .tag("target", parts[1])
                            .description("Vantage points that DNS sends to this target for this observed name")
                            .register(registry);
                }));
    }

    /**
     * Which targets an answer may stand for: each target's probe host and its bound record's values. Built when the
     * config or the record values change, not every round.
     */
    private static Map<String, List<String>> targetsByAddress(
            List<TargetSpec> targets, Map<String, List<String>> recordValues) {
        Map<String, List<String>> byAddress = new HashMap<>();
        for (TargetSpec target : targets) {
            Set<String> known = new HashSet<>();
            String host = host(target);
            if (host != null) {
                known.add(normal(host));
            }
            recordValues.getOrDefault(target.name(), List.of()).forEach(value -> known.add(normal(value)));
            known.forEach(address ->
                    byAddress.computeIfAbsent(address, a -> new ArrayList<>()).add(target.name()));
        }
        return byAddress;
    }

    /** No observed names any more: nothing to show, no failover to follow. */
    public void stop() {
        if (!names.isEmpty() || !open.isEmpty()) {
            names = List.of();
            open.clear();
            lastVerdict.clear();
            gauges(Map.of());
            events = List.copyOf(closed);
        }
    }

    private static String host(TargetSpec target) {
        if (target.http() != null) {
            URI url = target.http().url();
            return url.getHost();
        }
        if (target.tcp() != null) {
            return target.tcp().host();
        }
        return target.tls() != null ? target.tls().host() : null;
    }

    private static String normal(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.startsWith("[") && lower.endsWith("]")) {
            lower = lower.substring(1, lower.length() - 1);
        }
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    public List<ObservedName> names() {
        return names;
    }

    public List<FailoverEvent> events() {
        return events;
    }
}
