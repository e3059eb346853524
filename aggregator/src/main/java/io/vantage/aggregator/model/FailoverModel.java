package io.vantage.aggregator.model;

import io.vantage.aggregator.cloudwatch.CloudWatchContract;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.model.AlarmEvaluator.Point;
import io.vantage.aggregator.quorum.BlindAgents;
import io.vantage.aggregator.quorum.Cadence;
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
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;

/**
 * The time from an endpoint failure to each step of failover, from the config alone: (a) the quorum
 * verdict, (b) the first {@code Healthy=0} datum, (c) the alarm in ALARM (so the Route 53 health check is
 * unhealthy), (d) clients re-resolved after the DNS TTL. Each trial plays the chain once with random
 * phases — when each agent next probes, pushes, when the aggregator evaluates and publishes, where the
 * alarm's periods start — through the production {@link QuorumEvaluator} and {@link AlarmEvaluator};
 * best / typical / worst are the minimum / median / maximum over the trials. Assumed, and said so in the
 * output: Route 53 follows the alarm state as soon as it changes, CloudWatch evaluates each period as it
 * ends, and agents push every second.
 */
public final class FailoverModel {
    private static final double EVALUATE_EVERY = seconds(Cadence.EVALUATE_EVERY);
    private static final double EVALUATE_AFTER_INGEST = seconds(Cadence.MIN_EVALUATION_SPACING);
    private static final double FAST_FAILURE_LATENCY = 0.005;

    public enum Scenario {
        /** The endpoint answers errors (or refuses) from t = 0. */
        ENDPOINT_DOWN,
        /** The endpoint hangs from t = 0: each probe fails at its timeout. */
        ENDPOINT_HANG,
        /** The first agent's region loses its network to the endpoints; the endpoint is fine. */
        REGION_PARTITION,
        /** Every agent stops reporting at t = 0 (the fleet is blind); the endpoint is fine. */
        FLEET_BLIND,
        /**
         * The endpoint's region is lost at t = 0 together with its agents: the endpoint stops answering (probes time
         * out) and the agents in its region stop reporting. Without {@code region:} on the target, agent-1 is taken as
         * the region's agent, though vantage cannot know that it shares the endpoint's fate.
         */
        REGION_LOST,
        /** agent-1 fails every probe of every target from t = 0 (a broken resolver or NIC); the endpoint is fine. */
        AGENT_BLIND
    }

    /**
     * {@code colocated}: how many of the agents serve from the target's region (agent-1 .. agent-n; none when the target
     * names no region); {@code targets}: how many targets every agent probes (blindness is judged across them).
     */
    public record Inputs(
            TargetSpec target,
            int agents,
            Duration publishEvery,
            AggregatorConfig.Alarm alarm,
            int colocated,
            int targets) {
        /** One target probed by {@code agents} agents, none of them in its region. */
        public Inputs(TargetSpec target, int agents, Duration publishEvery, AggregatorConfig.Alarm alarm) {
            this(target, agents, publishEvery, alarm, 0, 1);
        }

        /** {@code target} of {@code config}, with the fleet and regions the config gives it. */
        public static Inputs of(AggregatorConfig config, TargetSpec target) {
            int colocated = (int) config.agents().stream()
                    .filter(agent -> agent.region().equals(target.region()))
                    .count();
            return new Inputs(
                    target,
                    config.agents().size(),
                    config.cloudwatch().publishEvery(),
                    config.alarm(),
                    colocated,
                    config.targets().size());
        }
    }

    /** Seconds from the failure; NaN where the step never happens within the horizon. */
    public record Range(double best, double typical, double worst) {}

    public record Prediction(int trials, Range verdict, Range firstDatum, Range alarm, Range clients) {}

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
        double[][] times = new double[4][trials];
        for (int i = 0; i < trials; i++) {
            Timeline timeline = simulate(inputs, scenario, random);
            times[0][i] = timeline.verdict();
            times[1][i] = timeline.firstDatum();
            times[2][i] = timeline.alarm();
            times[3][i] = timeline.clients();
        }
        return new Prediction(trials, range(times[0]), range(times[1]), range(times[2]), range(times[3]));
    }

    private static Range range(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new Range(sorted[0], sorted[sorted.length / 2], sorted[sorted.length - 1]);
    }

    /** Plays one trial of {@code scenario}. */
    public static Timeline simulate(Inputs inputs, Scenario scenario, Random random) {
        TargetSpec target = inputs.target();
        double interval = seconds(target.interval());
        double timeout = seconds(target.timeout());
        double push = seconds(Cadence.AGENT_PUSH_INTERVAL);
        double publish = seconds(inputs.publishEvery());
        double period = seconds(inputs.alarm().period());
        double ttl = seconds(target.failover().dnsTtl());
        double horizon = 3 * interval * (target.quorum().fall() + 3)
                + timeout
                + publish
                + period * (inputs.alarm().evaluationPeriods() + CloudWatchContract.EVALUATION_RANGE_PERIODS + 1)
                + seconds(target.quorum().regionLostAfter())
                + ttl;
        // Enough steady history before the failure for the verdict and the alarm to be settled at t = 0.
        double history = Math.max(10 * interval, (CloudWatchContract.EVALUATION_RANGE_PERIODS + 2) * period + publish);
        List<Event> events = new ArrayList<>();
        events.add(new Event(
                0,
                switch (scenario) {
                    case ENDPOINT_DOWN -> "endpoint starts failing (errors or refused connections)";
                    case ENDPOINT_HANG ->
                        "endpoint starts hanging (every probe runs into its " + fmt(timeout) + " s timeout)";
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
                }));
        int lostAgents = scenario != Scenario.REGION_LOST
                ? 0
                : inputs.colocated() > 0 ? inputs.colocated() : target.region() == null ? 1 : 0;
        boolean[] colocated = new boolean[inputs.agents()];
        for (int agent = 0; agent < Math.min(inputs.colocated(), colocated.length); agent++) {
            colocated[agent] = true;
        }

        // Arrivals at the aggregator: (arrival time, agent, observation), each agent probing every interval.
        record Arrival(double at, int agent, ProbeResult result, long observedAt) {}
        List<Arrival> arrivals = new ArrayList<>();
        for (int agent = 0; agent < inputs.agents(); agent++) {
            double phase = random.nextDouble() * interval;
            double pushPhase = random.nextDouble() * push;
            boolean fails = switch (scenario) {
                case ENDPOINT_DOWN, ENDPOINT_HANG, REGION_LOST -> true;
                case REGION_PARTITION, AGENT_BLIND -> agent == 0;
                case FLEET_BLIND -> false;
            };
            boolean stops = scenario == Scenario.FLEET_BLIND || agent < lostAgents;
            for (double start = phase - Math.ceil(history / interval) * interval; start < horizon; start += interval) {
                if (stops && start >= 0) {
                    break;
                }
                boolean failed = fails && start >= 0;
                double latency = !failed
                        ? FAST_FAILURE_LATENCY
                        : scenario == Scenario.ENDPOINT_DOWN || scenario == Scenario.AGENT_BLIND
                                ? FAST_FAILURE_LATENCY
                                : timeout;
                double done = start + latency;
                double arrival = Math.ceil((done - pushPhase) / push) * push + pushPhase;
                long stamp = Math.round(start * 1000) + 1_000_000_000L;
                ProbeResult result = failed
                        ? ProbeResult.failure(
                                target.name(),
                                stamp,
                                switch (scenario) {
                                    case ENDPOINT_DOWN -> FailureReason.HTTP_STATUS;
                                    case ENDPOINT_HANG -> FailureReason.TIMEOUT;
                                    case AGENT_BLIND -> FailureReason.DNS;
                                    case REGION_PARTITION, REGION_LOST, FLEET_BLIND -> FailureReason.CONNECT_TIMEOUT;
                                },
                                null,
                                null,
                                null,
                                null)
                        : ProbeResult.success(target.name(), stamp, null, null, null);
                arrivals.add(new Arrival(arrival, agent, result, stamp));
                if (failed && start < interval) {
                    events.add(new Event(
                            done,
                            "agent-" + (agent + 1) + "'s first failing probe completes (started at " + fmt(start)
                                    + " s)"));
                }
            }
        }
        arrivals.sort((a, b) -> Double.compare(a.at(), b.at()));

        // Evaluation times: every second, and shortly after each arrival.
        TreeSet<Double> evaluations = new TreeSet<>();
        double evaluationPhase = random.nextDouble() * EVALUATE_EVERY;
        for (double t = evaluationPhase - history; t < horizon; t += EVALUATE_EVERY) {
            evaluations.add(t);
        }
        arrivals.forEach(arrival -> evaluations.add(arrival.at() + random.nextDouble() * EVALUATE_AFTER_INGEST));

        Vantage[] latest = new Vantage[inputs.agents()];
        Arrays.setAll(latest, agent -> new Vantage());
        // Blindness and seeing are judged across targets: another target of the config, healthy from every agent that
        // reports, but failing from agent-1 alike in agent-blind.
        Vantage[] sibling = new Vantage[inputs.agents()];
        Arrays.setAll(sibling, agent -> new Vantage());
        List<Vantage[]> judged =
                inputs.targets() >= 2 ? List.of(latest, sibling) : java.util.Collections.singletonList(latest);
        long[] freshness = new long[judged.size()];
        Arrays.fill(freshness, target.freshness().toMillis());
        long[] blindSince = new long[0];
        long startedAt = Math.round(-history * 1000) + 1_000_000_000L;
        boolean blindLogged = false;
        int next = 0;
        VerdictState state = new VerdictState(Verdict.HEALTHY, -1, null, 0, Long.MIN_VALUE);
        double verdictAt = Double.NaN;
        List<double[]> verdicts = new ArrayList<>(); // (time, 1 healthy / 0 unhealthy / NaN insufficient)
        for (double t : evaluations) {
            while (next < arrivals.size() && arrivals.get(next).at() <= t) {
                Arrival arrival = arrivals.get(next);
                latest[arrival.agent()].offer(
                        arrival.result(), arrival.observedAt(), target.quorum().confirm());
                ProbeResult other = scenario == Scenario.AGENT_BLIND && arrival.agent() == 0
                        ? arrival.result()
                        : ProbeResult.success("sibling", arrival.result().timestamp(), null, null, null);
                sibling[arrival.agent()].offer(
                        other, arrival.observedAt(), target.quorum().confirm());
                next++;
            }
            long now = Math.round(t * 1000) + 1_000_000_000L;
            blindSince = BlindAgents.update(judged, freshness, inputs.agents(), blindSince, now);
            boolean[] seeing = BlindAgents.seeing(judged, freshness, inputs.agents(), now);
            if (t >= 0 && !blindLogged && blindSince.length > 0 && blindSince[0] != BlindAgents.NOT_BLIND) {
                blindLogged = true;
                events.add(new Event(t, "agent-1 judged blind: its unhealthy votes are set aside"));
            }
            var evaluation = QuorumEvaluator.evaluate(
                    target.quorum(),
                    target.freshness(),
                    latest,
                    inputs.agents(),
                    new QuorumEvaluator.Fleet(colocated, blindSince, startedAt, seeing),
                    state,
                    now);
            state = evaluation.state();
            Verdict verdict = evaluation.verdict();
            verdicts.add(
                    new double[] {t, verdict == Verdict.HEALTHY ? 1 : verdict == Verdict.UNHEALTHY ? 0 : Double.NaN});
            if (t >= 0 && evaluation.changed()) {
                events.add(new Event(
                        t,
                        "verdict " + verdict + " (" + evaluation.healthy() + " of " + evaluation.fresh()
                                + " fresh vantage points healthy"
                                + (evaluation.setAside() > 0 ? "; " + evaluation.setAside() + " blind set aside" : "")
                                + (evaluation.lost() > 0
                                        ? "; " + evaluation.lost() + " lost with the endpoint's region"
                                        : "")
                                + ")"));
                if (verdict == Verdict.UNHEALTHY && Double.isNaN(verdictAt)) {
                    verdictAt = t;
                }
            }
        }

        // Publishing: every publishEvery, the latest verdict; nothing while there is insufficient data.
        double publishPhase = random.nextDouble() * publish;
        List<double[]> datums = new ArrayList<>(); // (time, value)
        double firstZero = Double.NaN;
        double lastDatum = Double.NaN;
        int v = 0;
        for (double t = publishPhase - history; t < horizon; t += publish) {
            while (v + 1 < verdicts.size() && verdicts.get(v + 1)[0] <= t) {
                v++;
            }
            double value = verdicts.get(v)[1];
            if (Double.isNaN(value)) {
                continue;
            }
            datums.add(new double[] {t, value});
            lastDatum = t;
            if (t >= 0 && value == 0 && Double.isNaN(firstZero)) {
                firstZero = t;
                events.add(new Event(t, "first Healthy=0 datum published"));
            }
        }
        if (scenario == Scenario.FLEET_BLIND && !Double.isNaN(lastDatum)) {
            events.add(new Event(
                    lastDatum, "last Healthy datum published; from here on the metric is missing (fail static)"));
        }

        // The alarm: one point per period from the statistic of the datums in it, evaluated as each period ends.
        double periodPhase = random.nextDouble() * period;
        List<Point> points = new ArrayList<>();
        AlarmEvaluator.State alarmState = AlarmEvaluator.State.OK;
        double alarmAt = Double.NaN;
        for (double start = periodPhase - Math.ceil(history / period) * period; start < horizon; start += period) {
            double end = start + period;
            List<Double> values = new ArrayList<>();
            for (double[] datum : datums) {
                if (datum[0] >= start && datum[0] < end) {
                    values.add(datum[1]);
                }
            }
            points.add(point(values, inputs.alarm().statistic()));
            List<Point> range = points.subList(
                    Math.max(0, points.size() - CloudWatchContract.EVALUATION_RANGE_PERIODS), points.size());
            AlarmEvaluator.State nextState = AlarmEvaluator.evaluate(
                    range,
                    inputs.alarm().evaluationPeriods(),
                    inputs.alarm().datapointsToAlarm(),
                    inputs.alarm().treatMissingData(),
                    alarmState);
            if (end >= 0 && nextState != alarmState) {
                events.add(new Event(
                        end,
                        "alarm " + nextState
                                + (nextState == AlarmEvaluator.State.ALARM
                                        ? ": the Route 53 health check turns unhealthy and DNS answers fail over"
                                        : nextState == AlarmEvaluator.State.INSUFFICIENT_DATA
                                                ? ": the health check keeps its last status (InsufficientDataHealthStatus)"
                                                : "")));
                if (nextState == AlarmEvaluator.State.ALARM && Double.isNaN(alarmAt)) {
                    alarmAt = end;
                }
            }
            alarmState = nextState;
        }
        double clients = Double.NaN;
        if (!Double.isNaN(alarmAt)) {
            clients = alarmAt + random.nextDouble() * ttl;
            events.add(new Event(alarmAt + ttl, "every client has re-resolved (DNS TTL " + fmt(ttl) + " s)"));
        }
        events.sort((a, b) -> Double.compare(a.at(), b.at()));
        return new Timeline(events, verdictAt, firstZero, alarmAt, clients);
    }

    /** One alarm data point: the statistic of the period's datums against "less than 1". */
    private static Point point(List<Double> values, String statistic) {
        if (values.isEmpty()) {
            return Point.MISSING;
        }
        double stat = switch (statistic) {
            case "Minimum" ->
                values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            case "Maximum" ->
                values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            case "Average" ->
                values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            case "Sum" -> values.stream().mapToDouble(Double::doubleValue).sum();
            case "SampleCount" -> values.size();
            default -> throw new IllegalArgumentException("statistic " + statistic);
        };
        return stat < CloudWatchContract.HEALTHY_THRESHOLD ? Point.BREACHING : Point.NOT_BREACHING;
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    static String fmt(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }
}
