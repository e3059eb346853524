package io.vantage.aggregator.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.metrics.MetricNames;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.aggregator.routing.Routing.FailoverEvent;
import io.vantage.aggregator.routing.Routing.FailoverKind;
import io.vantage.aggregator.routing.Routing.Observer;
import io.vantage.wire.target.TargetSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failovers and failbacks {@link Routing} follows, target by target, from the verdicts and where DNS sends the
 * vantage points each round: the open events, the last {@value #KEPT_EVENTS} closed, and the observed times
 * ({@code vantage_observed_failover_seconds}). A vantage point has moved off a target once the target has stayed out
 * of its answers as long as {@link AnswerHistory} asks; while every target of a record group is failing (or was within
 * the model's worst case) Route 53 may answer with all of them, so no event of theirs is followed. On the aggregator's
 * context only.
 */
final class Failovers {
    private static final Logger LOG = LoggerFactory.getLogger(Failovers.class);
    private static final int KEPT_EVENTS = 50;
    private static final long WITHOUT_PREDICTION_MILLIS = 15 * 60_000L;

    /** An open event and, for a failover, the vantage points (name, agent) DNS sent to the target at the verdict. */
    private record Open(FailoverEvent event, Set<Observer> vantages) {}

    private final MeterRegistry registry;
    private final Map<FailoverKind, DistributionSummary> observed = new EnumMap<>(FailoverKind.class);
    private final Map<String, Verdict> lastVerdict = new HashMap<>();
    private final Map<String, Long> lastFailing = new HashMap<>();
    private final Map<String, Open> open = new HashMap<>();
    private final Deque<FailoverEvent> closed = new ArrayDeque<>();

    Failovers(MeterRegistry registry) {
        this.registry = registry;
        for (FailoverKind kind : FailoverKind.values()) {
            observed.put(kind, summary(registry, kind));
        }
    }

    private static DistributionSummary summary(MeterRegistry registry, FailoverKind kind) {
        return DistributionSummary.builder(MetricNames.OBSERVED_FAILOVER)
                .tag("kind", kind.label())
                .description(
                        "Observed time from a verdict change until DNS sent the vantage points elsewhere (failover) or back (failback)")
                .baseUnit("seconds")
                .serviceLevelObjectives(30, 60, 90, 120, 180, 240, 300, 600)
                .register(registry);
    }

    /** Whether an event is open. */
    boolean following() {
        return !open.isEmpty();
    }

    /** No observed names any more: the open events are dropped, the closed ones stay. */
    void stopFollowing() {
        open.clear();
        lastVerdict.clear();
        lastFailing.clear();
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
     * least 5 minutes, 15 minutes without a prediction; a failover waits longer by the persistence its vantage points'
     * absences need.
     */
    static long unresolvedAfter(Double predictedWorst) {
        return predictedWorst == null || predictedWorst.isNaN()
                ? WITHOUT_PREDICTION_MILLIS
                : Math.max(5 * 60_000L, Math.round(predictedWorst * 3_000));
    }

    /**
     * One round: follows every configured target ({@code routes}: this round's fresh routes by name and vantage point;
     * {@code histories}: their answers over time; {@code everRouted}: targets DNS was ever seen sending a vantage point
     * to), then forgets the targets no longer configured.
     */
    void update(
            long now,
            List<TargetSpec> targets,
            Map<String, Verdict> verdicts,
            Map<Observer, Routing.Route> routes,
            Map<Observer, AnswerHistory> histories,
            Set<String> everRouted,
            BiFunction<TargetSpec, FailoverKind, FailoverRange> predicted) {
        // Route 53 follows a verdict late, by up to the model's worst case: a target may still be unhealthy to it.
        for (TargetSpec target : targets) {
            String name = target.name();
            if (verdicts.get(name) == Verdict.UNHEALTHY) {
                lastFailing.put(name, now);
            } else if (lastFailing.containsKey(name)
                    && now - lastFailing.get(name) >= worstMillis(predicted.apply(target, FailoverKind.FAILOVER))) {
                lastFailing.remove(name);
            }
        }
        // With every record of a group unhealthy, Route 53 answers as if all were healthy (multivalue: with all of
        // them): the answers then say nothing of a failover or a failback. A target guarding no record: the whole
        // fleet.
        Map<String, Boolean> groupFailing = new HashMap<>();
        boolean fleetFailing = true;
        for (TargetSpec target : targets) {
            boolean one = lastFailing.containsKey(target.name());
            fleetFailing &= one;
            if (target.route53() != null) {
                groupFailing.merge(target.route53().group(), one, Boolean::logicalAnd);
            }
        }
        for (TargetSpec target : targets) {
            follow(
                    now,
                    target,
                    verdicts.get(target.name()),
                    everRouted.contains(target.name()),
                    target.route53() == null
                            ? fleetFailing
                            : groupFailing.get(target.route53().group()),
                    routes,
                    histories,
                    predicted);
        }
        lastVerdict.keySet().retainAll(verdicts.keySet());
        lastFailing.keySet().retainAll(verdicts.keySet());
        open.keySet().retainAll(verdicts.keySet());
    }

    /** The model's worst time until clients move, in millis (15 minutes without a prediction). */
    private static long worstMillis(FailoverRange prediction) {
        return prediction == null || Double.isNaN(prediction.worst())
                ? WITHOUT_PREDICTION_MILLIS
                : Math.round(prediction.worst() * 1000);
    }

    /**
     * One round for one target: opens an event when its verdict changes (a failover when vantage points are sent to it
     * as it turns UNHEALTHY, a failback when DNS has left it everywhere as it turns HEALTHY again), closes it when DNS is
     * seen to follow or after {@link #unresolvedAfter}; drops it, and opens none, while its group fails open.
     */
    private void follow(
            long now,
            TargetSpec target,
            Verdict verdict,
            boolean everRouted,
            boolean failingOpen,
            Map<Observer, Routing.Route> routes,
            Map<Observer, AnswerHistory> histories,
            BiFunction<TargetSpec, FailoverKind, FailoverRange> predicted) {
        String name = target.name();
        Verdict before = lastVerdict.put(name, verdict);
        if (verdict == null || !everRouted) {
            return;
        }
        if (failingOpen) {
            Open dropped = open.remove(name);
            if (dropped != null) {
                LOG.info(
                        "{}: {} not observed: every target of its record group is failing or was within the model's "
                                + "worst case, so Route 53 may answer with all of them",
                        name,
                        dropped.event().kind());
            }
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
            FailoverRange prediction = predicted.apply(
                    target, verdict == Verdict.UNHEALTHY ? FailoverKind.FAILOVER : FailoverKind.FAILBACK);
            Double typical = prediction == null ? null : prediction.typical();
            Double worst = prediction == null ? null : prediction.worst();
            Set<Observer> sentThere = new HashSet<>();
            routes.forEach((vantage, route) -> {
                if (route.targets().contains(name)) {
                    sentThere.add(vantage);
                }
            });
            if (verdict == Verdict.UNHEALTHY && !sentThere.isEmpty()) {
                open.put(
                        name,
                        new Open(
                                new FailoverEvent(name, FailoverKind.FAILOVER, now, null, typical, worst, false),
                                sentThere));
            } else if (verdict == Verdict.HEALTHY && before == Verdict.UNHEALTHY && left(name, routes, histories)) {
                open.put(
                        name,
                        new Open(
                                new FailoverEvent(name, FailoverKind.FAILBACK, now, null, typical, worst, false),
                                null));
            }
        }
        Open current = open.get(name);
        if (current == null) {
            return;
        }
        FailoverEvent event = current.event();
        boolean done;
        long doneAt = now;
        long longestHold = 0;
        if (current.vantages() != null) {
            // Each vantage point sent to the target at the verdict: moved once the target has stayed out of its
            // answers long enough; an unknown or missing observation changes nothing. Done when all moved and no answer
            // names the target any more.
            done = routes.values().stream().noneMatch(route -> route.targets().contains(name));
            for (Observer vantage : current.vantages()) {
                AnswerHistory history = histories.get(vantage);
                AnswerHistory.Absence absence = history == null ? null : history.absence(name);
                if (absence == null) {
                    done = false;
                    continue;
                }
                longestHold = Math.max(longestHold, absence.holdMillis());
                done &= absence.held();
            }
            // Timed from the last answer, at any vantage point, that still named it after the verdict: a vantage point
            // whose answers are random may leave it by chance before Route 53 does, and another's later answer says
            // that Route 53 still answered with it then.
            doneAt = done ? leftAt(name, event.startedAt(), histories) : now;
        } else {
            done = routes.values().stream().anyMatch(route -> route.targets().contains(name));
        }
        if (!done) {
            long unresolvedAfter = unresolvedAfter(event.predictedWorst()) + longestHold;
            if (now - event.startedAt() > unresolvedAfter) {
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
                        switch (event.kind()) {
                            case FAILOVER -> "send every vantage point elsewhere for good";
                            case FAILBACK -> "send a vantage point back";
                        },
                        unresolvedAfter / 1000,
                        current.vantages() == null
                                ? ""
                                : "; still sent there or unknown: "
                                        + current.vantages().stream()
                                                .filter(vantage -> histories.get(vantage) == null
                                                        || histories
                                                                        .get(vantage)
                                                                        .absence(name)
                                                                == null
                                                        || !histories
                                                                .get(vantage)
                                                                .absence(name)
                                                                .held())
                                                .map(Observer::describe)
                                                .sorted()
                                                .toList());
            }
            return;
        }
        open.remove(name);
        double seconds = (doneAt - event.startedAt()) / 1000.0;
        keep(new FailoverEvent(
                name,
                event.kind(),
                event.startedAt(),
                seconds,
                event.predictedTypical(),
                event.predictedWorst(),
                false));
        observed.get(event.kind()).record(seconds);
        if (event.predictedWorst() != null && seconds > event.predictedWorst()) {
            Counter.builder(MetricNames.OBSERVED_FAILOVER_SLOWER)
                    .tag("target", name)
                    .tag("kind", event.kind().label())
                    .description("Observed failovers (failbacks) that took longer than the model's worst case")
                    .register(registry)
                    .increment();
        }
        LOG.info(
                "{}: observed {} in {} s (from the verdict {} until DNS {}); the model predicted {} s typical, {} s at worst",
                name,
                event.kind(),
                String.format(Locale.ROOT, "%.1f", seconds),
                switch (event.kind()) {
                    case FAILOVER -> Verdict.UNHEALTHY;
                    case FAILBACK -> Verdict.HEALTHY;
                },
                switch (event.kind()) {
                    case FAILOVER ->
                        String.format(
                                Locale.ROOT,
                                "sent every vantage point that was sent to it elsewhere, for good: it stayed out of "
                                        + "their answers for at least %.0f s",
                                longestHold / 1000.0);
                    case FAILBACK -> "sent a vantage point to it again";
                },
                event.predictedTypical() == null ? "?" : String.format(Locale.ROOT, "%.0f", event.predictedTypical()),
                event.predictedWorst() == null ? "?" : String.format(Locale.ROOT, "%.0f", event.predictedWorst()));
    }

    /** When the last answer that named {@code target} after {@code verdictAt}, at any vantage point, was followed. */
    private static long leftAt(String target, long verdictAt, Map<Observer, AnswerHistory> histories) {
        long leftAt = verdictAt;
        for (AnswerHistory history : histories.values()) {
            AnswerHistory.Absence absence = history.absence(target);
            if (absence != null && absence.since() > verdictAt) {
                leftAt = Math.max(leftAt, absence.since());
            }
        }
        return leftAt;
    }

    /**
     * Whether DNS has left {@code target} everywhere: no fresh answer names it, and it has stayed out of the answers of
     * every vantage point it was in for long enough (at least one).
     */
    private static boolean left(
            String target, Map<Observer, Routing.Route> routes, Map<Observer, AnswerHistory> histories) {
        boolean left = false;
        for (Map.Entry<Observer, Routing.Route> entry : routes.entrySet()) {
            if (entry.getValue().targets().contains(target)) {
                return false;
            }
            AnswerHistory history = histories.get(entry.getKey());
            AnswerHistory.Absence absence = history == null ? null : history.absence(target);
            if (absence != null) {
                if (!absence.held()) {
                    return false;
                }
                left = true;
            }
        }
        return left;
    }

    private void keep(FailoverEvent finished) {
        closed.addFirst(finished);
        while (closed.size() > KEPT_EVENTS) {
            closed.removeLast();
        }
    }
}
