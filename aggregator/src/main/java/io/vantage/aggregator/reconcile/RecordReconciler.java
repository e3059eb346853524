package io.vantage.aggregator.reconcile;

import io.vantage.wire.Checks;
import io.vantage.wire.target.RecordBinding;
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
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.services.route53.Route53AsyncClient;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Attaches each bound target's health check to the Route 53 record it guards, and detaches vantage's checks from
 * records no target is bound to any more. Only the record's HealthCheckId changes: the record as listed (values, TTL,
 * alias, routing policy) is written back with UPSERT. One change batch per hosted zone, so a failed batch changes
 * nothing in that zone. A record guarded by a check that is not this deployment's is a conflict, never changed; a bound record
 * that does not exist is an error, and apply does not start.
 */
public final class RecordReconciler {
    private final Route53AsyncClient client;

    public RecordReconciler(Route53AsyncClient client) {
        this.client = client;
    }

    /** One record to write back: with the target's check attached ({@code target} set), or with none (detach). */
    record Update(String zoneId, ResourceRecordSet current, String target, String detachedCheck) {}

    /** The record changes and what apply writes, zone by zone; {@code warnings} say where failover cannot work. */
    public record State(
            List<Difference> changes,
            List<String> warnings,
            Map<String, List<Update>> updates,
            Map<String, List<String>> values) {}

    /** The records read together: those of one name and type, or (name null) every record of a type in the zone. */
    private record Group(String zoneId, String name, String type) {
        static Group of(String zoneId, RecordBinding binding) {
            return new Group(zoneId, RecordBinding.canonical(binding.recordName()), binding.recordType());
        }

        static Group of(RecordKey.Tag tag) {
            return new Group(tag.zoneId(), tag.name(), tag.type());
        }
    }

    /**
     * What plan read: hosted zone IDs by the zone as configured, the record each bound target should guard ({@code
     * wanted}), the record each owned check's tag names ({@code recorded}), and the records listed per group (null: its
     * zone does not exist).
     */
    private record Read(
            Map<String, String> zoneIds,
            Map<String, RecordKey> wanted,
            Map<String, RecordKey.Tag> recorded,
            Map<Group, List<ResourceRecordSet>> listed) {}

    /** {@code unhealthy}: targets whose check is unhealthy now (their alarm is in ALARM), for the safety warning. */
    public CompletableFuture<State> plan(
            List<TargetSpec> targets, HealthCheckReconciler.State checks, Set<String> unhealthy) {
        List<TargetSpec> bound =
                targets.stream().filter(t -> t.route53() != null).toList();
        List<Difference> changes = new ArrayList<>();
        return zoneIds(bound, changes).thenCompose(zoneIds -> {
            Map<String, RecordKey> wanted = wanted(bound, zoneIds);
            Map<String, RecordKey.Tag> recorded = recorded(checks, changes);
            return list(groups(bound, zoneIds, wanted, recorded))
                    .thenApply(listed -> new Decision(checks, changes, new Read(zoneIds, wanted, recorded, listed))
                            .decide(bound, unhealthy));
        });
    }

    /** The record each bound target should guard, by target (none where its zone was not found). */
    private static Map<String, RecordKey> wanted(List<TargetSpec> bound, Map<String, String> zoneIds) {
        Map<String, RecordKey> wanted = new HashMap<>();
        for (TargetSpec target : bound) {
            String zoneId = zoneIds.get(target.route53().zone());
            if (zoneId != null) {
                wanted.put(target.name(), RecordKey.of(zoneId, target.route53()));
            }
        }
        return wanted;
    }

    /** The record each owned check's tag names, by target; a tag that names no record is an error. */
    private static Map<String, RecordKey.Tag> recorded(HealthCheckReconciler.State checks, List<Difference> changes) {
        Map<String, RecordKey.Tag> recorded = new LinkedHashMap<>();
        checks.records().forEach((target, value) -> {
            RecordKey.Tag tag = RecordKey.Tag.parse(value);
            if (tag != null) {
                recorded.put(target, tag);
                return;
            }
            changes.add(new Difference(
                    Difference.Resource.HEALTH_CHECK,
                    Difference.Action.ERROR,
                    target,
                    target,
                    List.of("id " + checks.owned().get(target) + ": its " + Ownership.RECORD + " tag '"
                            + Checks.visible(value) + "' names no record, so the record the check may guard"
                            + " cannot be found to detach it; put the tag back as it was, or remove it once no"
                            + " record carries the check")));
        });
        return recorded;
    }

    /** Every group to read: the bound ones, and those vantage's checks were attached to before. */
    private static Set<Group> groups(
            List<TargetSpec> bound,
            Map<String, String> zoneIds,
            Map<String, RecordKey> wanted,
            Map<String, RecordKey.Tag> recorded) {
        Set<Group> groups = new HashSet<>();
        for (TargetSpec target : bound) {
            String zoneId = zoneIds.get(target.route53().zone());
            if (zoneId != null) {
                groups.add(Group.of(zoneId, target.route53()));
            }
        }
        recorded.forEach((target, tag) -> {
            RecordKey key = wanted.get(target);
            if (key == null || !tag.names(key)) {
                groups.add(Group.of(tag));
            }
        });
        return groups;
    }

    /** The records of each group, one listing after the other; null for a group whose zone does not exist. */
    private CompletableFuture<Map<Group, List<ResourceRecordSet>>> list(Set<Group> groups) {
        Map<Group, List<ResourceRecordSet>> listed = new LinkedHashMap<>();
        CompletableFuture<Void> read = CompletableFuture.completedFuture(null);
        for (Group group : groups) {
            read = read.thenCompose(v -> (group.name() == null
                            ? RecordSets.ofType(client, group.zoneId(), group.type())
                            : RecordSets.named(client, group.zoneId(), group.name(), group.type()))
                    .thenAccept(records -> listed.put(group, records))
                    .exceptionally(error -> {
                        if (unwrap(error) instanceof NoSuchHostedZoneException) {
                            listed.put(group, null);
                            return null;
                        }
                        throw new CompletionException(unwrap(error));
                    }));
        }
        return read.thenApply(v -> listed);
    }

    /**
     * One plan's decisions on what it read: each bound target's record gets its check (or an error or a conflict says
     * why not), each record a check was attached to and no target is bound to any more is detached, and the warnings
     * say where failover cannot work.
     */
    private static final class Decision {
        private final HealthCheckReconciler.State checks;
        private final List<Difference> changes;
        private final Read read;
        private final Map<RecordKey, ResourceRecordSet> byKey = new HashMap<>();
        private final Set<RecordKey> listedTwice = new HashSet<>();
        private final Set<String> ownedIds;
        private final Map<String, List<Update>> updates = new LinkedHashMap<>();
        private final Map<String, List<String>> values = new LinkedHashMap<>();
        private final Set<RecordKey> attached = new HashSet<>();
        private final List<String> warnings = new ArrayList<>();

        Decision(HealthCheckReconciler.State checks, List<Difference> changes, Read read) {
            this.checks = checks;
            this.changes = changes;
            this.read = read;
            this.ownedIds = new HashSet<>(checks.owned().values());
            read.listed().forEach((group, records) -> {
                if (records != null) {
                    Set<RecordKey> seen = new HashSet<>();
                    records.forEach(record -> {
                        RecordKey key = RecordKey.of(group.zoneId(), record);
                        byKey.put(key, record);
                        if (!seen.add(key)) {
                            listedTwice.add(key);
                        }
                    });
                }
            });
        }

        State decide(List<TargetSpec> bound, Set<String> unhealthy) {
            bound.forEach(this::attach);
            // Detach vantage's checks from records no configured target is bound to any more, before they are deleted.
            read.recorded().forEach(this::detach);
            warnings.addAll(allUnhealthy(bound, unhealthy));
            return new State(changes, warnings, updates, values);
        }

        /** The bound record gets the target's check, unless another deployment's check guards it. */
        private void attach(TargetSpec target) {
            String zoneId = read.zoneIds().get(target.route53().zone());
            if (zoneId == null) {
                return; // reported when the zone name was resolved
            }
            RecordKey key = RecordKey.of(zoneId, target.route53());
            ResourceRecordSet record = boundRecord(target, key);
            if (record == null) {
                return;
            }
            values.put(
                    target.name(),
                    record.aliasTarget() != null
                            ? List.of(record.aliasTarget().dnsName())
                            : record.resourceRecords().stream()
                                    .map(v -> v.value())
                                    .toList());
            if (read.listed().get(Group.of(zoneId, target.route53())).size() == 1) {
                warnings.add(
                        key.describe() + " is the only " + key.type() + " record of " + key.name()
                                + ": when its check fails, Route 53 has no other record to answer with and keeps answering with it");
            }
            String wanted = checks.ids().get(target.name());
            String current = record.healthCheckId();
            attached.add(key);
            if (current != null && !ownedIds.contains(current)) {
                changes.add(new Difference(
                        Difference.Resource.RECORD,
                        Difference.Action.CONFLICT,
                        key.describe(),
                        target.name(),
                        List.of("guarded by health check " + current
                                + ", which is not this deployment's: left as it is")));
                return;
            }
            if (wanted != null && wanted.equals(current)) {
                return;
            }
            changes.add(new Difference(
                    Difference.Resource.RECORD,
                    Difference.Action.UPDATE,
                    key.describe(),
                    target.name(),
                    List.of("health check " + (current == null ? "none" : current) + " -> "
                            + (wanted != null ? wanted : "the one created for " + target.name())
                            + "; value, TTL, alias and routing policy unchanged")));
            updates.computeIfAbsent(zoneId, z -> new ArrayList<>())
                    .add(new Update(zoneId, record, target.name(), null));
        }

        /** The record {@code key} of a bound target as listed, or null after an error saying why it cannot be told. */
        private ResourceRecordSet boundRecord(TargetSpec target, RecordKey key) {
            List<ResourceRecordSet> group = read.listed().get(Group.of(key.zoneId(), target.route53()));
            if (group == null) {
                error(key, target, "hosted zone " + key.zoneId() + " does not exist (target " + target.name() + ")");
                return null;
            }
            if (listedTwice.contains(key)) {
                // Route53IdInterceptor (AWS SDK for Java 2.x) lists set identifier "eu/west" as "west".
                error(
                        key,
                        target,
                        "two records of this name and type list as set identifier '" + key.setIdentifier()
                                + "': the AWS SDK for Java reads a set identifier from its last '/' on, so one of them"
                                + " has a '/' and vantage cannot tell which is bound; give that one a set identifier"
                                + " without '/'");
                return null;
            }
            ResourceRecordSet record = byKey.get(key);
            if (record == null) {
                error(
                        key,
                        target,
                        "no such record (target " + target.name() + " is bound to it); records of that name and type: "
                                + (group.isEmpty()
                                        ? "none"
                                        : group.stream()
                                                .map(ResourceRecordSet::setIdentifier)
                                                .map(String::valueOf)
                                                .toList()));
            }
            return record;
        }

        private void error(RecordKey key, TargetSpec target, String message) {
            changes.add(new Difference(
                    Difference.Resource.RECORD,
                    Difference.Action.ERROR,
                    key.describe(),
                    target.name(),
                    List.of(message)));
        }

        /** The record {@code target}'s check guarded loses the check, unless a bound target keeps it there. */
        private void detach(String target, RecordKey.Tag tag) {
            String id = checks.owned().get(target);
            List<ResourceRecordSet> candidates = read.listed().get(Group.of(tag));
            ResourceRecordSet record = candidates == null
                    ? null
                    : candidates.stream()
                            .filter(r -> tag.names(RecordKey.of(tag.zoneId(), r)))
                            .findFirst()
                            .orElse(null);
            if (id == null || record == null || !id.equals(record.healthCheckId())) {
                return;
            }
            RecordKey key = RecordKey.of(tag.zoneId(), record);
            if (attached.contains(key) || key.equals(read.wanted().get(target))) {
                return;
            }
            changes.add(new Difference(
                    Difference.Resource.RECORD,
                    Difference.Action.UPDATE,
                    key.describe(),
                    target,
                    List.of("detach health check " + id + " ("
                            + (read.wanted().containsKey(target)
                                    ? "target " + target + " is bound elsewhere now"
                                    : "target " + target + " is no longer bound")
                            + "); the record stays, without a health check")));
            updates.computeIfAbsent(tag.zoneId(), z -> new ArrayList<>())
                    .add(new Update(tag.zoneId(), record, null, id));
        }

        /**
         * Groups (one name and type) whose every record would be guarded by a vantage check that is unhealthy now:
         * Route 53 then considers all of them healthy and answers with all of them, as if none were checked.
         */
        private List<String> allUnhealthy(List<TargetSpec> bound, Set<String> unhealthy) {
            Map<String, String> ownerOfCheck = new HashMap<>();
            checks.owned().forEach((target, id) -> ownerOfCheck.put(id, target));
            Map<RecordKey, String> boundTo = new HashMap<>();
            for (TargetSpec target : bound) {
                RecordKey key = read.wanted().get(target.name());
                if (key != null) {
                    boundTo.put(key, target.name());
                }
            }
            List<String> unhealthyGroups = new ArrayList<>();
            read.listed().forEach((group, records) -> {
                if (group.name() == null || records == null || records.size() < 2) {
                    return; // a whole zone's records are no one group
                }
                List<String> guards = new ArrayList<>();
                for (ResourceRecordSet record : records) {
                    String target = boundTo.getOrDefault(
                            RecordKey.of(group.zoneId(), record), ownerOfCheck.get(record.healthCheckId()));
                    if (target == null || !unhealthy.contains(target)) {
                        return;
                    }
                    guards.add(target);
                }
                unhealthyGroups.add(
                        "every " + group.type() + " record of " + group.name() + " in zone "
                                + group.zoneId() + " is guarded by a vantage check that is unhealthy now " + guards
                                + ": Route 53 treats them all as healthy and answers with all of them, as if none were checked");
            });
            return unhealthyGroups;
        }
    }

    /**
     * Writes the plan's record updates, one batch per zone; {@code checkIds} are the targets' health check IDs after
     * the checks were created. Each check is then tagged with the record it guards (or untagged when detached).
     */
    public CompletableFuture<Void> apply(State plan, Map<String, String> checkIds, HealthCheckReconciler checks) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (Map.Entry<String, List<Update>> zone : plan.updates().entrySet()) {
            List<Change> batch = new ArrayList<>();
            for (Update update : zone.getValue()) {
                String id = update.target() == null
                        ? null
                        : Objects.requireNonNull(
                                checkIds.get(update.target()), "no health check for target " + update.target());
                batch.add(Change.builder()
                        .action(ChangeAction.UPSERT)
                        .resourceRecordSet(
                                update.current().toBuilder().healthCheckId(id).build())
                        .build());
            }
            done = done.thenCompose(v -> client.changeResourceRecordSets(r -> r.hostedZoneId(zone.getKey())
                            .changeBatch(b -> b.comment("vantage: health checks of bound targets")
                                    .changes(batch)))
                    .thenApply(r -> null));
            for (Update update : zone.getValue()) {
                done = done.thenCompose(v -> update.target() == null
                        ? checks.tagRecord(update.detachedCheck(), null)
                        : checks.tagRecord(
                                checkIds.get(update.target()), RecordKey.of(update.zoneId(), update.current())));
            }
        }
        return done;
    }

    /** Hosted zone IDs by the zone as written in the config (an ID stays itself; a name is looked up). */
    private CompletableFuture<Map<String, String>> zoneIds(List<TargetSpec> bound, List<Difference> changes) {
        Map<String, String> ids = new HashMap<>();
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        Set<String> names = new HashSet<>();
        for (TargetSpec target : bound) {
            RecordBinding binding = target.route53();
            if (binding.hostedZoneId() != null) {
                ids.put(binding.zone(), binding.hostedZoneId());
            } else if (names.add(binding.zone())) {
                String zoneName = binding.zone();
                done = done.thenCompose(v -> client.listHostedZonesByName(
                                r -> r.dnsName(zoneName).maxItems("100"))
                        .thenAccept(response -> {
                            List<HostedZone> matching = response.hostedZones().stream()
                                    .filter(z ->
                                            RecordBinding.canonical(z.name()).equals(zoneName))
                                    .toList();
                            if (matching.size() == 1) {
                                ids.put(zoneName, matching.get(0).id().replace("/hostedzone/", ""));
                            } else {
                                changes.add(new Difference(
                                        Difference.Resource.RECORD,
                                        Difference.Action.ERROR,
                                        "zone " + zoneName,
                                        target.name(),
                                        List.of(
                                                matching.isEmpty()
                                                        ? "no hosted zone named " + zoneName
                                                        : "hosted zones "
                                                                + matching.stream()
                                                                        .map(HostedZone::id)
                                                                        .toList() + " are all named " + zoneName
                                                                + ": set hostedZoneId")));
                            }
                        }));
            }
        }
        return done.thenApply(v -> ids);
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
