package io.vantage.aggregator.routing;

import com.fasterxml.jackson.annotation.JsonValue;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.metrics.MetricNames;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.aggregator.round.RoundConsumer;
import io.vantage.wire.Addresses;
import io.vantage.wire.target.TargetSpec;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where DNS sends each vantage point, from the answers agents observe for each observed name, and the failovers that
 * follow: when a target's verdict turns UNHEALTHY while vantage points are sent to it, the time until every one of them
 * is seen sent elsewhere for good is the observed time to failover; when it turns HEALTHY again after DNS had left it
 * everywhere, the time until the first is seen sent back is the observed time to fail back.
 *
 * <p>Answers (and the CNAMEs that led to them) are matched to targets by what the fleet sees and what the config says:
 * the addresses agents connected to when they last probed each target (a host name, a load balancer whose addresses
 * rotate), the targets' hosts, and bound targets' record values and alias targets from the last plan. An answer that
 * matches no target is shown as unmatched. An observation that failed, is empty or is stale is <em>unknown</em>: it is
 * never taken for "sent elsewhere", so a silent resolver or an agent that dies cannot complete a failover; an event
 * that DNS is never seen to complete is closed as unresolved after {@link Failovers#unresolvedAfter}. A name may answer
 * several targets by design (weighted: a random record per query; multivalue: several records per answer), so each
 * vantage point's answers are kept over time ({@link AnswerHistory}) and a target missing from them counts as left
 * only once it has stayed out long enough. Runs on the aggregator's context; readers get immutable copies.
 */
public final class Routing {
    /** The label value of {@code vantage_route_vantages} for vantage points whose answers match no target. */
    public static final String UNMATCHED = "(unmatched)";

    /** Where a vantage point's latest observation of a name sends it; /v1/status writes the label. */
    public enum RouteState {
        /** Its answers, or the CNAMEs before them, are targets. */
        ROUTED,
        /** Answers, none of them a target. */
        UNMATCHED,
        /** The observation failed or was empty: no evidence of where DNS sends it. */
        UNKNOWN;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return label();
        }
    }

    /** What a failover event follows; /v1/status, the logs and the {@code kind} label write the label. */
    public enum FailoverKind {
        /** The verdict turned UNHEALTHY while DNS sent vantage points to the target. */
        FAILOVER,
        /** The verdict turned HEALTHY again after DNS had left the target everywhere. */
        FAILBACK;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return label();
        }
    }

    /**
     * One vantage point's view of an observed name: its answers, the CNAME chain to them, the targets they are and the
     * answers that are no target.
     */
    public record Route(
            String agentId,
            String region,
            RouteState state,
            List<String> answers,
            List<String> cnames,
            List<String> targets,
            List<String> unmatched,
            double ageSeconds) {}

    public record ObservedName(String name, String type, List<Route> vantages) {}

    /**
     * One failover or failback as observed: {@code startedAt} the verdict change (epoch millis), {@code seconds} until
     * the routing followed (null while it has not, and when it never did: {@code unresolved}), with the model's
     * prediction for the target.
     */
    public record FailoverEvent(
            String target,
            FailoverKind kind,
            long startedAt,
            Double seconds,
            Double predictedTypical,
            Double predictedWorst,
            boolean unresolved) {}

    /** A vantage point of an observed name: the name, and the agent that observes it. */
    record Observer(String name, String agentId) {
        /** As the logs name it: {@code api.example.com@agent-a}. */
        String describe() {
            return name + "@" + agentId;
        }
    }

    /** An observed name and a target it sends vantage points to (or {@link #UNMATCHED}): one series. */
    private record NameAndTarget(String name, String target) {}

    private final MeterRegistry registry;
    private final Failovers failovers;
    private final Map<NameAndTarget, Integer> vantagesByNameAndTarget = new ConcurrentHashMap<>();
    private final Map<NameAndTarget, Gauge> gauges = new HashMap<>();
    private final Set<String> everRouted = new HashSet<>();
    private final Map<Observer, AnswerHistory> histories = new HashMap<>();
    private AggregatorConfig addressesFor;
    private Map<String, List<String>> addressesFrom;
    private Map<String, List<String>> configuredAddresses = Map.of();
    private Map<String, Integer> targetOrder = Map.of();
    private Map<String, TargetSpec> targetsByName = Map.of();
    private Duration longestTtl = Duration.ZERO;
    private volatile List<ObservedName> names = List.of();
    private volatile List<FailoverEvent> events = List.of();

    public Routing(MeterRegistry registry) {
        this.registry = registry;
        this.failovers = new Failovers(registry);
    }

    /**
     * This routing as a round consumer: each round with observed names is an {@link #update}, one without stops it.
     * {@code observations}: each name's latest results; {@code recordValues}: what DNS answers for each bound record, as
     * AWS was last read; {@code predicted}: the model's time from a verdict until clients move, per target and kind (failover or failback),
     * or null.
     */
    public RoundConsumer consumer(
            Function<String, Collection<Observation>> observations,
            Supplier<Map<String, List<String>>> recordValues,
            BiFunction<TargetSpec, FailoverKind, FailoverRange> predicted) {
        return round -> {
            if (round.config().observe().isEmpty()) {
                stop();
            } else {
                update(round.at(), round.config(), observations, round.published(), recordValues.get(), predicted);
            }
        };
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
            BiFunction<TargetSpec, FailoverKind, FailoverRange> predicted) {
        if (config != addressesFor || recordValues != addressesFrom) {
            configuredAddresses = configuredAddresses(config.targets(), recordValues);
            targetOrder = new HashMap<>();
            targetsByName = new HashMap<>();
            longestTtl = Duration.ZERO;
            for (TargetSpec target : config.targets()) {
                targetOrder.put(target.name(), targetOrder.size());
                targetsByName.put(target.name(), target);
                longestTtl = longestTtl.compareTo(target.failover().dnsTtl()) >= 0
                        ? longestTtl
                        : target.failover().dnsTtl();
            }
            Set<String> names = new HashSet<>();
            config.observe().forEach(name -> names.add(name.name()));
            histories.keySet().removeIf(observer -> !names.contains(observer.name()));
            addressesFor = config;
            addressesFrom = recordValues;
        }
        Map<String, List<String>> byAddress = seenAddresses(config.targets(), observations, now);
        List<ObservedName> observed = new ArrayList<>();
        Map<NameAndTarget, Integer> counts = new LinkedHashMap<>();
        Map<Observer, Route> routes = new HashMap<>();
        for (AggregatorConfig.Observe name : config.observe()) {
            long freshFor = name.interval().toMillis() * 3;
            // Answers are kept over twice the longest lookback, so that whether a lookback is full can be told.
            long keepMillis =
                    2L * AnswerHistory.LOOKBACK_PICKS * Math.max(name.interval().toMillis(), longestTtl.toMillis());
            Function<String, AnswerHistory.Persistence> persistence = target -> {
                TargetSpec spec = targetsByName.get(target);
                return spec == null
                        ? null
                        : new AnswerHistory.Persistence(
                                name.interval(),
                                spec.failover().dnsTtl(),
                                spec.route53() != null && spec.route53().onePerVantage());
            };
            List<Route> vantages = new ArrayList<>();
            for (Observation observation : observations.apply(name.targetName())) {
                if (now - observation.observedAt() > freshFor) {
                    continue; // stale: unknown, and not shown as where DNS sends it now
                }
                Route route = route(observation, byAddress, now);
                Observer observer = new Observer(name.name(), observation.agentId());
                routes.put(observer, route);
                if (route.state() == RouteState.ROUTED) {
                    histories
                            .computeIfAbsent(observer, o -> new AnswerHistory())
                            .add(now, observation.observedAt(), route.targets(), persistence, keepMillis);
                }
                route.targets()
                        .forEach(target -> counts.merge(new NameAndTarget(name.name(), target), 1, Integer::sum));
                everRouted.addAll(route.targets());
                if (route.state() == RouteState.UNMATCHED) {
                    counts.merge(new NameAndTarget(name.name(), UNMATCHED), 1, Integer::sum);
                }
                vantages.add(route);
            }
            vantages.sort(Comparator.comparing(Route::region));
            observed.add(new ObservedName(name.name(), name.type(), List.copyOf(vantages)));
        }
        names = List.copyOf(observed);
        gauges(counts);
        failovers.update(now, config.targets(), verdicts, routes, histories, everRouted, predicted);
        events = failovers.events();
    }

    /** One vantage point's observation of a name, matched to targets by its answers and the CNAMEs before them. */
    private Route route(Observation observation, Map<String, List<String>> byAddress, long now) {
        List<String> answers = observation.answers() == null ? List.of() : observation.answers();
        List<String> cnames = observation.cnames() == null ? List.of() : observation.cnames();
        Set<String> matched = new LinkedHashSet<>();
        List<String> unmatched = new ArrayList<>();
        for (String answer : answers) {
            List<String> targets = byAddress.get(Addresses.canonical(answer));
            if (targets == null) {
                unmatched.add(answer);
            } else {
                matched.addAll(targets);
            }
        }
        cnames.forEach(cname -> matched.addAll(byAddress.getOrDefault(Addresses.canonical(cname), List.of())));
        List<String> targets = new ArrayList<>(matched);
        targets.sort(Comparator.comparing(targetOrder::get)); // in config order, as listed
        RouteState state = !observation.success() || answers.isEmpty()
                ? RouteState.UNKNOWN
                : targets.isEmpty() ? RouteState.UNMATCHED : RouteState.ROUTED;
        return new Route(
                observation.agentId(),
                observation.region(),
                state,
                answers,
                cnames,
                state == RouteState.UNKNOWN ? List.of() : List.copyOf(targets),
                List.copyOf(unmatched),
                (now - observation.observedAt()) / 1000.0);
    }

    /**
     * Which targets each address stands for this round: the configured ones, and every address an agent connected to,
     * or its dns phase answered, in its fresh results for a target.
     */
    private Map<String, List<String>> seenAddresses(
            List<TargetSpec> targets, Function<String, Collection<Observation>> observations, long now) {
        Map<String, List<String>> byAddress = new HashMap<>(configuredAddresses);
        for (TargetSpec target : targets) {
            long freshness = target.freshness().toMillis();
            for (Observation observation : observations.apply(target.name())) {
                if (now - observation.observedAt() >= freshness) {
                    continue;
                }
                if (observation.address() != null) {
                    stands(byAddress, observation.address(), target.name());
                }
                if (observation.answers() != null) {
                    observation.answers().forEach(answer -> stands(byAddress, answer, target.name()));
                }
            }
        }
        return byAddress;
    }

    private static void stands(Map<String, List<String>> byAddress, String address, String target) {
        List<String> known = byAddress.get(address);
        if (known == null || !known.contains(target)) {
            List<String> more = known == null ? new ArrayList<>(1) : new ArrayList<>(known);
            more.add(target);
            byAddress.put(address, more);
        }
    }

    /** How many vantage points DNS sends to each target, per observed name ({@code vantage_route_vantages}). */
    private void gauges(Map<NameAndTarget, Integer> counts) {
        vantagesByNameAndTarget.keySet().forEach(key -> vantagesByNameAndTarget.put(key, 0));
        vantagesByNameAndTarget.putAll(counts);
        counts.keySet()
                .forEach(key -> gauges.computeIfAbsent(
                        key,
                        k -> Gauge.builder(
                                        MetricNames.ROUTE_VANTAGES, vantagesByNameAndTarget, m -> m.getOrDefault(k, 0))
                                .tag("name", k.name())
                                .tag("target", k.target())
                                .description("Vantage points that DNS sends to this target for this observed name")
                                .register(registry)));
    }

    /**
     * Which targets an answer may stand for by the config: each target's probe host and its bound record's values (or
     * alias target). Built when the config or the record values change, not every round.
     */
    private static Map<String, List<String>> configuredAddresses(
            List<TargetSpec> targets, Map<String, List<String>> recordValues) {
        Map<String, List<String>> byAddress = new HashMap<>();
        for (TargetSpec target : targets) {
            Set<String> known = new HashSet<>();
            String host = host(target);
            if (host != null) {
                known.add(Addresses.canonical(host));
            }
            recordValues.getOrDefault(target.name(), List.of()).forEach(value -> known.add(Addresses.canonical(value)));
            known.forEach(address ->
                    byAddress.computeIfAbsent(address, a -> new ArrayList<>()).add(target.name()));
        }
        return byAddress;
    }

    /** No observed names any more: nothing to show, no failover to follow. */
    public void stop() {
        if (!names.isEmpty() || failovers.following()) {
            names = List.of();
            histories.clear();
            failovers.stopFollowing();
            gauges(Map.of());
            events = failovers.events();
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
        if (target.grpc() != null) {
            return target.grpc().host();
        }
        return target.tls() != null ? target.tls().host() : null;
    }

    public List<ObservedName> names() {
        return names;
    }

    public List<FailoverEvent> events() {
        return events;
    }
}
