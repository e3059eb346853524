package io.vantage.demo;

import io.vantage.aggregator.cloudwatch.CloudWatchContract;
import io.vantage.aggregator.model.AlarmEvaluator;
import io.vantage.testing.TestDnsServer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch alarms, Route 53 alarm-based health checks and a latency record set, as far as the demo and the failover
 * loop test need them, on this machine. It receives the {@code Healthy} datums vantage publishes (from every replica),
 * evaluates each target's alarm on them with the alarm's own settings — the statistic Minimum over each period, M out
 * of N over the last {@value CloudWatchContract#EVALUATION_RANGE_PERIODS} complete periods, with {@link AlarmEvaluator}
 * — turns each health check healthy or unhealthy as Route 53 does (INSUFFICIENT_DATA follows
 * {@code insufficientDataHealthStatus}; a new check with no last status is healthy), and writes the answer each
 * region's resolver gives for the record name: the nearest target whose check is healthy, or, when none is, the nearest
 * of all (Route 53 then treats every record as healthy). The period may be shorter than CloudWatch's minute; whoever
 * shows the times says so.
 */
public final class Route53StandIn {
    /** The alarm's settings as in PutMetricAlarm; {@code period} may be shorter than CloudWatch allows. */
    public record Alarm(Duration period, int evaluationPeriods, int datapointsToAlarm, String treatMissingData) {
        /**
         * The failover model's time to ALARM for these periods, from its times for CloudWatch's 60 s ones: the part
         * after the first datum (waiting for periods) scales with the period, what comes before it does not.
         */
        public double alarmSeconds(double firstDatum, double alarmWithMinutePeriods) {
            return firstDatum + (alarmWithMinutePeriods - firstDatum) * period.toMillis() / 60_000.0;
        }
    }

    /** One latency record: its target's name and the address it answers. */
    public record Record(String target, String address) {}

    /**
     * The resolver clients in {@code region} ask (null: none, the answer is only shown), and the records in order of
     * latency from there.
     */
    public record Resolver(String region, TestDnsServer dns, List<String> nearestFirst) {}

    /** One target's chain after the last tick; {@code lastDatum} null until one arrived. */
    public record TargetView(
            String target,
            Double lastDatum,
            long lastDatumAt,
            AlarmEvaluator.State alarm,
            long alarmSince,
            boolean healthy,
            long healthSince) {}

    /** Where {@code region}'s resolver sends clients, since when. */
    public record AnswerView(String region, String target, String address, long since) {}

    /** Something that changed in a tick, for an incident log. */
    public record Change(long at, String what) {}

    private static final class Chain {
        final Deque<long[]> datums = new ArrayDeque<>(); // {at, value as 0 or 1}
        Double lastDatum;
        long lastDatumAt;
        AlarmEvaluator.State alarm = AlarmEvaluator.State.INSUFFICIENT_DATA;
        long alarmSince;
        boolean healthy = true;
        long healthSince;
    }

    private final String name;
    private final int ttlSeconds;
    private final Alarm alarm;
    private final String insufficientDataHealthStatus;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final List<Resolver> resolvers;
    private final Map<String, Chain> chains = new LinkedHashMap<>();
    private final Map<String, AnswerView> answers = new LinkedHashMap<>();

    public Route53StandIn(
            String name,
            int ttlSeconds,
            Alarm alarm,
            String insufficientDataHealthStatus,
            List<Record> records,
            List<Resolver> resolvers,
            long now) {
        this.name = name;
        this.ttlSeconds = ttlSeconds;
        this.alarm = alarm;
        this.insufficientDataHealthStatus = insufficientDataHealthStatus;
        this.resolvers = List.copyOf(resolvers);
        for (Record record : records) {
            addresses.put(record.target(), record.address());
            Chain chain = new Chain();
            chain.alarmSince = now;
            chain.healthSince = now;
            chains.put(record.target(), chain);
        }
        route(now, new ArrayList<>());
    }

    /** The record name the resolvers answer. */
    public String name() {
        return name;
    }

    public Alarm alarm() {
        return alarm;
    }

    /** One {@code Healthy} datum as CloudWatch received it, timestamped {@code at}; other targets are ignored. */
    public synchronized void datum(String target, double value, long at) {
        Chain chain = chains.get(target);
        if (chain != null) {
            chain.datums.addLast(new long[] {at, value < 1 ? 0 : 1});
            chain.lastDatum = value;
            chain.lastDatumAt = at;
        }
    }

    /** Evaluates every alarm as of {@code now}; health checks follow their alarm, the answers follow the checks. */
    public synchronized List<Change> tick(long now) {
        List<Change> changes = new ArrayList<>();
        long period = alarm.period().toMillis();
        long end = now - now % period;
        long start = end - CloudWatchContract.EVALUATION_RANGE_PERIODS * period;
        chains.forEach((target, chain) -> {
            while (!chain.datums.isEmpty() && chain.datums.peekFirst()[0] < start) {
                chain.datums.removeFirst();
            }
            List<AlarmEvaluator.Point> range = new ArrayList<>();
            for (long from = start; from < end; from += period) {
                long minimum = Long.MAX_VALUE; // the alarm's statistic: Minimum over every replica's datums
                for (long[] datum : chain.datums) {
                    if (datum[0] >= from && datum[0] < from + period) {
                        minimum = Math.min(minimum, datum[1]);
                    }
                }
                range.add(
                        minimum == Long.MAX_VALUE
                                ? AlarmEvaluator.Point.MISSING
                                : minimum == 0 ? AlarmEvaluator.Point.BREACHING : AlarmEvaluator.Point.NOT_BREACHING);
            }
            AlarmEvaluator.State state = AlarmEvaluator.evaluate(
                    range, alarm.evaluationPeriods(), alarm.datapointsToAlarm(), alarm.treatMissingData(), chain.alarm);
            if (state != chain.alarm) {
                chain.alarm = state;
                chain.alarmSince = now;
                changes.add(new Change(now, "alarm of " + target + " is " + state));
            }
            boolean healthy = switch (state) {
                case OK -> true;
                case ALARM -> false;
                case INSUFFICIENT_DATA ->
                    switch (insufficientDataHealthStatus) {
                        case "Healthy" -> true;
                        case "Unhealthy" -> false;
                        default -> chain.healthy; // LastKnownStatus
                    };
            };
            if (healthy != chain.healthy) {
                chain.healthy = healthy;
                chain.healthSince = now;
                changes.add(
                        new Change(now, "health check of " + target + " is " + (healthy ? "healthy" : "unhealthy")));
            }
        });
        route(now, changes);
        return changes;
    }

    private void route(long now, List<Change> changes) {
        for (Resolver resolver : resolvers) {
            String chosen = resolver.nearestFirst().stream()
                    .filter(target -> chains.get(target).healthy)
                    .findFirst()
                    .orElse(resolver.nearestFirst().get(0));
            AnswerView previous = answers.get(resolver.region());
            if (previous != null && previous.target().equals(chosen)) {
                continue;
            }
            String address = addresses.get(chosen);
            if (resolver.dns() != null) {
                resolver.dns().set(name, address).ttl(name, ttlSeconds);
            }
            answers.put(resolver.region(), new AnswerView(resolver.region(), chosen, address, now));
            if (previous != null) {
                boolean allUnhealthy = chains.values().stream().noneMatch(chain -> chain.healthy);
                changes.add(new Change(
                        now,
                        "DNS: " + name + " from " + resolver.region() + " answers " + chosen + " (" + address + ")"
                                + (allUnhealthy ? ", every record unhealthy: answered as if all were healthy" : "")));
            }
        }
    }

    public synchronized List<TargetView> targets() {
        List<TargetView> views = new ArrayList<>();
        chains.forEach((target, chain) -> views.add(new TargetView(
                target,
                chain.lastDatum,
                chain.lastDatumAt,
                chain.alarm,
                chain.alarmSince,
                chain.healthy,
                chain.healthSince)));
        return views;
    }

    public synchronized List<AnswerView> answers() {
        return List.copyOf(answers.values());
    }

    public int ttlSeconds() {
        return ttlSeconds;
    }
}
