package io.vantage.aggregator.reconcile;

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
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Attaches each bound target's health check to the Route 53 record it guards, and detaches vantage's checks from
 * records no target is bound to any more. Only the record's HealthCheckId changes: the record as listed (values, TTL,
 * alias, routing policy) is written back with UPSERT. One change batch per hosted zone, so a failed batch changes
 * nothing in that zone. A record guarded by a check that is not vantage's is a conflict, never changed; a bound record
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
            List<Change> changes,
            List<String> warnings,
            Map<String, List<Update>> updates,
            Map<String, List<String>> values) {}

    private record Group(String zoneId, String name, String type) {
        static Group of(String zoneId, RecordBinding binding) {
            return new Group(zoneId, RecordBinding.canonical(binding.recordName()), binding.recordType());
        }
    }

    private static String key(String zoneId, RecordBinding binding) {
        return zoneId + " " + binding.record();
    }

    private static String key(String zoneId, ResourceRecordSet record) {
        return zoneId + " " + RecordBinding.canonical(record.name()) + " " + record.typeAsString() + " "
                + record.setIdentifier();
    }

    /** {@code unhealthy}: targets whose check is unhealthy now (their alarm is in ALARM), for the safety warning. */
    public CompletableFuture<State> plan(
            List<TargetSpec> targets, HealthCheckReconciler.State checks, Set<String> unhealthy) {
        List<TargetSpec> bound =
                targets.stream().filter(t -> t.route53() != null).toList();
        List<Change> changes = new ArrayList<>();
        return zoneIds(bound, changes).thenCompose(zoneIds -> {
            // Every (zone, name, type) to read: the bound ones, and those vantage's checks were attached to before.
            Set<Group> groups = new HashSet<>();
            Map<String, String> wantedRecordOf = new HashMap<>(); // target -> "zone record" it should guard
            for (TargetSpec target : bound) {
                String zoneId = zoneIds.get(target.route53().zone());
                if (zoneId != null) {
                    groups.add(Group.of(zoneId, target.route53()));
                    wantedRecordOf.put(target.name(), key(zoneId, target.route53()));
                }
            }
            checks.records().forEach((target, record) -> {
                String[] parts = record.split(" ");
                if (parts.length == 4 && !record.equals(wantedRecordOf.get(target))) {
                    groups.add(new Group(parts[0], parts[1], parts[2]));
                }
            });
            Map<Group, List<ResourceRecordSet>> listed = new LinkedHashMap<>();
            CompletableFuture<Void> read = CompletableFuture.completedFuture(null);
            for (Group group : groups) {
                read = read.thenCompose(v -> RecordSets.named(client, group.zoneId(), group.name(), group.type())
                        .thenAccept(records -> listed.put(group, records))
                        .exceptionally(error -> {
                            if (unwrap(error) instanceof NoSuchHostedZoneException) {
                                listed.put(group, null);
                                return null;
                            }
                            throw new CompletionException(unwrap(error));
                        }));
            }
            return read.thenApply(v -> decide(bound, zoneIds, wantedRecordOf, checks, unhealthy, listed, changes));
        });
    }

    private State decide(
            List<TargetSpec> bound,
            Map<String, String> zoneIds,
            Map<String, String> wantedRecordOf,
            HealthCheckReconciler.State checks,
            Set<String> unhealthy,
            Map<Group, List<ResourceRecordSet>> listed,
            List<Change> changes) {
        Map<String, ResourceRecordSet> byKey = new HashMap<>();
        listed.forEach((group, records) -> {
            if (records != null) {
                records.forEach(record -> byKey.put(key(group.zoneId(), record), record));
            }
        });
        Set<String> ownedIds = new HashSet<>(checks.owned().values());
        Set<String> pendingCreates = new HashSet<>();
        checks.changes().stream()
                .filter(c -> c.action() == Change.Action.CREATE)
                .forEach(c -> pendingCreates.add(c.target()));
        Map<String, List<Update>> updates = new LinkedHashMap<>();
        Map<String, List<String>> values = new LinkedHashMap<>();
        Set<String> attached = new HashSet<>();
        List<String> warnings = new ArrayList<>();
        for (TargetSpec target : bound) {
            RecordBinding binding = target.route53();
            String zoneId = zoneIds.get(binding.zone());
            if (zoneId == null) {
                continue; // reported when the zone name was resolved
            }
            String name = "zone " + zoneId + ": " + binding.record();
            List<ResourceRecordSet> group = listed.get(Group.of(zoneId, binding));
            if (group == null) {
                changes.add(new Change(
                        Change.Resource.RECORD,
                        Change.Action.ERROR,
                        name,
                        target.name(),
                        List.of("hosted zone " + zoneId + " does not exist (target " + target.name() + ")")));
                continue;
            }
            ResourceRecordSet record = byKey.get(key(zoneId, binding));
            if (record == null) {
                changes.add(new Change(
                        Change.Resource.RECORD,
                        Change.Action.ERROR,
                        name,
                        target.name(),
                        List.of("no such record (target " + target.name()
                                + " is bound to it); records of that name and type: "
                                + (group.isEmpty()
                                        ? "none"
                                        : group.stream()
                                                .map(ResourceRecordSet::setIdentifier)
                                                .map(String::valueOf)
                                                .toList()))));
                continue;
            }
            values.put(
                    target.name(),
                    record.aliasTarget() != null
                            ? List.of(record.aliasTarget().dnsName())
                            : record.resourceRecords().stream()
                                    .map(v -> v.value())
                                    .toList());
            if (group.size() == 1) {
                warnings.add(
                        name + " is the only " + binding.recordType() + " record of " + binding.recordName()
                                + ": when its check fails, Route 53 has no other record to answer with and keeps answering with it");
            }
            String wanted = checks.ids().get(target.name());
            String current = record.healthCheckId();
            if (current != null && !ownedIds.contains(current)) {
                changes.add(new Change(
                        Change.Resource.RECORD,
                        Change.Action.CONFLICT,
                        name,
                        target.name(),
                        List.of("guarded by health check " + current + ", which is not vantage's: left as it is")));
                attached.add(key(zoneId, record));
                continue;
            }
            if (wanted != null && wanted.equals(current)) {
                attached.add(key(zoneId, record));
                continue;
            }
            changes.add(new Change(
                    Change.Resource.RECORD,
                    Change.Action.UPDATE,
                    name,
                    target.name(),
                    List.of("health check " + (current == null ? "none" : current) + " -> "
                            + (wanted != null ? wanted : "the one created for " + target.name())
                            + "; value, TTL, alias and routing policy unchanged")));
            updates.computeIfAbsent(zoneId, z -> new ArrayList<>())
                    .add(new Update(zoneId, record, target.name(), null));
            attached.add(key(zoneId, record));
        }
        // Detach vantage's checks from records no configured target is bound to any more, before they are deleted.
        checks.records().forEach((target, recorded) -> {
            String id = checks.owned().get(target);
            ResourceRecordSet record = byKey.get(recorded);
            if (id == null
                    || record == null
                    || !id.equals(record.healthCheckId())
                    || attached.contains(recorded)
                    || recorded.equals(wantedRecordOf.get(target))) {
                return;
            }
            String zoneId = recorded.substring(0, recorded.indexOf(' '));
            changes.add(new Change(
                    Change.Resource.RECORD,
                    Change.Action.UPDATE,
                    "zone " + zoneId + ": " + recorded.substring(zoneId.length() + 1),
                    target,
                    List.of("detach health check " + id + " ("
                            + (wantedRecordOf.containsKey(target)
                                    ? "target " + target + " is bound elsewhere now"
                                    : "target " + target + " is no longer bound")
                            + "); the record stays, without a health check")));
            updates.computeIfAbsent(zoneId, z -> new ArrayList<>()).add(new Update(zoneId, record, null, id));
        });
        warnings.addAll(allUnhealthy(bound, zoneIds, checks, unhealthy, listed));
        return new State(changes, warnings, updates, values);
    }

    /**
     * Groups (one name and type) whose every record would be guarded by a vantage check that is unhealthy now: Route 53
     * then considers all of them healthy and answers with all of them, as if none were checked.
     */
    private static List<String> allUnhealthy(
            List<TargetSpec> bound,
            Map<String, String> zoneIds,
            HealthCheckReconciler.State checks,
            Set<String> unhealthy,
            Map<Group, List<ResourceRecordSet>> listed) {
        Map<String, String> ownerOfCheck = new HashMap<>();
        checks.owned().forEach((target, id) -> ownerOfCheck.put(id, target));
        Map<String, String> boundTo = new HashMap<>(); // "zone record" -> target
        for (TargetSpec target : bound) {
            String zoneId = zoneIds.get(target.route53().zone());
            if (zoneId != null) {
                boundTo.put(key(zoneId, target.route53()), target.name());
            }
        }
        List<String> warnings = new ArrayList<>();
        listed.forEach((group, records) -> {
            if (records == null || records.size() < 2) {
                return;
            }
            List<String> guards = new ArrayList<>();
            for (ResourceRecordSet record : records) {
                String target =
                        boundTo.getOrDefault(key(group.zoneId(), record), ownerOfCheck.get(record.healthCheckId()));
                if (target == null || !unhealthy.contains(target)) {
                    return;
                }
                guards.add(target);
            }
            warnings.add("every " + group.type() + " record of " + group.name() + " in zone " + group.zoneId()
                    + " is guarded by a vantage check that is unhealthy now " + guards + ": Route 53 treats them all as"
                    + " healthy and answers with all of them, as if none were checked");
        });
        return warnings;
    }

    /**
     * Writes the plan's record updates, one batch per zone; {@code checkIds} are the targets' health check IDs after
     * the checks were created. Each check is then tagged with the record it guards (or untagged when detached).
     */
    public CompletableFuture<Void> apply(State plan, Map<String, String> checkIds, HealthCheckReconciler checks) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (Map.Entry<String, List<Update>> zone : plan.updates().entrySet()) {
            List<software.amazon.awssdk.services.route53.model.Change> batch = new ArrayList<>();
            for (Update update : zone.getValue()) {
                String id = update.target() == null
                        ? null
                        : Objects.requireNonNull(
                                checkIds.get(update.target()), "no health check for target " + update.target());
                batch.add(software.amazon.awssdk.services.route53.model.Change.builder()
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
                        : checks.tagRecord(checkIds.get(update.target()), key(update.zoneId(), update.current())));
            }
        }
        return done;
    }

    /** Hosted zone IDs by the zone as written in the config (an ID stays itself; a name is looked up). */
    private CompletableFuture<Map<String, String>> zoneIds(List<TargetSpec> bound, List<Change> changes) {
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
                                changes.add(new Change(
                                        Change.Resource.RECORD,
                                        Change.Action.ERROR,
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
