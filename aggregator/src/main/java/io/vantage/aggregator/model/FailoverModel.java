package io.vantage.aggregator.model;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.Placement;
import io.vantage.aggregator.quorum.QuorumEvaluator;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.target.TargetSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The time from an endpoint failure to each step of failover, from the config alone: (a) the quorum
 * verdict, (b) the first {@code Healthy=0} datum, (c) the alarm in ALARM (so the Route 53 health check is
 * unhealthy), (d) clients re-resolved after the DNS TTL. Each trial plays the chain once with random
 * phases — when each agent next probes, pushes, when the aggregator evaluates and publishes, where the
 * alarm's periods start — through the production {@link QuorumEvaluator} and {@link AlarmEvaluator};
 * best / typical / worst are the minimum / median / maximum over the trials. Assumed, and said so in the
 * output: Route 53 follows the alarm state as soon as it changes, CloudWatch evaluates each period as it
 * ends, and agents push every second. The failback ({@link Scenario#ENDPOINT_RECOVERS}) is the same chain the other way:
 * the verdict HEALTHY again after {@code rise} passing probes, the first {@code Healthy=1}, the alarm OK (so the health
 * check healthy), clients back after the TTL.
 */
public final class FailoverModel {
    public enum Scenario {
        /** The endpoint answers errors (or refuses) from t = 0. */
        ENDPOINT_DOWN(Failing.EVERY_AGENT, FailureReason.HTTP_STATUS, Silenced.NO_AGENT),
        /** The endpoint hangs from t = 0: each probe fails at its timeout. */
        ENDPOINT_HANG(Failing.EVERY_AGENT, FailureReason.TIMEOUT, Silenced.NO_AGENT),
        /** The first agent's region loses its network to the endpoints; the endpoint is fine. */
        REGION_PARTITION(Failing.AGENT_1, FailureReason.CONNECT_TIMEOUT, Silenced.NO_AGENT),
        /** Every agent stops reporting at t = 0 (the fleet is blind); the endpoint is fine. */
        FLEET_BLIND(Failing.NO_AGENT, null, Silenced.EVERY_AGENT),
        /**
         * The endpoint's region is lost at t = 0 together with its agents: the endpoint stops answering (probes time
         * out) and the agents in its region stop reporting. Without {@code region:} on the target, agent-1 is taken as
         * the region's agent, though vantage cannot know that it shares the endpoint's fate.
         */
        REGION_LOST(Failing.EVERY_AGENT, FailureReason.CONNECT_TIMEOUT, Silenced.THE_REGIONS_AGENTS),
        /** agent-1 fails every probe of every target from t = 0 (a broken resolver or NIC); the endpoint is fine. */
        AGENT_BLIND(Failing.AGENT_1_EVERY_TARGET, FailureReason.DNS, Silenced.NO_AGENT),
        /**
         * The failback: the endpoint failed long enough for the alarm to be in ALARM and answers again from t = 0; each
         * step is its way back (verdict HEALTHY, first Healthy=1, alarm OK, clients back).
         */
        ENDPOINT_RECOVERS(Failing.EVERY_AGENT, FailureReason.HTTP_STATUS, Silenced.NO_AGENT);

        /** Whose probes fail from t = 0. */
        private enum Failing {
            EVERY_AGENT,
            /** agent-1's probes of this target. */
            AGENT_1,
            /** agent-1's probes of every target, this one and the others. */
            AGENT_1_EVERY_TARGET,
            NO_AGENT
        }

        /** Who stops reporting at t = 0. */
        private enum Silenced {
            NO_AGENT,
            EVERY_AGENT,
            /** The agents of the endpoint's region; agent-1 when the target names no region. */
            THE_REGIONS_AGENTS
        }

        private final Failing failing;
        private final FailureReason reason;
        private final Silenced silenced;

        /** {@code reason}: why a failing probe fails (null: no probe fails). */
        Scenario(Failing failing, FailureReason reason, Silenced silenced) {
            this.failing = failing;
            this.reason = reason;
            this.silenced = silenced;
        }

        /** As the {@code simulate} command names it: {@code endpoint-down}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Whether the endpoint itself keeps working: a failover would then be the fleet's own doing. */
        public boolean endpointHealthy() {
            return failing != Failing.EVERY_AGENT;
        }

        /** Whether this is the way back: the probes fail before t = 0 and pass from it on. */
        public boolean recovers() {
            return this == ENDPOINT_RECOVERS;
        }

        /** What happens at t = 0, for the timeline. */
        String describe(Inputs inputs) {
            TargetSpec target = inputs.target();
            return switch (this) {
                case ENDPOINT_DOWN -> "endpoint starts failing (errors or refused connections)";
                case ENDPOINT_HANG ->
                    "endpoint starts hanging (every probe runs into its "
                            + FailoverTrial.fmt(FailoverTrial.seconds(target.timeout())) + " s timeout)";
                case REGION_PARTITION ->
                    "agent-1's region loses its network to the endpoint; the endpoint itself is fine";
                case FLEET_BLIND -> "every agent stops reporting; the endpoint itself is fine";
                case REGION_LOST ->
                    inputs.colocated() > 0
                            ? "the endpoint's region " + target.region() + " is lost with its " + inputs.colocated()
                                    + " agent(s): the endpoint stops answering, they stop reporting"
                            : target.region() == null
                                    ? "the endpoint's region is lost with agent-1 (the target names no region: "
                                            + "vantage cannot know that agent-1 shares its fate)"
                                    : "the endpoint's region " + target.region()
                                            + " is lost; no agent runs there: the endpoint stops answering";
                case AGENT_BLIND ->
                    "agent-1 goes blind: every probe of every target fails (its resolver); the endpoint is fine";
                case ENDPOINT_RECOVERS -> "endpoint answers again after failing long enough for the alarm";
            };
        }

        /** Whether {@code agent}'s probes of the target fail from t = 0. */
        boolean fails(int agent) {
            return switch (failing) {
                case EVERY_AGENT -> true;
                case AGENT_1, AGENT_1_EVERY_TARGET -> agent == 0;
                case NO_AGENT -> false;
            };
        }

        /** Whether {@code agent}'s probes of the other targets fail alike. */
        boolean failsEveryTarget(int agent) {
            return failing == Failing.AGENT_1_EVERY_TARGET && agent == 0;
        }

        /** Why a failing probe fails. */
        FailureReason reason() {
            return reason;
        }

        /** Whether a failing probe completes at its timeout (rather than at once). */
        boolean failsAtTimeout() {
            return reason == FailureReason.TIMEOUT || reason == FailureReason.CONNECT_TIMEOUT;
        }

        /** Whether {@code agent} stops reporting at t = 0. */
        boolean stops(int agent, Inputs inputs) {
            return switch (silenced) {
                case NO_AGENT -> false;
                case EVERY_AGENT -> true;
                case THE_REGIONS_AGENTS -> agent < regionsAgents(inputs);
            };
        }

        /** How many agents are lost with the endpoint's region: those in it, else agent-1 when the target names none. */
        private static int regionsAgents(Inputs inputs) {
            if (inputs.colocated() > 0) {
                return inputs.colocated();
            }
            return inputs.target().region() == null ? 1 : 0;
        }

        /** Whether every agent stops reporting, so that the metric goes missing. */
        boolean silencesFleet() {
            return silenced == Silenced.EVERY_AGENT;
        }
    }

    /**
     * {@code colocated}: how many of the agents serve from the target's region (agent-1 .. agent-n; none when the target
     * names no region); {@code targets}: how many targets every agent probes (blindness is judged across them);
     * {@code alarmPeriod}: the period the alarm is evaluated over, the alarm's own but for a stand-in that evaluates it
     * faster than CloudWatch can (the demo's).
     */
    public record Inputs(
            TargetSpec target,
            int agents,
            Duration publishEvery,
            AggregatorConfig.Alarm alarm,
            int colocated,
            int targets,
            Duration alarmPeriod) {
        public Inputs(
                TargetSpec target,
                int agents,
                Duration publishEvery,
                AggregatorConfig.Alarm alarm,
                int colocated,
                int targets) {
            this(target, agents, publishEvery, alarm, colocated, targets, alarm.period());
        }

        /** One target probed by {@code agents} agents, none of them in its region. */
        public Inputs(TargetSpec target, int agents, Duration publishEvery, AggregatorConfig.Alarm alarm) {
            this(target, agents, publishEvery, alarm, 0, 1);
        }

        /** The same, with the alarm evaluated over {@code period} periods (a stand-in's, shorter than CloudWatch's). */
        public Inputs withAlarmPeriod(Duration period) {
            return new Inputs(target, agents, publishEvery, alarm, colocated, targets, period);
        }

        /**
         * {@code target} of {@code config}, with the fleet and regions the config gives it: the agents it is placed at
         * ({@link Placement}; every agent without probeFrom), the others having no say in its verdict.
         */
        public static Inputs of(AggregatorConfig config, TargetSpec target) {
            int colocated = (int) config.agents().stream()
                    .filter(agent -> Placement.placedAt(target, agent))
                    .filter(agent -> agent.region().equals(target.region()))
                    .count();
            return new Inputs(
                    target,
                    Placement.count(target, config.agents()),
                    config.cloudwatch().publishEvery(),
                    config.alarm(),
                    colocated,
                    config.targets().size());
        }
    }

    /**
     * Each step's range, in seconds from the failure (from the recovery for a failback); {@code clientsAfterVerdict}: the
     * time from the verdict until clients moved, trial by trial, which is what an observed failover is timed by.
     */
    public record Prediction(
            int trials,
            FailoverRange verdict,
            FailoverRange firstDatum,
            FailoverRange alarm,
            FailoverRange clients,
            FailoverRange clientsAfterVerdict) {}

    public record Event(double at, String what) {}

    /** One trial's timeline, and when each step happened (NaN: never). */
    public record Timeline(List<Event> events, double verdict, double firstDatum, double alarm, double clients) {}

    private FailoverModel() {}

    public static Prediction predict(Inputs inputs, int trials, long seed) {
        return predict(inputs, Scenario.ENDPOINT_DOWN, trials, seed);
    }

    /** The ranges over {@code trials} replays of {@code scenario} (endpoint-hang: the endpoint stops answering at all). */
    public static Prediction predict(Inputs inputs, Scenario scenario, int trials, long seed) {
        Random random = new Random(seed);
        double[][] times = new double[5][trials];
        for (int i = 0; i < trials; i++) {
            Timeline timeline = simulate(inputs, scenario, random);
            times[0][i] = timeline.verdict();
            times[1][i] = timeline.firstDatum();
            times[2][i] = timeline.alarm();
            times[3][i] = timeline.clients();
            times[4][i] = timeline.clients() - timeline.verdict();
        }
        return new Prediction(
                trials, range(times[0]), range(times[1]), range(times[2]), range(times[3]), range(times[4]));
    }

    private static FailoverRange range(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new FailoverRange(sorted[0], sorted[sorted.length / 2], sorted[sorted.length - 1]);
    }

    /** Plays one trial of {@code scenario}. */
    public static Timeline simulate(Inputs inputs, Scenario scenario, Random random) {
        return new FailoverTrial(inputs, scenario, random).play();
    }
}
