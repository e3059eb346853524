package io.vantage.aggregator.reconcile;

import io.vantage.aggregator.cloudwatch.CloudWatchContract;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.wire.target.TargetSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.cloudwatch.model.Tag;

/**
 * One alarm per target on its {@code Healthy} metric: below 1 for {@code datapointsToAlarm} of
 * {@code evaluationPeriods} periods means ALARM. Reads what exists under the name prefix, with tags,
 * and plans creates, updates (only where a field differs) and deletes (only alarms this deployment owns).
 */
public final class AlarmReconciler {
    private final CloudWatchAsyncClient client;
    private final Ownership ownership;
    private final AggregatorConfig.Alarm settings;

    public AlarmReconciler(CloudWatchAsyncClient client, Ownership ownership, AggregatorConfig.Alarm settings) {
        this.client = client;
        this.ownership = ownership;
        this.settings = settings;
    }

    /** The alarm the config wants for {@code target}. */
    public PutMetricAlarmRequest desired(String target) {
        return PutMetricAlarmRequest.builder()
                .alarmName(settings.alarmName(target))
                .alarmDescription("vantage: " + target + " is unhealthy by quorum of vantage points")
                .namespace(ownership.namespace())
                .metricName(CloudWatchContract.HEALTHY)
                .dimensions(Dimension.builder()
                        .name(CloudWatchContract.DIMENSION)
                        .value(target)
                        .build())
                .statistic(settings.statistic())
                .period((int) settings.period().getSeconds())
                .evaluationPeriods(settings.evaluationPeriods())
                .datapointsToAlarm(settings.datapointsToAlarm())
                .threshold(CloudWatchContract.HEALTHY_THRESHOLD)
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                .treatMissingData(settings.treatMissingData())
                .actionsEnabled(false)
                .tags(tags(target))
                .build();
    }

    private List<Tag> tags(String target) {
        return ownership.tags(target).entrySet().stream()
                .map(tag ->
                        Tag.builder().key(tag.getKey()).value(tag.getValue()).build())
                .toList();
    }

    /**
     * The alarm changes; the targets whose alarm (this deployment's) is in ALARM now, so their checks are unhealthy;
     * each existing alarm's ARN by name (what TagResource needs); and how many alarms of an earlier release were left
     * alone for want of a configured target.
     */
    public record Planned(List<Difference> changes, Set<String> inAlarm, Map<String, String> arns, long leftAlone) {
        /** Only the changes of {@code actions}, in plan order. */
        Planned only(Set<Difference.Action> actions) {
            return new Planned(
                    changes.stream().filter(c -> actions.contains(c.action())).toList(), inAlarm, arns, leftAlone);
        }
    }

    /**
     * The plan for {@code targets}; {@code adoptable}: the targets whose alarms, when an earlier release made them in
     * this namespace, this deployment takes as its own (those its config lists).
     */
    public CompletableFuture<Planned> plan(List<TargetSpec> targets, Set<String> adoptable) {
        return existing()
                .thenCompose(alarms -> tags(alarms).thenApply(tags -> {
                    Set<String> inAlarm = new HashSet<>();
                    Map<String, String> arns = new HashMap<>();
                    alarms.forEach((name, alarm) -> {
                        arns.put(name, alarm.alarmArn());
                        Map<String, String> found = tags.getOrDefault(name, Map.of());
                        if (ours(found, adoptable) && alarm.stateValue() == StateValue.ALARM) {
                            inAlarm.add(found.get(Ownership.TARGET));
                        }
                    });
                    List<Difference> changes = diff(targets, adoptable, alarms, tags);
                    long leftAlone = alarms.keySet().stream()
                            .filter(name ->
                                    ownership.of(tags.getOrDefault(name, Map.of())) == Ownership.Owner.EARLIER_RELEASE)
                            .filter(name -> !ours(tags.get(name), adoptable))
                            .count();
                    return new Planned(changes, inAlarm, arns, leftAlone);
                }));
    }

    /** This deployment's, or an earlier release's for a target it lists. */
    private boolean ours(Map<String, String> tags, Set<String> adoptable) {
        return switch (ownership.of(tags)) {
            case THIS_DEPLOYMENT -> true;
            case EARLIER_RELEASE -> adoptable.contains(tags.get(Ownership.TARGET));
            case ANOTHER_DEPLOYMENT, NOT_VANTAGE -> false;
        };
    }

    public CompletableFuture<Void> apply(Planned plan) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        List<String> deletes = new ArrayList<>();
        for (Difference change : plan.changes()) {
            switch (change.action()) {
                case CREATE ->
                    done = done.thenCompose(
                            v -> client.putMetricAlarm(desired(change.target())).thenApply(r -> null));
                case UPDATE -> {
                    // PutMetricAlarm ignores the tags of an alarm that exists: an adopted one is tagged on its own.
                    String arn = plan.arns().get(change.name());
                    done = done.thenCompose(v -> client.putMetricAlarm(desired(change.target())))
                            .thenCompose(v ->
                                    client.tagResource(r -> r.resourceARN(arn).tags(tags(change.target()))))
                            .thenApply(r -> null);
                }
                case DELETE -> deletes.add(change.name());
                case CONFLICT, ERROR -> {}
            }
        }
        // DeleteAlarms takes at most 100 names per call.
        for (int i = 0; i < deletes.size(); i += 100) {
            List<String> batch = deletes.subList(i, Math.min(deletes.size(), i + 100));
            done = done.thenCompose(
                    v -> client.deleteAlarms(r -> r.alarmNames(batch)).thenApply(r -> null));
        }
        return done;
    }

    List<Difference> diff(
            List<TargetSpec> targets,
            Set<String> adoptable,
            Map<String, MetricAlarm> alarms,
            Map<String, Map<String, String>> tags) {
        List<Difference> changes = new ArrayList<>();
        Map<String, String> wanted = new LinkedHashMap<>();
        targets.forEach(target -> wanted.put(settings.alarmName(target.name()), target.name()));
        wanted.forEach((name, target) -> {
            MetricAlarm actual = alarms.get(name);
            Map<String, String> found = tags.getOrDefault(name, Map.of());
            if (actual == null) {
                changes.add(
                        new Difference(Difference.Resource.ALARM, Difference.Action.CREATE, name, target, List.of()));
                return;
            }
            switch (ownership.of(found)) {
                case THIS_DEPLOYMENT -> {
                    List<String> differences = differences(desired(target), actual);
                    if (!differences.isEmpty()) {
                        changes.add(new Difference(
                                Difference.Resource.ALARM, Difference.Action.UPDATE, name, target, differences));
                    }
                }
                case EARLIER_RELEASE -> {
                    List<String> details = new ArrayList<>(List.of(ownership.adopted()));
                    details.addAll(differences(desired(target), actual));
                    changes.add(
                            new Difference(Difference.Resource.ALARM, Difference.Action.UPDATE, name, target, details));
                }
                case ANOTHER_DEPLOYMENT ->
                    changes.add(new Difference(
                            Difference.Resource.ALARM,
                            Difference.Action.ERROR,
                            name,
                            target,
                            List.of("belongs to " + Ownership.madeBy(found) + "; two deployments cannot share an alarm"
                                    + (ownership.namespace().equals(found.get(Ownership.NAMESPACE))
                                            ? ", nor (with one namespace and target name) the Healthy metric it"
                                                    + " watches: give this deployment its own cloudwatch.namespace and"
                                                    + " alarm.namePrefix"
                                            : ": give this deployment its own alarm.namePrefix"))));
                case NOT_VANTAGE ->
                    changes.add(new Difference(
                            Difference.Resource.ALARM,
                            Difference.Action.CONFLICT,
                            name,
                            target,
                            List.of("exists without vantage's ownership tags; left alone")));
            }
        });
        alarms.keySet().stream()
                .filter(name -> !wanted.containsKey(name))
                .filter(name -> ours(tags.getOrDefault(name, Map.of()), adoptable))
                .forEach(name -> changes.add(new Difference(
                        Difference.Resource.ALARM,
                        Difference.Action.DELETE,
                        name,
                        tags.get(name).get(Ownership.TARGET),
                        List.of("its target is no longer configured"))));
        return changes;
    }

    static List<String> differences(PutMetricAlarmRequest want, MetricAlarm have) {
        Map<String, Object[]> fields = new LinkedHashMap<>();
        fields.put("namespace", new Object[] {want.namespace(), have.namespace()});
        fields.put("metric", new Object[] {want.metricName(), have.metricName()});
        fields.put("dimensions", new Object[] {dimensions(want.dimensions()), dimensions(have.dimensions())});
        fields.put("statistic", new Object[] {want.statisticAsString(), have.statisticAsString()});
        fields.put("period", new Object[] {want.period(), have.period()});
        fields.put("evaluationPeriods", new Object[] {want.evaluationPeriods(), have.evaluationPeriods()});
        fields.put("datapointsToAlarm", new Object[] {
            want.datapointsToAlarm(),
            have.datapointsToAlarm() != null ? have.datapointsToAlarm() : have.evaluationPeriods()
        });
        fields.put("threshold", new Object[] {want.threshold(), have.threshold()});
        fields.put(
                "comparisonOperator",
                new Object[] {want.comparisonOperatorAsString(), have.comparisonOperatorAsString()});
        fields.put("treatMissingData", new Object[] {
            want.treatMissingData(), have.treatMissingData() != null ? have.treatMissingData() : "missing"
        });
        List<String> differences = new ArrayList<>();
        fields.forEach((field, pair) -> {
            if (!Objects.equals(pair[0], pair[1])) {
                differences.add(field + " " + pair[1] + " -> " + pair[0]);
            }
        });
        return differences;
    }

    private static String dimensions(List<Dimension> dimensions) {
        return dimensions.stream().map(d -> d.name() + "=" + d.value()).sorted().collect(Collectors.joining(","));
    }

    private CompletableFuture<Map<String, MetricAlarm>> existing() {
        return page(null, new LinkedHashMap<>());
    }

    private CompletableFuture<Map<String, MetricAlarm>> page(String token, Map<String, MetricAlarm> found) {
        return client.describeAlarms(r -> r.alarmNamePrefix(settings.namePrefix())
                        .alarmTypes(AlarmType.METRIC_ALARM)
                        .nextToken(token))
                .thenCompose((DescribeAlarmsResponse response) -> {
                    response.metricAlarms().forEach(alarm -> found.put(alarm.alarmName(), alarm));
                    return response.nextToken() == null
                            ? CompletableFuture.completedFuture(found)
                            : page(response.nextToken(), found);
                });
    }

    private CompletableFuture<Map<String, Map<String, String>>> tags(Map<String, MetricAlarm> alarms) {
        Map<String, Map<String, String>> tags = new HashMap<>();
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (MetricAlarm alarm : alarms.values()) {
            all = all.thenCompose(v -> client.listTagsForResource(r -> r.resourceARN(alarm.alarmArn()))
                    .thenAccept(response -> tags.put(
                            alarm.alarmName(),
                            response.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b)))));
        }
        return all.thenApply(v -> tags);
    }
}
