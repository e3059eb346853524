package io.vantage.aggregator.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.metrics.AggregatorMetrics;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.routing.Routing.FailoverEvent;
import io.vantage.wire.target.TargetSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failovers and failbacks {@link Routing} follows, target by target, from the verdicts and where DNS sends the
 * vantage points each round: the open events, the last {@value #KEPT_EVENTS} closed, and the observed times
 * ({@code vantage_observed_failover_seconds}). On the aggregator's context only.
 */
final class Failovers {
    private static final Logger LOG = LoggerFactory.getLogger(Failovers.class);
    private static final int KEPT_EVENTS = 50;

    /** An open event and, for a failover, whether each vantage point sent to the target is seen sent elsewhere yet. */
    private record Open(FailoverEvent event, Map<String, Boolean> moved) {}

    private final MeterRegistry registry;
    private final DistributionSummary failovers;
    private final DistributionSummary failbacks;
    private final Map<String, Verdict> lastVerdict = new HashMap<>();
    private final Map<String, Open> open = new HashMap<>();
    private final Deque<FailoverEvent> closed = new ArrayDeque<>();

    Failovers(MeterRegistry registry) {
        this.registry = registry;
        this.failovers = summary(registry, "failover");
        this.failbacks = summary(registry, "failback");
    }

    private static DistributionSummary summary(MeterRegistry registry, String kind) {
        return DistributionSummary.builder(AggregatorMetrics.OBSERVED_FAILOVER)
                .tag("kind", kind)
                .description(
                        "Observed time from a verdict change until DNS sent the vantage points elsewhere (failover) or back (failback)")
                .baseUnit("seconds")
                .serviceLevelObjectives(30, 60, 90, 120, 180, 240, 300, 600)
                .register(registry);
    }

    /** Forgets the targets no longer configured. */
    void retain(Set<String> targets) {
        lastVerdict.keySet().retainAll(targets);
        open.keySet().retainAll(targets);
    }

    /** Whether an event is open. */
    boolean following() {
        return !open.isEmpty();
    }

    /** No observed names any more: the open events are dropped, the closed ones stay. */
    void stopFollowing() {
        open.clear();
        lastVerdict.clear();
    }

    /** The open and the kept closed events, newest first. */
    List<FailoverEvent> events() {
        List<FailoverEvent> all = new ArrayList<>();
        open.values().forEach(o -> all.add(o.event()));
        all.addAll(closed);
        all.sort(Comparator.comparingLong(FailoverEvent::startedAt).reversed());
        return List.copyOf(all);
    }

    /**
     * How long an event may wait for DNS before it is closed as unresolved: three times the model's worst case, at
     * least 5 minutes, 15 minutes without a prediction.
     */
    static long unresolvedAfter(Double predictedWorst) {
        return predictedWorst == null || predictedWorst.isNaN()
                ? 15 * 60_000L
                : Math.max(5 * 60_000L, Math.round(predictedWorst * 3_000));
    }

    /**
     * One round for one target: opens an event when its verdict changes (a failover when vantage points are sent to it
     * as it turns UNHEALTHY, a failback when none are as it turns HEALTHY again), closes it when DNS is seen to follow or
     * after {@link #unresolvedAfter}. {@code everRouted}: whether DNS was ever seen sending a vantage point to it.
     */
    void follow(
            long now,
            TargetSpec target,
            Verdict verdict,
            boolean everRouted,
            Map<String, Routing.Route> routes,
            int routed,
            Function<TargetSpec, FailoverModel.Range> predicted) {
        String name = target.name();
        Verdict before = lastVerdict.put(name, verdict);
        if (verdict == null || !everRouted) {
            return;
        }
        if (verdict != before) {
            Open cancelled = open.remove(name);
            if (cancelled != null) {
                LOG.info(
                        "{}: {} not observed to complete before the verdict changed again",
                        name,
                        cancelled.event().kind());
            }
            FailoverModel.Range prediction = predicted.apply(target);
            Double typical = prediction == null ? null : prediction.typical();
            Double worst = prediction == null ? null : prediction.worst();
            if (verdict == Verdict.UNHEALTHY && routed > 0) {
                Map<String, Boolean> moved = new HashMap<>();
                routes.forEach((vantage, route) -> {
                    if (route.targets().contains(name)) {
                        moved.put(vantage, false);
                    }
                });
                open.put(name, new Open(new FailoverEvent(name, "failover", now, null, typical, worst, false), moved));
            } else if (verdict == Verdict.HEALTHY && before == Verdict.UNHEALTHY && routed == 0) {
                open.put(name, new Open(new FailoverEvent(name, "failback", now, null, typical, worst, false), null));
            }
        }
        Open current = open.get(name);
        if (current == null) {
            return;
        }
        FailoverEvent event = current.event();
        boolean done;
        if (current.moved() != null) {
            // Each vantage point that was sent to the target: moved once seen sent to other targets only, back if seen
            // sent to it again; an unknown or missing observation changes nothing.
            current.moved().replaceAll((vantage, moved) -> {
                Routing.Route route = routes.get(vantage);
                return route == null || route.state().equals("unknown")
                        ? moved
                        : !route.targets().isEmpty() && !route.targets().contains(name);
            });
            done = !current.moved().containsValue(false);
        } else {
            done = routed > 0;
        }
        if (!done) {
            if (now - event.startedAt() > unresolvedAfter(event.predictedWorst())) {
                open.remove(name);
                keep(new FailoverEvent(
                        name,
                        event.kind(),
                        event.startedAt(),
                        null,
                        event.predictedTypical(),
                        event.predictedWorst(),
                        true));
                LOG.warn(
                        "{}: {} unresolved: DNS was not seen to {} within {} s of the verdict{}",
                        name,
                        event.kind(),
                        event.kind().equals("failover")
                                ? "send every vantage point elsewhere"
                                : "send a vantage point back",
                        unresolvedAfter(event.predictedWorst()) / 1000,
                        current.moved() == null
                                ? ""
                                : "; still sent there or unknown: "
                                        + current.moved().entrySet().stream()
                                                .filter(e -> !e.getValue())
                                                .map(e -> e.getKey().replace('\u0000', '@'))
                                                .toList());
            }
            return;
        }
        open.remove(name);
        double seconds = (now - event.startedAt()) / 1000.0;
        keep(new FailoverEvent(
                name,
                event.kind(),
                event.startedAt(),
                seconds,
                event.predictedTypical(),
                event.predictedWorst(),
                false));
        (event.kind().equals("failover") ? failovers : failbacks).record(seconds);
        if (event.predictedWorst() != null && seconds > event.predictedWorst()) {
            Counter.builder(AggregatorMetrics.OBSERVED_FAILOVER_SLOWER)
                    .tag("target", name)
                    .tag("kind", event.kind())
                    .description("Observed failovers (failbacks) that took longer than the model's worst case")
                    .register(registry)
                    .increment();
        }
        LOG.info(
                "{}: observed {} in {} s (from the verdict {} until DNS {}); the model predicted {} s typical, {} s at worst",
                name,
                event.kind(),
                String.format(Locale.ROOT, "%.1f", seconds),
                event.kind().equals("failover") ? "UNHEALTHY" : "HEALTHY",
                event.kind().equals("failover")
                        ? "sent every vantage point that was sent to it elsewhere"
                        : "sent a vantage point to it again",
                event.predictedTypical() == null ? "?" : String.format(Locale.ROOT, "%.0f", event.predictedTypical()),
                event.predictedWorst() == null ? "?" : String.format(Locale.ROOT, "%.0f", event.predictedWorst()));
    }

    private void keep(FailoverEvent finished) {
        closed.addFirst(finished);
        while (closed.size() > KEPT_EVENTS) {
            closed.removeLast();
        }
    }
}
