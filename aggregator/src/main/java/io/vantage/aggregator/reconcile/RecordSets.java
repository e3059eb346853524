package io.vantage.aggregator.reconcile;

import io.vantage.wire.target.RecordBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.route53.Route53AsyncClient;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/** Reading the records of one name (and type) from a hosted zone, page by page, stopping where the name ends. */
final class RecordSets {
    /** ListResourceRecordSets' largest page. */
    private static final String PAGE = "300";

    private RecordSets() {}

    /** The records of {@code name} in {@code zoneId}, of {@code type} only unless it is null. */
    static CompletableFuture<List<ResourceRecordSet>> named(
            Route53AsyncClient client, String zoneId, String name, String type) {
        return page(client, zoneId, RecordBinding.canonical(name), type, null, type, null, new ArrayList<>());
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
                        if (RecordBinding.canonical(record.name()).equals(name)
                                && (type == null || record.typeAsString().equals(type))) {
                            found.add(record);
                        } else {
                            past = true;
                        }
                    }
                    boolean more = Boolean.TRUE.equals(response.isTruncated())
                            && !past
                            && RecordBinding.canonical(response.nextRecordName())
                                    .equals(name)
                            && (type == null || type.equals(response.nextRecordTypeAsString()));
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
