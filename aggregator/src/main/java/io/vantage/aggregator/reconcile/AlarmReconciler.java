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
 * and plans creates, updates (only where a field differs) and deletes (only alarms vantage owns).
 */
public final class AlarmReconciler {
    private final CloudWatchAsyncClient client;
    private final String namespace;
    private final AggregatorConfig.Alarm settings;

    public AlarmReconciler(CloudWatchAsyncClient client, String namespace, AggregatorConfig.Alarm settings) {
        this.client = client;
        this.namespace = namespace;
        this.settings = settings;
    }

    /** The alarm the config wants for {@code target}. */
    public PutMetricAlarmRequest desired(String target) {
        return PutMetricAlarmRequest.builder()
                .alarmName(settings.alarmName(target))
                .alarmDescription("vantage: " + target + " is unhealthy by quorum of vantage points")
                .namespace(namespace)
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
                .tags(
                        Tag.builder()
                                .key(Ownership.MANAGED_BY)
                                .value(Ownership.MANAGED_BY_VALUE)
                                .build(),
                        Tag.builder().key(Ownership.NAMESPACE).value(namespace).build(),
                        Tag.builder().key(Ownership.TARGET).value(target).build())
                .build();
    }

    /** The alarm changes, and the targets whose alarm (vantage's) is in ALARM now: their checks are unhealthy. */
    public record Planned(List<Change> changes, Set<String> inAlarm) {}

    public CompletableFuture<Planned> plan(List<TargetSpec> targets) {
        return existing()
                .thenCompose(alarms -> tags(alarms).thenApply(tags -> {
                    Set<String> inAlarm = new HashSet<>();
                    alarms.forEach((name, alarm) -> {
                        Map<String, String> owned = tags.getOrDefault(name, Map.of());
                        if (Ownership.owned(owned, namespace) && alarm.stateValue() == StateValue.ALARM) {
                            inAlarm.add(owned.get(Ownership.TARGET));
                        }
                    });
                    return new Planned(diff(targets, alarms, tags), inAlarm);
                }));
    }

    public CompletableFuture<Void> apply(List<Change> changes) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        List<String> deletes = new ArrayList<>();
        for (Change change : changes) {
            switch (change.action()) {
                case CREATE, UPDATE ->
                    done = done.thenCompose(
                            v -> client.putMetricAlarm(desired(change.target())).thenApply(r -> null));
                case DELETE -> deletes.add(change.name());
                case CONFLICT -> {}
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

    List<Change> diff(
            List<TargetSpec> targets, Map<String, MetricAlarm> alarms, Map<String, Map<String, String>> tags) {
        List<Change> changes = new ArrayList<>();
        Map<String, String> wanted = new LinkedHashMap<>();
        targets.forEach(target -> wanted.put(settings.alarmName(target.name()), target.name()));
        wanted.forEach((name, target) -> {
            MetricAlarm actual = alarms.get(name);
            if (actual == null) {
                changes.add(new Change(Change.Resource.ALARM, Change.Action.CREATE, name, target, List.of()));
            } else if (!Ownership.owned(tags.getOrDefault(name, Map.of()), namespace)) {
                changes.add(new Change(
                        Change.Resource.ALARM,
                        Change.Action.CONFLICT,
                        name,
                        target,
                        List.of("exists without vantage's ownership tags; left alone")));
            } else {
                List<String> differences = differences(desired(target), actual);
                if (!differences.isEmpty()) {
                    changes.add(new Change(Change.Resource.ALARM, Change.Action.UPDATE, name, target, differences));
                }
            }
        });
        alarms.keySet().stream()
                .filter(name -> !wanted.containsKey(name))
                .filter(name -> Ownership.owned(tags.getOrDefault(name, Map.of()), namespace))
                .forEach(name -> changes.add(new Change(
                        Change.Resource.ALARM,
                        Change.Action.DELETE,
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
