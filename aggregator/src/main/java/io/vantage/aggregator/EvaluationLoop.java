package io.vantage.aggregator;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.Placement;
import io.vantage.aggregator.drill.Drills;
import io.vantage.aggregator.ingest.ResultStore;
import io.vantage.aggregator.members.MemberView;
import io.vantage.aggregator.quorum.BlindAgents;
import io.vantage.aggregator.quorum.Cadence;
import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.QuorumEvaluator;
import io.vantage.aggregator.quorum.Vantage;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.quorum.VerdictState;
import io.vantage.aggregator.round.Round;
import io.vantage.aggregator.round.RoundConsumer;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluation loop: every target every second and soon after new results are stored, reads the {@link ResultStore}
 * (and nothing else ingest writes), judges each agent's blindness, applies the honoured drills, logs each verdict change
 * with its reason, and hands the immutable {@link Round} to every {@link RoundConsumer}. Its state lives on one context
 * (the aggregator's); {@link #evaluateSoon()} may be called from any thread.
 */
final class EvaluationLoop {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationLoop.class);
    /**
     * Verdict changes logged one by one in a round; the rest are counted in one line. A fleet-wide change (the first
     * verdicts of 20,000 targets) logged line by line held the evaluator's event loop for seconds.
     */
    static final int MAX_CHANGES_LOGGED = 50;

    /**
     * One configured target as the loop walks it, with everything a round needs at hand (no lookup by name): its vantage
     * points in the store and the state the last round left.
     */
    private static final class Row {
        final TargetSpec target;
        final Duration freshness;
        final Vantage[] vantages;
        /** Per agent (config order): whether it serves from the target's region (fate sharing). */
        final boolean[] colocated;
        /** Per agent (config order): whether the target is placed there (its probeFrom); only those count. */
        final boolean[] placed;
        /** How many agents the target is placed at: the vantage points that could vote on it. */
        final int configured;

        VerdictState state;

        Row(TargetSpec target, Vantage[] vantages, List<AggregatorConfig.AgentEntry> agents, VerdictState state) {
            this.target = target;
            this.freshness = target.freshness();
            this.vantages = vantages;
            this.placed = Placement.placed(target, agents);
            this.colocated = new boolean[agents.size()];
            int count = 0;
            for (int i = 0; i < colocated.length; i++) {
                colocated[i] = placed[i] && agents.get(i).region().equals(target.region());
                count += placed[i] ? 1 : 0;
            }
            this.configured = count;
            this.state = state;
        }

        /**
         * The vantage points as {@link BlindAgents} judges agents on them: one the target is not placed at as never heard,
         * so that a result it still sends (an old target list) neither makes nor clears blindness. The kept slots are the
         * store's own, overwritten in place by each result.
         */
        Vantage[] placedVantages() {
            if (configured == placed.length) {
                return vantages;
            }
            Vantage[] counted = vantages.clone();
            for (int i = 0; i < counted.length && i < placed.length; i++) {
                if (!placed[i]) {
                    counted[i] = NOT_PLACED;
                }
            }
            return counted;
        }
    }

    /** Stands for a vantage point a target is not placed at, for {@link BlindAgents}: never heard, never offered. */
    private static final Vantage NOT_PLACED = new Vantage();

    private final Context context;
    private final ResultStore store;
    private final Clock clock;
    private final Drills drills;
    private final List<RoundConsumer> consumers;
    private final AtomicBoolean pending = new AtomicBoolean();

    private AggregatorConfig config;
    /** The configured targets in config order; rebuilt when a config is applied. */
    private List<Row> rows = List.of();
    /** The rows' vantage points and freshness windows, as {@link BlindAgents} reads them; rebuilt with the rows. */
    private List<Vantage[]> allVantages = List.of();

    private long[] freshnessMillis = new long[0];
    /** Per vantage point (config order): the column of its first member's seat; the others follow. */
    private int[] offsets = new int[0];
    /** Member columns in all: every vantage point's seats. */
    private int columns;
    /** Since when each member column is blind, as the last round found ({@link BlindAgents#NOT_BLIND}: not). */
    private long[] blindSince = new long[0];
    /** When the config in force was applied: an agent never heard from since is missing since then. */
    private long appliedAt;

    private long lastEvaluation;
    private volatile Round latest;

    EvaluationLoop(Context context, ResultStore store, Clock clock, Drills drills, List<RoundConsumer> consumers) {
        this.context = context;
        this.store = store;
        this.clock = clock;
        this.drills = drills;
        this.consumers = List.copyOf(consumers);
        store.onAccepted(this::evaluateSoon);
    }

    /**
     * Walks {@code next}'s targets from the next round on, each keeping the state it had if it was configured before;
     * the store must already be laid out for it. On the loop's context.
     */
    void configure(AggregatorConfig next) {
        Map<String, VerdictState> states = new HashMap<>();
        rows.forEach(row -> states.put(row.target.name(), row.state));
        long now = clock.millis();
        rows = next.targets().stream()
                .map(target -> new Row(
                        target,
                        store.vantages(target.name()),
                        next.agents(),
                        states.getOrDefault(target.name(), VerdictState.initial(now))))
                .toList();
        allVantages = rows.stream().map(Row::placedVantages).toList();
        freshnessMillis =
                rows.stream().mapToLong(row -> row.freshness.toMillis()).toArray();
        int[] nextOffsets = new int[next.agents().size()];
        int nextColumns = 0;
        for (int i = 0; i < nextOffsets.length; i++) {
            nextOffsets[i] = nextColumns;
            nextColumns += next.agents().get(i).members();
        }
        if (!Arrays.equals(nextOffsets, offsets) || nextColumns != columns) {
            blindSince = new long[0];
        }
        offsets = nextOffsets;
        columns = nextColumns;
        appliedAt = now;
        config = next;
    }

    /** The latest round, null before the first. */
    Round latest() {
        return latest;
    }

    /** A round soon, no sooner than the minimum spacing after the last; from any thread. */
    void evaluateSoon() {
        if (pending.compareAndSet(false, true)) {
            long wait = Math.max(1, lastEvaluation + Cadence.MIN_EVALUATION_SPACING.toMillis() - clock.millis());
            context.runOnContext(v -> context.owner().setTimer(wait, tick -> evaluate()));
        }
    }

    /** One round over every target, handed to every consumer; on the loop's context only. */
    void evaluate() {
        pending.set(false);
        long started = System.nanoTime();
        long now = clock.millis();
        lastEvaluation = now;
        int configured = config.agents().size();
        store.tick(now);
        List<ResultStore.AgentState> heard = store.agents(now);
        long[] blind = BlindAgents.update(allVantages, freshnessMillis, offsets, columns, blindSince, now);
        boolean[] seeing = BlindAgents.seeing(allVantages, freshnessMillis, configured, now);
        logBlindness(heard, offsets, blindSince, blind);
        blindSince = blind;
        List<Round.Agent> agents = new ArrayList<>(heard.size());
        for (int i = 0; i < heard.size(); i++) {
            ResultStore.AgentState agent = heard.get(i);
            agents.add(new Round.Agent(
                    agent.id(),
                    agent.region(),
                    agent.configuredAt(),
                    agent.lastReportAt(),
                    blind(agent, offsets[i], blind),
                    agent.members(),
                    config.agents().get(i).expectedMembers()));
        }
        List<Evaluation> evaluations = new ArrayList<>(rows.size());
        Map<Verdict, Integer> unlogged = new EnumMap<>(Verdict.class);
        int logged = 0;
        for (Row row : rows) {
            VerdictState previous = row.state;
            Evaluation evaluation = QuorumEvaluator.evaluate(
                    row.target.quorum(),
                    row.freshness,
                    row.vantages,
                    row.configured,
                    new QuorumEvaluator.Fleet(row.colocated, blind, offsets, appliedAt, seeing, row.placed),
                    previous,
                    now);
            row.state = evaluation.state();
            if (evaluation.changed() && logged < MAX_CHANGES_LOGGED) {
                logChange(row.target, previous.published(), evaluation, store.observations(row.target.name(), now));
                logged++;
            } else if (evaluation.changed()) {
                unlogged.merge(evaluation.verdict(), 1, Integer::sum);
            }
            evaluations.add(evaluation);
        }
        if (!unlogged.isEmpty()) {
            logUnlogged(unlogged);
        }
        Drills.Round drilled;
        // Drills need every verdict by name; without one configured or still honoured, they need nothing.
        if (!config.drills().isEmpty() || drills.any()) {
            Map<String, Verdict> verdicts = new HashMap<>();
            for (int i = 0; i < evaluations.size(); i++) {
                verdicts.put(config.targets().get(i).name(), evaluations.get(i).verdict());
            }
            drilled = drills.evaluate(config, verdicts, now);
        } else {
            drilled = drills.none();
        }
        Round round = new Round(
                now,
                config,
                List.copyOf(agents),
                List.copyOf(evaluations),
                drilled.honoured(),
                drilled.notes(),
                System.nanoTime() - started);
        latest = round;
        for (RoundConsumer consumer : consumers) {
            consumer.accept(round);
        }
    }

    /**
     * Whether a vantage point is blind: some member of it is, and every member with a share is (a blind member beside
     * one that sees leaves the vantage point seeing; its unhealthy votes are set aside all the same).
     */
    private static boolean blind(ResultStore.AgentState agent, int offset, long[] blindSince) {
        boolean any = false;
        for (MemberView member : agent.members().members()) {
            boolean isBlind = blindSince[offset + member.seat()] != BlindAgents.NOT_BLIND;
            any |= isBlind;
            if (!isBlind && member.sharing() && member.targets() > 0) {
                return false;
            }
        }
        return any;
    }

    /** Logs each member that turned blind, or stopped being blind, this round. */
    private static void logBlindness(List<ResultStore.AgentState> agents, int[] offsets, long[] before, long[] after) {
        for (int i = 0; i < agents.size(); i++) {
            ResultStore.AgentState agent = agents.get(i);
            for (MemberView member : agent.members().members()) {
                int column = offsets[i] + member.seat();
                boolean was = column < before.length && before[column] != BlindAgents.NOT_BLIND;
                boolean is = after[column] != BlindAgents.NOT_BLIND;
                if (is && !was) {
                    LOG.warn(
                            "agent {}@{} (member {}) is blind: its probes fail nearly every target while the others "
                                    + "see most of them healthy; its unhealthy votes are set aside until it sees again",
                            agent.id(),
                            agent.region(),
                            member.instance());
                } else if (was && !is) {
                    LOG.info(
                            "agent {}@{} (member {}) is no longer blind: its votes count again",
                            agent.id(),
                            agent.region(),
                            member.instance());
                }
            }
        }
    }

    /** The changes of a round past {@link #MAX_CHANGES_LOGGED}, counted in one line. */
    private static void logUnlogged(Map<Verdict, Integer> changes) {
        String counts = changes.entrySet().stream()
                .map(change -> change.getValue() + " to " + change.getKey())
                .collect(Collectors.joining(", "));
        if (changes.containsKey(Verdict.UNHEALTHY)) {
            LOG.warn("and {} more verdict changes this round ({}): /v1/status has each", total(changes), counts);
        } else {
            LOG.info("and {} more verdict changes this round ({}): /v1/status has each", total(changes), counts);
        }
    }

    private static int total(Map<Verdict, Integer> changes) {
        return changes.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static void logChange(
            TargetSpec target, Verdict before, Evaluation evaluation, List<Observation> observations) {
        long freshness = target.freshness().toMillis();
        String seen = observations.stream()
                .filter(o -> Placement.placedAt(target, o.agentId(), o.region()))
                .map(o -> o.agentId() + "@" + o.region() + (o.members() > 1 ? " (" + o.members() + " members)" : "")
                        + " "
                        + (!QuorumEvaluator.isFresh(o.observedAt(), evaluation.evaluatedAt(), freshness)
                                ? "stale"
                                : (o.success() ? "ok" : o.reason().label())
                                        + (o.success() == o.healthy() ? "" : ", not yet confirmed"))
                        + " ("
                        + (evaluation.evaluatedAt() - o.observedAt()) / 1000 + "s ago)")
                .collect(Collectors.joining(", "));
        String message = "{}: {} -> {} ({} of {} fresh vantage points healthy{}; quorum {} of at least {}): {}";
        Object[] arguments = {
            target.name(),
            before,
            evaluation.verdict(),
            evaluation.healthy(),
            evaluation.fresh(),
            (evaluation.setAside() > 0 ? "; " + evaluation.setAside() + " blind set aside" : "")
                    + (evaluation.lost() > 0
                            ? "; " + evaluation.lost() + " in " + target.region() + " lost with its region"
                            : ""),
            target.quorum().healthy(),
            target.quorum().minVantages(),
            seen.isEmpty() ? "no results" : seen
        };
        if (evaluation.verdict() == Verdict.HEALTHY) {
            LOG.info(message, arguments);
        } else {
            LOG.warn(message, arguments);
        }
    }
}
