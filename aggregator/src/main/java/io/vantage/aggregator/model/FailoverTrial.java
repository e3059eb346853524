package io.vantage.aggregator.model;

import io.vantage.aggregator.cloudwatch.CloudWatchContract;
import io.vantage.aggregator.model.AlarmEvaluator.Point;
import io.vantage.aggregator.model.FailoverModel.Event;
import io.vantage.aggregator.model.FailoverModel.Inputs;
import io.vantage.aggregator.model.FailoverModel.Scenario;
import io.vantage.aggregator.model.FailoverModel.Timeline;
import io.vantage.aggregator.quorum.BlindAgents;
import io.vantage.aggregator.quorum.Cadence;
import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.QuorumEvaluator;
import io.vantage.aggregator.quorum.Vantage;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.quorum.VerdictState;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;

/**
 * One play of a {@link Scenario} through the chain, in the order failover happens: the agents probe and push, the
 * aggregator evaluates the quorum, publishes the verdict, CloudWatch evaluates the alarm, and clients re-resolve. Times
 * are seconds from the failure (t = 0); each stage draws its random phases from the trial's {@link Random} in that
 * order, so a seed replays the same trial.
 */
final class FailoverTrial {
    private static final double EVALUATE_EVERY = seconds(Cadence.EVALUATE_EVERY);
    private static final double EVALUATE_AFTER_INGEST = seconds(Cadence.MIN_EVALUATION_SPACING);
    private static final double FAST_FAILURE_LATENCY = 0.005;
    /** Where the trial's t = 0 is on the production code's clock (epoch millis). */
    private static final long FAILURE_MILLIS = 1_000_000_000L;

    /** A result arriving at the aggregator: when, from which agent, and when it was observed. */
    private record Arrival(double at, int agent, ProbeResult result, long observedAt) {}

    /** A value at a time: a verdict (1 healthy, 0 unhealthy, NaN insufficient data) or a published datum. */
    private record Sample(double at, double value) {}

    /**
     * A stage's samples, and when it first said unhealthy after the failure (healthy after the recovery; NaN: never).
     */
    private record Series(List<Sample> samples, double unhealthyAt) {}

    private final Inputs inputs;
    private final Scenario scenario;
    private final Random random;
    private final TargetSpec target;
    private final double interval;
    private final double timeout;
    private final double push;
    private final double publish;
    private final double period;
    private final double ttl;
    private final double horizon;
    /** Steady history before the failure, enough for the verdict and the alarm to be settled at t = 0. */
    private final double history;

    private final List<Event> events = new ArrayList<>();

    FailoverTrial(Inputs inputs, Scenario scenario, Random random) {
        this.inputs = inputs;
        this.scenario = scenario;
        this.random = random;
        this.target = inputs.target();
        this.interval = seconds(target.interval());
        this.timeout = seconds(target.timeout());
        this.push = seconds(Cadence.AGENT_PUSH_INTERVAL);
        this.publish = seconds(inputs.publishEvery());
        this.period = seconds(inputs.alarmPeriod());
        this.ttl = seconds(target.failover().dnsTtl());
        this.horizon =
                3 * interval * (Math.max(target.quorum().fall(), target.quorum().rise()) + 3)
                        + timeout
                        + publish
                        + period
                                * (inputs.alarm().evaluationPeriods() + CloudWatchContract.EVALUATION_RANGE_PERIODS + 1)
                        + seconds(target.quorum().regionLostAfter())
                        + ttl;
        // A recovery starts from a settled failure: the verdict UNHEALTHY and the alarm in ALARM before t = 0.
        this.history = Math.max(10 * interval, (CloudWatchContract.EVALUATION_RANGE_PERIODS + 2) * period + publish)
                + (scenario.recovers()
                        ? interval * target.quorum().fall()
                                + period * inputs.alarm().evaluationPeriods()
                        : 0);
    }

    Timeline play() {
        events.add(new Event(0, scenario.describe(inputs)));
        List<Arrival> arrivals = probe();
        Series verdicts = evaluate(arrivals);
        Series datums = publish(verdicts.samples());
        double alarmAt = alarm(datums.samples());
        double clients = reresolve(alarmAt);
        events.sort(Comparator.comparingDouble(Event::at));
        return new Timeline(events, verdicts.unhealthyAt(), datums.unhealthyAt(), alarmAt, clients);
    }

    /** Each agent probing every interval from a random phase and pushing every second: what arrives, in order. */
    private List<Arrival> probe() {
        List<Arrival> arrivals = new ArrayList<>();
        for (int agent = 0; agent < inputs.agents(); agent++) {
            double phase = random.nextDouble() * interval;
            double pushPhase = random.nextDouble() * push;
            boolean fails = scenario.fails(agent);
            boolean stops = scenario.stops(agent, inputs);
            for (double start = phase - Math.ceil(history / interval) * interval; start < horizon; start += interval) {
                if (stops && start >= 0) {
                    break;
                }
                boolean failed = fails && (scenario.recovers() ? start < 0 : start >= 0);
                double done = start + (failed && scenario.failsAtTimeout() ? timeout : FAST_FAILURE_LATENCY);
                double arrival = Math.ceil((done - pushPhase) / push) * push + pushPhase;
                long stamp = millis(start);
                ProbeResult result = failed
                        ? ProbeResult.failure(target.name(), stamp, scenario.reason(), null, null, null, null)
                        : ProbeResult.success(target.name(), stamp, null, null, null);
                arrivals.add(new Arrival(arrival, agent, result, stamp));
                if (start >= 0 && start < interval && fails) {
                    events.add(new Event(
                            done,
                            "agent-" + (agent + 1) + "'s first " + (failed ? "failing" : "passing")
                                    + " probe completes (started at " + fmt(start) + " s)"));
                }
            }
        }
        arrivals.sort(Comparator.comparingDouble(Arrival::at));
        return arrivals;
    }

    /**
     * The production quorum evaluator, run every second and shortly after each arrival; blindness and seeing are judged
     * across targets: another target of the config, healthy from every agent that reports, but failing from agent-1
     * alike when its failures are for every target.
     */
    private Series evaluate(List<Arrival> arrivals) {
        TreeSet<Double> times = evaluationTimes(arrivals);
        Vantage[] latest = vantages();
        Vantage[] sibling = vantages();
        List<Vantage[]> judged = inputs.targets() >= 2 ? List.of(latest, sibling) : Collections.singletonList(latest);
        long[] freshness = new long[judged.size()];
        Arrays.fill(freshness, target.freshness().toMillis());
        long[] blindSince = new long[0];
        boolean[] colocated = new boolean[inputs.agents()];
        Arrays.fill(colocated, 0, Math.min(inputs.colocated(), colocated.length), true);
        long startedAt = millis(-history);
        boolean blindLogged = false;
        int next = 0;
        VerdictState state = new VerdictState(Verdict.HEALTHY, -1, null, 0, Long.MIN_VALUE);
        Verdict awaited = scenario.recovers() ? Verdict.HEALTHY : Verdict.UNHEALTHY;
        double unhealthyAt = Double.NaN;
        List<Sample> verdicts = new ArrayList<>();
        for (double t : times) {
            for (; next < arrivals.size() && arrivals.get(next).at() <= t; next++) {
                offer(arrivals.get(next), latest, sibling);
            }
            long now = millis(t);
            blindSince = BlindAgents.update(
                    judged, freshness, BlindAgents.oneEach(inputs.agents()), inputs.agents(), blindSince, now);
            boolean[] seeing = BlindAgents.seeing(judged, freshness, inputs.agents(), now);
            if (t >= 0 && !blindLogged && blindSince.length > 0 && blindSince[0] != BlindAgents.NOT_BLIND) {
                blindLogged = true;
                events.add(new Event(t, "agent-1 judged blind: its unhealthy votes are set aside"));
            }
            Evaluation evaluation = QuorumEvaluator.evaluate(
                    target.quorum(),
                    target.freshness(),
                    latest,
                    inputs.agents(),
                    new QuorumEvaluator.Fleet(colocated, blindSince, new int[0], startedAt, seeing),
                    state,
                    now);
            state = evaluation.state();
            Verdict verdict = evaluation.verdict();
            verdicts.add(new Sample(t, verdict == Verdict.HEALTHY ? 1 : verdict == Verdict.UNHEALTHY ? 0 : Double.NaN));
            if (t >= 0 && evaluation.changed()) {
                events.add(new Event(t, describe(evaluation)));
                if (verdict == awaited && Double.isNaN(unhealthyAt)) {
                    unhealthyAt = t;
                }
            }
        }
        return new Series(verdicts, unhealthyAt);
    }

    /** Every second from a random phase, and shortly after each arrival. */
    private TreeSet<Double> evaluationTimes(List<Arrival> arrivals) {
        TreeSet<Double> times = new TreeSet<>();
        double evaluationPhase = random.nextDouble() * EVALUATE_EVERY;
        for (double t = evaluationPhase - history; t < horizon; t += EVALUATE_EVERY) {
            times.add(t);
        }
        arrivals.forEach(arrival -> times.add(arrival.at() + random.nextDouble() * EVALUATE_AFTER_INGEST));
        return times;
    }

    private Vantage[] vantages() {
        Vantage[] vantages = new Vantage[inputs.agents()];
        Arrays.setAll(vantages, agent -> new Vantage());
        return vantages;
    }

    /** An arrival for the target, and what the same agent reports of the sibling target at that time. */
    private void offer(Arrival arrival, Vantage[] latest, Vantage[] sibling) {
        latest[arrival.agent()].offer(
                arrival.result(), arrival.observedAt(), target.quorum().confirm());
        ProbeResult other = scenario.failsEveryTarget(arrival.agent())
                ? arrival.result()
                : ProbeResult.success("sibling", arrival.result().timestamp(), null, null, null);
        sibling[arrival.agent()].offer(
                other, arrival.observedAt(), target.quorum().confirm());
    }

    private static String describe(Evaluation evaluation) {
        return "verdict " + evaluation.verdict() + " (" + evaluation.healthy() + " of " + evaluation.fresh()
                + " fresh vantage points healthy"
                + (evaluation.setAside() > 0 ? "; " + evaluation.setAside() + " blind set aside" : "")
                + (evaluation.lost() > 0 ? "; " + evaluation.lost() + " lost with the endpoint's region" : "")
                + ")";
    }

    /** Every publishEvery from a random phase, the latest verdict; nothing while there is insufficient data. */
    private Series publish(List<Sample> verdicts) {
        double publishPhase = random.nextDouble() * publish;
        List<Sample> datums = new ArrayList<>();
        double awaited = scenario.recovers() ? 1 : 0;
        double firstZero = Double.NaN;
        double lastDatum = Double.NaN;
        int v = 0;
        for (double t = publishPhase - history; t < horizon; t += publish) {
            while (v + 1 < verdicts.size() && verdicts.get(v + 1).at() <= t) {
                v++;
            }
            double value = verdicts.get(v).value();
            if (Double.isNaN(value)) {
                continue;
            }
            datums.add(new Sample(t, value));
            lastDatum = t;
            if (t >= 0 && value == awaited && Double.isNaN(firstZero)) {
                firstZero = t;
                events.add(new Event(t, "first Healthy=" + (int) awaited + " datum published"));
            }
        }
        if (scenario.silencesFleet() && !Double.isNaN(lastDatum)) {
            events.add(new Event(
                    lastDatum, "last Healthy datum published; from here on the metric is missing (fail static)"));
        }
        return new Series(datums, firstZero);
    }

    /**
     * The alarm, periods aligned at a random phase: one point per period from the statistic of the datums in it,
     * evaluated as each period ends. When it first went into ALARM (OK again for a recovery; NaN: never).
     */
    private double alarm(List<Sample> datums) {
        double periodPhase = random.nextDouble() * period;
        List<Point> points = new ArrayList<>();
        AlarmEvaluator.State alarmState = AlarmEvaluator.State.OK;
        AlarmEvaluator.State awaited = scenario.recovers() ? AlarmEvaluator.State.OK : AlarmEvaluator.State.ALARM;
        double alarmAt = Double.NaN;
        for (double start = periodPhase - Math.ceil(history / period) * period; start < horizon; start += period) {
            double end = start + period;
            List<Double> values = new ArrayList<>();
            for (Sample datum : datums) {
                if (datum.at() >= start && datum.at() < end) {
                    values.add(datum.value());
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
                events.add(new Event(end, "alarm " + nextState + consequence(nextState)));
                if (nextState == awaited && Double.isNaN(alarmAt)) {
                    alarmAt = end;
                }
            }
            alarmState = nextState;
        }
        return alarmAt;
    }

    private static String consequence(AlarmEvaluator.State state) {
        return switch (state) {
            case ALARM -> ": the Route 53 health check turns unhealthy and DNS answers fail over";
            case INSUFFICIENT_DATA -> ": the health check keeps its last status (InsufficientDataHealthStatus)";
            case OK -> ": the Route 53 health check turns healthy and DNS answers fail back";
        };
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

    /** A client re-resolves at a random time within the TTL after the alarm (NaN: no alarm, no failover). */
    private double reresolve(double alarmAt) {
        if (Double.isNaN(alarmAt)) {
            return Double.NaN;
        }
        events.add(new Event(alarmAt + ttl, "every client has re-resolved (DNS TTL " + fmt(ttl) + " s)"));
        return alarmAt + random.nextDouble() * ttl;
    }

    private static long millis(double seconds) {
        return Math.round(seconds * 1000) + FAILURE_MILLIS;
    }

    static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    static String fmt(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }
}
