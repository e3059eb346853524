package io.vantage.testing.aws;

import software.amazon.awssdk.services.route53.Route53AsyncClient;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.ResourceRecordSetRegion;

/**
 * A Route 53 hosted zone in moto ({@link LocalAws}) and the records a test puts in it before vantage sees them:
 * {@code MotoZone.create(route53, "example.com").weighted("api.example.com", "production", "192.0.2.9")}.
 */
public final class MotoZone {
    private final Route53AsyncClient route53;
    private final String id;

    private MotoZone(Route53AsyncClient route53, String id) {
        this.route53 = route53;
        this.id = id;
    }

    /** Creates the hosted zone {@code name} (a new one on every call). */
    public static MotoZone create(Route53AsyncClient route53, String name) {
        String id = route53.createHostedZone(r -> r.name(name).callerReference("zone-" + System.nanoTime()))
                .join()
                .hostedZone()
                .id()
                .replace("/hostedzone/", "");
        return new MotoZone(route53, id);
    }

    /** The zone's ID without the {@code /hostedzone/} prefix, as a target's {@code hostedZoneId} names it. */
    public String id() {
        return id;
    }

    /** A weighted A record (weight 10, TTL 60 s) of {@code name} holding {@code address}. */
    public MotoZone weighted(String name, String setIdentifier, String address) {
        return add(ResourceRecordSet.builder()
                .name(name)
                .type(RRType.A)
                .setIdentifier(setIdentifier)
                .weight(10L)
                .ttl(60L)
                .resourceRecords(v -> v.value(address))
                .build());
    }

    /** A latency A record (TTL 60 s) of {@code name} for {@code region}, holding {@code address}. */
    public MotoZone latency(String name, String region, String address) {
        return add(ResourceRecordSet.builder()
                .name(name)
                .type(RRType.A)
                .setIdentifier(region)
                .region(ResourceRecordSetRegion.fromValue(region))
                .ttl(60L)
                .resourceRecords(v -> v.value(address))
                .build());
    }

    /** Creates {@code record} in the zone. */
    public MotoZone add(ResourceRecordSet record) {
        route53.changeResourceRecordSets(r -> r.hostedZoneId(id)
                        .changeBatch(b ->
                                b.changes(c -> c.action(ChangeAction.CREATE).resourceRecordSet(record))))
                .join();
        return this;
    }
}
