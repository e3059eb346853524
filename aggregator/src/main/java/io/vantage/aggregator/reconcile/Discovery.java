package io.vantage.aggregator.reconcile;

import io.vantage.wire.target.RecordBinding;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.route53.Route53AsyncClient;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * {@code discover}: the records of one name that have a set identifier (latency, failover, weighted, geo), turned into
 * targets bound to them, ready to paste into the config, each with the region it serves from where the record says it
 * (a latency record's region, or a set identifier that is a region name). Reads only; never writes to AWS.
 */
public final class Discovery {
    private final Route53AsyncClient client;

    public Discovery(Route53AsyncClient client) {
        this.client = client;
    }

    /** The {@code targets:} YAML for the records of {@code recordName} in zone {@code zoneId}. */
    public CompletableFuture<String> targets(String zoneId, String recordName, String scheme, String path) {
        String name = RecordBinding.canonical(recordName);
        return RecordSets.named(client, zoneId, name, null).thenApply(records -> {
            StringBuilder yaml =
                    new StringBuilder("# discovered from hosted zone " + zoneId + ", " + name + "\ntargets:\n");
            int found = 0;
            for (ResourceRecordSet record : records) {
                String type = record.typeAsString();
                if (record.setIdentifier() == null) {
                    yaml.append("  # skipped ")
                            .append(type)
                            .append(" record without a set identifier (no routing policy)\n");
                    continue;
                }
                String host = record.aliasTarget() != null
                        ? record.aliasTarget().dnsName()
                        : record.resourceRecords().isEmpty()
                                ? null
                                : record.resourceRecords().get(0).value();
                if (host == null || !(type.equals("A") || type.equals("AAAA") || type.equals("CNAME"))) {
                    yaml.append("  # skipped ")
                            .append(type)
                            .append(" record ")
                            .append(record.setIdentifier())
                            .append(": not an address to probe\n");
                    continue;
                }
                host = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
                String authority = type.equals("AAAA") && record.aliasTarget() == null ? "[" + host + "]" : host;
                String publicName = name.substring(0, name.length() - 1);
                yaml.append("  - name: ")
                        .append(targetName(publicName, record.setIdentifier()))
                        .append('\n');
                String region = region(record);
                if (region != null) {
                    yaml.append("    region: ").append(region).append('\n');
                }
                if (record.aliasTarget() == null && record.resourceRecords().size() > 1) {
                    // One record, one health check: the check is about all of them, though one is probed.
                    yaml.append("    # this record has ")
                            .append(record.resourceRecords().size())
                            .append(" values (")
                            .append(String.join(
                                    ", ",
                                    record.resourceRecords().stream()
                                            .map(v -> v.value())
                                            .toList()))
                            .append("); the target probes the first, and its verdict guards them all\n");
                }
                yaml.append("    http: {url: '")
                        .append(scheme)
                        .append("://")
                        .append(authority)
                        .append(path)
                        .append("', hostHeader: ")
                        .append(publicName)
                        .append("}\n")
                        .append("    route53: {hostedZoneId: ")
                        .append(zoneId)
                        .append(", recordName: ")
                        .append(publicName)
                        .append(", recordType: ")
                        .append(type)
                        .append(", setIdentifier: '")
                        .append(record.setIdentifier().replace("'", "''"))
                        .append("'}\n");
                found++;
            }
            if (found == 0) {
                yaml.append("  []   # no record of that name has a set identifier\n");
            }
            return yaml.toString();
        });
    }

    private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]");

    /**
     * The region the record's endpoint serves from: a latency record's region, else a set identifier that is a region
     * name (as failover and weighted records are often named); null when neither says.
     */
    static String region(ResourceRecordSet record) {
        if (record.region() != null && record.regionAsString() != null) {
            return record.regionAsString();
        }
        String id = record.setIdentifier().toLowerCase(Locale.ROOT);
        return AWS_REGION.matcher(id).matches() ? id : null;
    }

    /** {@code api-eu-west-1} for api.example.com's record eu-west-1: a valid, readable target name. */
    static String targetName(String publicName, String setIdentifier) {
        String label = publicName.contains(".") ? publicName.substring(0, publicName.indexOf('.')) : publicName;
        String name = (label + "-" + setIdentifier).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
        name = name.replaceAll("^[^a-z0-9]+", "");
        return name.length() > 128 ? name.substring(0, 128) : name;
    }
}
