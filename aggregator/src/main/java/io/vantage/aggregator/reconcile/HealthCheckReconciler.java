package io.vantage.aggregator.reconcile;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.wire.Tokens;
import io.vantage.wire.target.TargetSpec;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.route53.Route53AsyncClient;
import software.amazon.awssdk.services.route53.model.AccountLimitType;
import software.amazon.awssdk.services.route53.model.AlarmIdentifier;
import software.amazon.awssdk.services.route53.model.CloudWatchRegion;
import software.amazon.awssdk.services.route53.model.HealthCheck;
import software.amazon.awssdk.services.route53.model.HealthCheckType;
import software.amazon.awssdk.services.route53.model.InsufficientDataHealthStatus;
import software.amazon.awssdk.services.route53.model.ListHealthChecksResponse;
import software.amazon.awssdk.services.route53.model.Tag;
import software.amazon.awssdk.services.route53.model.TagResourceType;

/**
 * Health checks of type CLOUDWATCH_METRIC watching each target's alarm, with
 * InsufficientDataHealthStatus from config (default LastKnownStatus: a blind fleet changes nothing).
 * Ownership is by tags; the settings a check was written with are also kept in a tag, because not every
 * Route 53 implementation returns AlarmIdentifier (moto drops it) and a diff must not see phantom changes.
 */
public final class HealthCheckReconciler {
    /** ListTagsForResources takes at most 10 IDs per call. */
    static final int TAG_BATCH = 10;

    private final Route53AsyncClient client;
    private final Ownership ownership;
    private final String alarmRegion;
    private final AggregatorConfig.Alarm alarm;
    private final AggregatorConfig.Route53 settings;

    public HealthCheckReconciler(
            Route53AsyncClient client,
            Ownership ownership,
            String alarmRegion,
            AggregatorConfig.Alarm alarm,
            AggregatorConfig.Route53 settings) {
        this.client = client;
        this.ownership = ownership;
        this.alarmRegion = alarmRegion;
        this.alarm = alarm;
        this.settings = settings;
    }

    /**
     * The plan: the changes, the health check ID of each configured target that has one ({@code ids}), and of
     * every health check this deployment owns, configured or not ({@code owned}, what apply acts on); the record each
     * guards ({@code records}, its tag); how many checks of an earlier release were left alone for want of a target.
     */
    public record State(
            List<Difference> changes,
            Map<String, String> ids,
            Map<String, String> owned,
            Map<String, String> records,
            long leftAlone) {
        /** Applies only the changes of {@code action}s given, in plan order. */
        State only(Set<Difference.Action> actions) {
            return new State(
                    changes.stream().filter(c -> actions.contains(c.action())).toList(),
                    ids,
                    owned,
                    records,
                    leftAlone);
        }
    }

    /** A check of this deployment's, or ({@code adopt}) an earlier release's that it takes as its own. */
    private record Existing(HealthCheck check, Map<String, String> tags, boolean adopt) {}

    /** This deployment's checks by target, and how many of an earlier release's it left alone. */
    private record Found(Map<String, Existing> checks, long leftAlone) {}

    /**
     * The plan for {@code targets}; {@code adoptable}: the targets whose checks, when an earlier release made them in
     * this namespace, this deployment takes as its own (those its config lists).
     */
    public CompletableFuture<State> plan(List<TargetSpec> targets, Set<String> adoptable) {
        return owned(adoptable).thenCompose(found -> {
            Map<String, Existing> existing = found.checks();
            List<Difference> changes = new ArrayList<>();
            Map<String, String> ids = new LinkedHashMap<>();
            Set<String> configured = new HashSet<>();
            for (TargetSpec target : targets) {
                configured.add(target.name());
                Existing check = existing.get(target.name());
                String alarmName = alarm.alarmName(target.name());
                if (check == null) {
                    changes.add(new Difference(
                            Difference.Resource.HEALTH_CHECK,
                            Difference.Action.CREATE,
                            target.name(),
                            target.name(),
                            List.of("watches alarm " + alarmName + " in " + alarmRegion + ", insufficient data = "
                                    + settings.insufficientDataHealthStatus())));
                    continue;
                }
                ids.put(target.name(), check.check().id());
                List<String> differences = new ArrayList<>();
                if (check.adopt()) {
                    differences.add(ownership.adopted());
                }
                differences.addAll(differences(check, alarmName));
                if (!differences.isEmpty()) {
                    changes.add(new Difference(
                            Difference.Resource.HEALTH_CHECK,
                            Difference.Action.UPDATE,
                            target.name(),
                            target.name(),
                            differences));
                }
            }
            Map<String, String> owned = new LinkedHashMap<>();
            Map<String, String> records = new LinkedHashMap<>();
            existing.forEach((target, check) -> {
                owned.put(target, check.check().id());
                if (check.tags().containsKey(Ownership.RECORD)) {
                    records.put(target, check.tags().get(Ownership.RECORD));
                }
                if (!configured.contains(target)) {
                    changes.add(new Difference(
                            Difference.Resource.HEALTH_CHECK,
                            Difference.Action.DELETE,
                            target,
                            target,
                            List.of("id " + check.check().id() + "; its target is no longer configured")));
                }
            });
            return room(changes).thenApply(quota -> {
                changes.addAll(quota);
                return new State(changes, ids, owned, records, found.leftAlone());
            });
        });
    }

    /**
     * An error when the account cannot hold the checks {@code changes} create (apply creates every check before it
     * deletes any), or when its limit cannot be read: so apply never stops at the limit halfway, alarms made and checks
     * missing. Asks Route 53 only when checks are created. CloudWatch has no such quota for metric alarms: "No limit on
     * the total number of alarms per account" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html).
     */
    private CompletableFuture<List<Difference>> room(List<Difference> changes) {
        long creates = changes.stream()
                .filter(c -> c.action() == Difference.Action.CREATE)
                .count();
        long deletes = changes.stream()
                .filter(c -> c.action() == Difference.Action.DELETE)
                .count();
        if (creates == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        return client.getAccountLimit(r -> r.type(AccountLimitType.MAX_HEALTH_CHECKS_BY_OWNER))
                .handle((answer, error) -> {
                    if (error != null) {
                        return List.of(quota("could not read the account's limit of health checks ("
                                + AwsErrors.describe(error) + "), so apply cannot tell whether the account holds "
                                + creates + " more; allow route53:GetAccountLimit"));
                    }
                    long limit = answer.limit().value();
                    long over = answer.count() + creates - limit;
                    if (over <= 0) {
                        return List.of();
                    }
                    return List.of(quota("the account holds " + limit + " health checks at most (Route 53's"
                            + " MAX_HEALTH_CHECKS_BY_OWNER); " + answer.count() + " exist; this plan creates " + creates
                            + ": " + over + " over" + (deletes > 0 ? " (its " + deletes + " deletes come after)" : "")
                            + "; ask AWS for a higher limit or configure fewer targets"));
                });
    }

    private static Difference quota(String problem) {
        return new Difference(
                Difference.Resource.HEALTH_CHECK, Difference.Action.ERROR, "quota", null, List.of(problem));
    }

    /**
     * Applies {@code plan}'s health check changes to the checks the plan found (no second listing); returns the
     * IDs of every configured target's health check.
     */
    public CompletableFuture<Map<String, String>> apply(State plan) {
        Map<String, String> ids = new LinkedHashMap<>(plan.ids());
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (Difference change : plan.changes()) {
            String target = change.target();
            String id = plan.owned().get(target);
            switch (change.action()) {
                case CREATE ->
                    done = done.thenCompose(v -> create(target).thenAccept(created -> ids.put(target, created)));
                case UPDATE -> done = done.thenCompose(v -> update(id, target));
                case DELETE ->
                    done = done.thenCompose(v ->
                            client.deleteHealthCheck(r -> r.healthCheckId(id)).thenApply(r -> null));
                case CONFLICT, ERROR -> {}
            }
        }
        return done.thenApply(v -> ids);
    }

    private List<String> differences(Existing found, String alarmName) {
        List<String> differences = new ArrayList<>();
        var config = found.check().healthCheckConfig();
        AlarmIdentifier identifier = config.alarmIdentifier();
        if (identifier != null) {
            if (!alarmName.equals(identifier.name()) || !alarmRegion.equals(identifier.regionAsString())) {
                differences.add("alarm " + identifier.regionAsString() + "/" + identifier.name() + " -> " + alarmRegion
                        + "/" + alarmName);
            }
            if (config.insufficientDataHealthStatus() != null
                    && !settings.insufficientDataHealthStatus().equals(config.insufficientDataHealthStatusAsString())) {
                differences.add("insufficientDataHealthStatus " + config.insufficientDataHealthStatusAsString() + " -> "
                        + settings.insufficientDataHealthStatus());
            }
        } else if (!digest(alarmName).equals(found.tags().get(Ownership.CONFIG))) {
            differences.add("settings changed since it was written (alarm " + alarmRegion + "/" + alarmName
                    + ", insufficient data = " + settings.insufficientDataHealthStatus() + ")");
        }
        return differences;
    }

    private CompletableFuture<String> create(String target) {
        String alarmName = alarm.alarmName(target);
        return client.createHealthCheck(r -> r.callerReference(callerReference(target, alarmName))
                        .healthCheckConfig(c -> c.type(HealthCheckType.CLOUDWATCH_METRIC)
                                .alarmIdentifier(a -> a.region(CloudWatchRegion.fromValue(alarmRegion))
                                        .name(alarmName))
                                .insufficientDataHealthStatus(InsufficientDataHealthStatus.fromValue(
                                        settings.insufficientDataHealthStatus()))))
                .thenCompose(created -> tag(created.healthCheck().id(), target)
                        .thenApply(v -> created.healthCheck().id()));
    }

    private CompletableFuture<Void> update(String id, String target) {
        String alarmName = alarm.alarmName(target);
        return client.updateHealthCheck(r -> r.healthCheckId(id)
                        .alarmIdentifier(a -> a.region(CloudWatchRegion.fromValue(alarmRegion))
                                .name(alarmName))
                        .insufficientDataHealthStatus(
                                InsufficientDataHealthStatus.fromValue(settings.insufficientDataHealthStatus())))
                .thenCompose(updated -> tag(id, target));
    }

    /** Records on the check which record it guards (or, with {@code record} null, that it guards none). */
    CompletableFuture<Void> tagRecord(String id, RecordKey record) {
        return client.changeTagsForResource(r -> {
                    r.resourceType(TagResourceType.HEALTHCHECK).resourceId(id);
                    if (record == null) {
                        r.removeTagKeys(Ownership.RECORD);
                    } else {
                        r.addTags(Tag.builder()
                                .key(Ownership.RECORD)
                                .value(record.tag())
                                .build());
                    }
                })
                .thenApply(r -> null);
    }

    private CompletableFuture<Void> tag(String id, String target) {
        return client.changeTagsForResource(r -> r.resourceType(TagResourceType.HEALTHCHECK)
                        .resourceId(id)
                        .addTags(tags(target).entrySet().stream()
                                .map(tag -> Tag.builder()
                                        .key(tag.getKey())
                                        .value(tag.getValue())
                                        .build())
                                .toList()))
                .thenApply(r -> null);
    }

    /** The tags of {@code target}'s health check: its name, ownership, and the settings it was written with. */
    public Map<String, String> tags(String target) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("Name", "vantage " + ownership.deployment() + " " + target);
        tags.putAll(ownership.tags(target));
        tags.put(Ownership.CONFIG, digest(alarm.alarmName(target)));
        return tags;
    }

    /**
     * The first part of {@code target}'s caller reference (what it was made for; vantage reads only checks whose
     * reference starts with "vantage-"): 24 characters, within the 27 Terraform allows for {@code reference_name}.
     */
    public String referenceName(String target) {
        String alarmName = alarm.alarmName(target);
        return CALLER_REFERENCE_PREFIX
                + HexFormat.of()
                        .formatHex(Tokens.sha256(ownership.namespace() + "/" + target + "/" + digest(alarmName)), 0, 8);
    }

    public String alarmRegion() {
        return alarmRegion;
    }

    public String insufficientDataHealthStatus() {
        return settings.insufficientDataHealthStatus();
    }

    private String digest(String alarmName) {
        return HexFormat.of()
                .formatHex(
                        Tokens.sha256(alarmRegion + "/" + alarmName + "/" + settings.insufficientDataHealthStatus()),
                        0,
                        16);
    }

    /**
     * Unique per creation: Route 53 refuses a reference that once belonged to a health check since deleted, so a
     * target removed and added again with the same settings needs a new one. A create the SDK retries after a lost
     * answer sends the same request, and so the same reference: Route 53 then returns the check it already made.
     * Ownership is decided by tags, never by the reference; its first part only says what it was made for.
     */
    String callerReference(String target, String alarmName) {
        byte[] nonce = new byte[6];
        RANDOM.nextBytes(nonce);
        return referenceName(target) + "-" + HexFormat.of().formatHex(nonce);
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CALLER_REFERENCE_PREFIX = "vantage-";
    /** ListHealthChecks' largest page (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHealthChecks.html). */
    private static final String LIST_PAGE = "1000";

    /**
     * This deployment's health checks by target: its own, and an earlier release's in this namespace for a target in
     * {@code adoptable}; the earlier release's others are counted, never touched.
     */
    private CompletableFuture<Found> owned(Set<String> adoptable) {
        return list(null, new ArrayList<>()).thenCompose(checks -> {
            Map<String, HealthCheck> byId = new HashMap<>();
            // Ownership is decided by tags; only checks vantage could have made (its caller references all start with
            // "vantage-") have theirs fetched, so thousands of foreign checks in the account cost no tag requests.
            checks.stream()
                    .filter(c -> c.healthCheckConfig().type() == HealthCheckType.CLOUDWATCH_METRIC)
                    .filter(c ->
                            c.callerReference() != null && c.callerReference().startsWith(CALLER_REFERENCE_PREFIX))
                    .forEach(c -> byId.put(c.id(), c));
            List<String> ids = new ArrayList<>(byId.keySet());
            Map<String, Existing> owned = new LinkedHashMap<>();
            List<Existing> earlier = new ArrayList<>();
            CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
            for (int i = 0; i < ids.size(); i += TAG_BATCH) {
                List<String> batch = ids.subList(i, Math.min(ids.size(), i + TAG_BATCH));
                all = all.thenCompose(v -> client.listTagsForResources(
                                r -> r.resourceType(TagResourceType.HEALTHCHECK).resourceIds(batch))
                        .thenAccept(response -> response.resourceTagSets().forEach(set -> {
                            Map<String, String> tags = new HashMap<>();
                            set.tags().forEach(tag -> tags.put(tag.key(), tag.value()));
                            String target = tags.get(Ownership.TARGET);
                            HealthCheck check = byId.get(set.resourceId());
                            switch (ownership.of(tags)) {
                                case THIS_DEPLOYMENT -> {
                                    if (target != null) {
                                        owned.put(target, new Existing(check, tags, false));
                                    }
                                }
                                case EARLIER_RELEASE -> earlier.add(new Existing(check, tags, true));
                                case ANOTHER_DEPLOYMENT, NOT_VANTAGE -> {}
                            }
                        })));
            }
            return all.thenApply(v -> {
                long leftAlone = 0;
                for (Existing check : earlier) {
                    String target = check.tags().get(Ownership.TARGET);
                    // A target that has a check of this deployment's adopts none.
                    if (!adoptable.contains(target) || owned.putIfAbsent(target, check) != null) {
                        leftAlone++;
                    }
                }
                return new Found(owned, leftAlone);
            });
        });
    }

    private CompletableFuture<List<HealthCheck>> list(String marker, List<HealthCheck> found) {
        return client.listHealthChecks(r -> r.marker(marker).maxItems(LIST_PAGE))
                .thenCompose((ListHealthChecksResponse response) -> {
                    found.addAll(response.healthChecks());
                    return Boolean.TRUE.equals(response.isTruncated())
                            ? list(response.nextMarker(), found)
                            : CompletableFuture.completedFuture(found);
                });
    }
}
