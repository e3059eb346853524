package io.vantage.aggregator.model;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.Placement;
import io.vantage.aggregator.quorum.BlindAgents;
import io.vantage.aggregator.quorum.QuorumEvaluator;
import io.vantage.aggregator.quorum.Vantage;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.quorum.VerdictState;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What each target's topology survives, computed from the config by playing three failures through the production
 * {@link QuorumEvaluator} and {@link BlindAgents} until the verdict settles: its region lost together with the agents
 * in it, one agent blind (failing every target), and one agent restarting while the others see the endpoint healthy.
 * {@code validate-config}, {@code plan} and {@code simulate} print it, and warn where a target cannot both tolerate a
 * blind agent and fail over a lost region.
 */
public final class Topology {
    /** What one target does in each failure, once settled. */
    public record Survival(
            TargetSpec target,
            int agents,
            int colocated,
            Verdict regionLost,
            Verdict agentBlind,
            Verdict agentRestarting,
            List<String> warnings) {
        public String describe() {
            return String.format(
                    Locale.ROOT,
                    "%s (%s; %d agents%s; quorum %d healthy of at least %d): region lost with its agent -> %s; one agent "
                            + "blind -> %s; an agent restarting -> %s",
                    target.name(),
                    target.region() == null
                            ? "no region"
                            : "region " + target.region() + ", " + colocated + " agent(s) there",
                    agents,
                    target.probeFrom().isEmpty() ? "" : " placed by probeFrom " + target.probeFrom(),
                    target.quorum().healthy(),
                    target.quorum().minVantages(),
                    outcome(regionLost),
                    outcome(agentBlind),
                    outcome(agentRestarting));
        }

        private static String outcome(Verdict verdict) {
            return switch (verdict) {
                case UNHEALTHY -> "UNHEALTHY (fails over)";
                case HEALTHY -> "HEALTHY";
                case INSUFFICIENT_DATA -> "INSUFFICIENT_DATA (fail static: no failover)";
            };
        }
    }

    private record Key(Object quorum, Duration freshness, String region, List<String> probeFrom) {}

    private final Map<String, Survival> byTarget = new HashMap<>();

    private Topology(AggregatorConfig config) {
        Map<Key, Survival> cache = new HashMap<>();
        for (TargetSpec target : config.targets()) {
            Survival shared = cache.computeIfAbsent(
                    new Key(target.quorum(), target.freshness(), target.region(), target.probeFrom()),
                    key -> survival(config, target));
            byTarget.put(
                    target.name(),
                    new Survival(
                            target,
                            shared.agents(),
                            shared.colocated(),
                            shared.regionLost(),
                            shared.agentBlind(),
                            shared.agentRestarting(),
                            shared.warnings().stream()
                                    .map(w -> target.name() + ": " + w)
                                    .toList()));
        }
    }

    public static Topology of(AggregatorConfig config) {
        return new Topology(config);
    }

    public Survival of(TargetSpec target) {
        return byTarget.get(target.name());
    }

    /** Every target's warnings, in config order. */
    public List<String> warnings(AggregatorConfig config) {
        List<String> all = new ArrayList<>();
        config.targets()
                .forEach(target -> all.addAll(byTarget.get(target.name()).warnings()));
        return all;
    }

    private enum Failure {
        REGION_LOST,
        AGENT_BLIND,
        AGENT_RESTARTING
    }

    /** The failures played among the agents the target is placed at ({@link Placement}): only they vote on it. */
    private static Survival survival(AggregatorConfig config, TargetSpec target) {
        List<AggregatorConfig.AgentEntry> placed = config.agents().stream()
                .filter(agent -> Placement.placedAt(target, agent))
                .toList();
        int agents = placed.size();
        boolean[] colocated = new boolean[agents];
        int inRegion = 0;
        for (int i = 0; i < agents; i++) {
            colocated[i] = placed.get(i).region().equals(target.region());
            inRegion += colocated[i] ? 1 : 0;
        }
        boolean severalTargets = config.targets().size() >= BlindAgents.MIN_TARGETS;
        // The agents lost with the region: those in it; with no region on the target, one agent whose fate vantage
        // cannot know it shares (which one does not matter: the quorum treats agents alike).
        boolean[] lostAgents = colocated.clone();
        if (target.region() == null && agents > 0) {
            lostAgents[0] = true;
        }
        Verdict lost = settle(target, colocated, lostAgents, severalTargets, Failure.REGION_LOST, 0);
        Verdict blind = Verdict.HEALTHY;
        Verdict restarting = Verdict.HEALTHY;
        for (int agent = 0; agent < agents; agent++) {
            blind = worse(blind, settle(target, colocated, lostAgents, severalTargets, Failure.AGENT_BLIND, agent));
            restarting = worse(
                    restarting, settle(target, colocated, lostAgents, severalTargets, Failure.AGENT_RESTARTING, agent));
        }
        List<String> warnings = new ArrayList<>();
        if (lost != Verdict.UNHEALTHY && target.hasPlacement() && agents > 0 && inRegion == agents) {
            warnings.add("a region lost together with its agents would never fail over (" + lost
                    + "): every agent its probeFrom places it at is in its region " + target.region()
                    + ", so none is left to see the region gone (a private endpoint fails static; place it at an"
                    + " agent elsewhere that can reach it, if one can)");
        } else if (lost != Verdict.UNHEALTHY) {
            warnings.add("a region lost together with its agent would never fail over (" + lost
                    + ": the missing agent could always overturn the verdict); "
                    + (target.region() == null
                            ? "set region: on the target so that the agent in its region shares its fate, or add a "
                                    + "witness agent in a third region"
                            : !severalTargets
                                    ? "with a single target no agent's unhealthy vote shows that its own network works, "
                                            + "so fate sharing cannot apply: add the other regions' targets, or a "
                                            + "witness agent in a third region"
                                    : "add a witness agent in a third region, or lower quorum.healthy"));
        }
        if (blind == Verdict.UNHEALTHY) {
            warnings.add("one blind agent (its resolver or network broken) would fail it over; "
                    + (severalTargets
                            ? "lower quorum.healthy so that the other agents' healthy votes carry it, or add a witness "
                                    + "agent in a third region"
                            : "with a single target a blind agent cannot be told from an outage: add targets, lower "
                                    + "quorum.healthy, or add a witness agent"));
        }
        if (restarting == Verdict.UNHEALTHY) {
            warnings.add("an agent restarting would fail it over");
        }
        return new Survival(target, agents, inRegion, lost, blind, restarting, List.copyOf(warnings));
    }

    /** UNHEALTHY is worse than INSUFFICIENT_DATA, which is worse than HEALTHY. */
    private static Verdict worse(Verdict a, Verdict b) {
        return a == Verdict.UNHEALTHY || b == Verdict.UNHEALTHY
                ? Verdict.UNHEALTHY
                : a == Verdict.INSUFFICIENT_DATA || b == Verdict.INSUFFICIENT_DATA
                        ? Verdict.INSUFFICIENT_DATA
                        : Verdict.HEALTHY;
    }

    /**
     * Plays {@code failure} from a settled HEALTHY state, one probe round per interval, until well past the freshness
     * window, regionLostAfter and fall rounds; returns the published verdict then. {@code agent}: the blind or
     * restarting one. The restarting agent's last result is just older than the freshness window (missing) but, the
     * way a restart is, for less than regionLostAfter. {@code lost}: the agents that stop with a lost region.
     */
    private static Verdict settle(
            TargetSpec target,
            boolean[] colocated,
            boolean[] lost,
            boolean severalTargets,
            Failure failure,
            int agent) {
        int agents = colocated.length;
        long interval = target.interval().toMillis();
        long freshness = target.freshness().toMillis();
        long start = 1_000_000_000L;
        Vantage[] vantages = new Vantage[agents];
        Vantage[] sibling = new Vantage[agents];
        for (int a = 0; a < agents; a++) {
            vantages[a] = new Vantage();
            sibling[a] = new Vantage();
            vantages[a].offer(ProbeResult.success(target.name(), start - 1, null, null, null), start - 1, 1);
            sibling[a].offer(ProbeResult.success("sibling", start - 1, null, null, null), start - 1, 1);
        }
        List<Vantage[]> judged = severalTargets ? List.of(vantages, sibling) : Collections.singletonList(vantages);
        long[] freshnessMillis = new long[judged.size()];
        Arrays.fill(freshnessMillis, freshness);
        long[] blindSince = new long[0];
        VerdictState state = new VerdictState(Verdict.HEALTHY, start, null, 0, start - 1);
        long horizon = freshness
                + target.quorum().regionLostAfter().toMillis()
                + interval
                        * (target.quorum().fall()
                                + target.quorum().rise()
                                + target.quorum().confirm()
                                + 2);
        long restartedResult = start;
        for (long now = start + interval; now <= start + horizon; now += interval) {
            for (int a = 0; a < agents; a++) {
                boolean reports = switch (failure) {
                    case REGION_LOST -> !lost[a];
                    case AGENT_BLIND -> true;
                    case AGENT_RESTARTING -> a != agent;
                };
                boolean healthy = switch (failure) {
                    case REGION_LOST -> false;
                    case AGENT_BLIND -> a != agent;
                    case AGENT_RESTARTING -> true;
                };
                if (reports) {
                    offer(vantages[a], target, now, healthy);
                    offer(sibling[a], target, now, healthy || failure == Failure.REGION_LOST);
                }
            }
            if (failure == Failure.AGENT_RESTARTING) {
                // Missing (just stale), for less than regionLostAfter: a restart.
                long last = now - freshness - 1;
                if (last > restartedResult) {
                    restartedResult = last;
                    vantages[agent].offer(ProbeResult.success(target.name(), last, null, null, null), last, 1);
                }
            }
            blindSince =
                    BlindAgents.update(judged, freshnessMillis, BlindAgents.oneEach(agents), agents, blindSince, now);
            boolean[] seeing = BlindAgents.seeing(judged, freshnessMillis, agents, now);
            state = QuorumEvaluator.evaluate(
                            target.quorum(),
                            target.freshness(),
                            vantages,
                            agents,
                            new QuorumEvaluator.Fleet(colocated, blindSince, new int[0], start, seeing),
                            state,
                            now)
                    .state();
        }
        return state.published();
    }

    private static void offer(Vantage vantage, TargetSpec target, long now, boolean healthy) {
        ProbeResult result = healthy
                ? ProbeResult.success(target.name(), now, null, null, null)
                : ProbeResult.failure(target.name(), now, FailureReason.CONNECT_TIMEOUT, null, null, null, null);
        vantage.offer(result, now, target.quorum().confirm());
    }
}
