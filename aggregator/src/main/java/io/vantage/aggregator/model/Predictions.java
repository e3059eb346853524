package io.vantage.aggregator.model;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.Placement;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.wire.target.TargetSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Failover predictions and costs per target, computed once per distinct setting (most targets share their
 * interval, quorum and TTL), so that 10,000 targets do not mean 10,000 simulations. All of them are computed
 * by the constructor — seconds of CPU for many distinct settings — so a running aggregator builds this off
 * its event loops when a config is loaded and only looks results up afterwards.
 */
public final class Predictions {
    public static final int TRIALS = 1000;
    /**
     * The failback's trials: a quarter as many, for a median and range as shown (whole seconds) at a quarter of the
     * cost; its trials start from a settled failure and run longer than a failover's.
     */
    public static final int FAILBACK_TRIALS = 250;

    public static final long SEED = 1;

    /** What /v1/status shows per target: the failover, the failback (after a repair) and the monthly cost. */
    public record ForTarget(
            FailoverModel.Prediction failover, FailoverModel.Prediction failback, CostModel.Monthly monthly) {}

    private record Key(
            Duration interval,
            Duration timeout,
            Object quorum,
            Duration ttl,
            boolean https,
            int colocated,
            int placed) {}

    private final AggregatorConfig config;
    private final Map<Key, ForTarget> cache = new HashMap<>();

    public Predictions(AggregatorConfig config) {
        this.config = config;
        for (TargetSpec target : config.targets()) {
            cache.computeIfAbsent(key(target), k -> predict(config, target));
        }
    }

    private static ForTarget predict(AggregatorConfig config, TargetSpec target) {
        FailoverModel.Inputs inputs = FailoverModel.Inputs.of(config, target);
        return new ForTarget(
                FailoverModel.predict(inputs, TRIALS, SEED),
                FailoverModel.predict(inputs, FailoverModel.Scenario.ENDPOINT_RECOVERS, FAILBACK_TRIALS, SEED),
                CostModel.of(target, Placement.count(target, config.agents()), 1, config.cloudwatch()));
    }

    /**
     * Whether these predictions still hold for {@code other}: the fleet-wide inputs (agents, publishing, alarm) are the
     * same, so every target whose own settings are unchanged has the same prediction (targets are keyed by theirs).
     */
    public boolean holdsFor(AggregatorConfig other) {
        return config.agents().equals(other.agents())
                && Math.min(2, config.targets().size())
                        == Math.min(2, other.targets().size())
                && config.cloudwatch().publishEvery().equals(other.cloudwatch().publishEvery())
                && config.alarm().equals(other.alarm());
    }

    private Key key(TargetSpec target) {
        return new Key(
                target.interval(),
                target.timeout(),
                target.quorum(),
                target.failover().dnsTtl(),
                target.http() != null && target.http().https(),
                FailoverModel.Inputs.of(config, target).colocated(),
                Placement.count(target, config.agents()));
    }

    /** The prediction for a target of this config (null for a target that is not in it). */
    public ForTarget of(TargetSpec target) {
        return cache.get(key(target));
    }

    /** The report {@code vantage-aggregator simulate} prints for one target. */
    public String report(TargetSpec target, FailoverModel.Scenario scenario, long seed) {
        ForTarget forTarget = of(target);
        AggregatorConfig.Alarm alarm = config.alarm();
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "Target %s: probed every %s (timeout %s) by %d agents; quorum %d healthy of at least %d fresh, "
                        + "rise %d, fall %d; publish every %s; alarm %s < 1 in %d of %d periods of %s, treatMissingData %s; DNS TTL %s%n%n",
                target.name(),
                target.interval().toSeconds() + "s",
                target.timeout().toMillis() + "ms",
                Placement.count(target, config.agents()),
                target.quorum().healthy(),
                target.quorum().minVantages(),
                target.quorum().rise(),
                target.quorum().fall(),
                config.cloudwatch().publishEvery().toSeconds() + "s",
                alarm.statistic(),
                alarm.datapointsToAlarm(),
                alarm.evaluationPeriods(),
                alarm.period().toSeconds() + "s",
                alarm.treatMissingData(),
                target.failover().dnsTtl().toSeconds() + "s"));
        FailoverModel.Inputs inputs = FailoverModel.Inputs.of(config, target);
        FailoverModel.Prediction p = scenario == FailoverModel.Scenario.ENDPOINT_DOWN
                ? forTarget.failover()
                : scenario == FailoverModel.Scenario.ENDPOINT_RECOVERS
                        ? forTarget.failback()
                        : FailoverModel.predict(inputs, scenario, TRIALS, SEED);
        boolean back = scenario.recovers();
        out.append(String.format(
                Locale.ROOT,
                "Time from the %s, scenario %s (%d simulated):      best  typical    worst%n",
                back ? "recovery" : "failure",
                scenario.label(),
                p.trials()));
        line(out, back ? "(a) quorum verdict HEALTHY again" : "(a) quorum verdict UNHEALTHY", p.verdict());
        line(
                out,
                back ? "(b) first Healthy=1 datum sent to CloudWatch" : "(b) first Healthy=0 datum sent to CloudWatch",
                p.firstDatum());
        line(
                out,
                back
                        ? "(c) alarm OK: Route 53 health check healthy"
                        : "(c) alarm in ALARM: Route 53 health check unhealthy",
                p.alarm());
        line(
                out,
                back ? "(d) clients back after the DNS TTL" : "(d) clients re-resolved after the DNS TTL",
                p.clients());
        out.append(
                "Assumes agents push every second, CloudWatch evaluates each period as it ends, and Route 53 follows the alarm at once.\n\n");
        CostModel.Monthly m = forTarget.monthly();
        boolean https = target.http() != null && target.http().https();
        out.append(String.format(
                Locale.ROOT,
                "Monthly, this target: vantage $%.2f (%s probes to the endpoint) vs a Route 53 endpoint check with "
                        + "%sstring matching at the 10 s interval $%.2f (%s probes; %s at the standard 30 s)%n%n",
                m.vantageDollars(),
                millions(m.vantageProbesPerMonth()),
                https ? "HTTPS, " : "",
                m.route53Dollars(),
                millions(m.route53ProbesPerMonth()),
                millions(m.route53StandardProbesPerMonth())));
        out.append(Topology.of(config).of(target).describe()).append("\n\n");
        FailoverModel.Timeline timeline = FailoverModel.simulate(inputs, scenario, new Random(seed));
        out.append("Timeline, scenario ")
                .append(scenario.label())
                .append(" (one run, seed ")
                .append(seed)
                .append("):\n");
        List<FailoverModel.Event> events = timeline.events();
        for (FailoverModel.Event event : events) {
            out.append(String.format(Locale.ROOT, "  %+8.1f s  %s%n", event.at(), event.what()));
        }
        if (Double.isNaN(timeline.alarm())) {
            out.append(
                    back
                            ? "  No failback: the alarm never returns to OK in this scenario.\n"
                            : "  No failover: the alarm never reaches ALARM in this scenario.\n");
        } else if (scenario.endpointHealthy()) {
            out.append("  WARNING: the endpoint is healthy in this scenario, yet it fails over: the fleet's own view "
                    + "(one region's agent) outvotes the others. Lower quorum.healthy so that the other agents' "
                    + "healthy votes carry it, or add a witness agent in another region.\n");
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String label, FailoverRange range) {
        out.append(String.format(
                Locale.ROOT,
                "  %-56s %6s %8s %8s%n",
                label,
                seconds(range.best()),
                seconds(range.typical()),
                seconds(range.worst())));
    }

    private static String seconds(double value) {
        return Double.isNaN(value) ? "never" : String.format(Locale.ROOT, "%.0f s", value);
    }

    private static String millions(double probes) {
        return String.format(Locale.ROOT, "%.2fM", probes / 1e6);
    }
}
