package io.vantage.aggregator.reconcile;

import io.vantage.wire.target.RecordBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.route53.Route53AsyncClient;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Reading the records of one name (and type) from a hosted zone, page by page, stopping where the name ends; or every
 * record of a type in the zone.
 */
final class RecordSets {
    /** ListResourceRecordSets' largest page. */
    private static final String PAGE = "300";

    private RecordSets() {}

    /** The records of {@code name} in {@code zoneId}, of {@code type} only unless it is null. */
    static CompletableFuture<List<ResourceRecordSet>> named(
            Route53AsyncClient client, String zoneId, String name, String type) {
        return page(client, zoneId, RecordBinding.canonical(name), type, null, type, null, new ArrayList<>());
    }

    /** Every record of {@code type} in {@code zoneId}: for a record known only by a digest of its name. */
    static CompletableFuture<List<ResourceRecordSet>> ofType(Route53AsyncClient client, String zoneId, String type) {
        return page(client, zoneId, null, type, null, null, null, new ArrayList<>());
    }

    private static CompletableFuture<List<ResourceRecordSet>> page(
            Route53AsyncClient client,
            String zoneId,
            String name,
            String type,
            String startName,
            String startType,
            String startIdentifier,
            List<ResourceRecordSet> found) {
        return client.listResourceRecordSets(r -> r.hostedZoneId(zoneId)
                        .startRecordName(startName == null ? name : startName)
                        .startRecordType(startType)
                        .startRecordIdentifier(startIdentifier)
                        .maxItems(PAGE))
                .thenCompose(response -> {
                    boolean past = false;
                    for (ResourceRecordSet record : response.resourceRecordSets()) {
                        boolean typed = type == null || record.typeAsString().equals(type);
                        if (name == null) {
                            if (typed) {
                                found.add(record);
                            }
                        } else if (RecordBinding.canonical(record.name()).equals(name) && typed) {
                            found.add(record);
                        } else {
                            past = true;
                        }
                    }
                    // Sorted by name, then type: past the name (or the type) asked for, no later page has more.
                    boolean more = Boolean.TRUE.equals(response.isTruncated())
                            && (name == null
                                    || (!past
                                            && RecordBinding.canonical(response.nextRecordName())
                                                    .equals(name)
                                            && (type == null || type.equals(response.nextRecordTypeAsString()))));
                    return more
                            ? page(
                                    client,
                                    zoneId,
                                    name,
                                    type,
                                    response.nextRecordName(),
                                    response.nextRecordTypeAsString(),
                                    response.nextRecordIdentifier(),
                                    found)
                            : CompletableFuture.completedFuture(found);
                });
    }
}
