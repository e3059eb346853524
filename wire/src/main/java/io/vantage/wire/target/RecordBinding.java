package io.vantage.wire.target;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.vantage.wire.Checks;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Route 53 record a target's health check guards: the record of {@code recordName} and {@code recordType} with
 * {@code setIdentifier} (a latency, failover, weighted or geo record) in the hosted zone {@code hostedZoneId} (or the
 * zone named {@code hostedZoneName}). {@code apply} sets that record's HealthCheckId to vantage's check and changes
 * nothing else of it. {@code routingPolicy} (optional, one of {@link #POLICIES}): how Route 53 chooses among the
 * records of the group, which observed routing reads (see {@link #onePerVantage()}); vantage never writes it. The
 * aggregator's business: agents never see it.
 */
public record RecordBinding(
        String hostedZoneId,
        String hostedZoneName,
        String recordName,
        String recordType,
        String setIdentifier,
        String routingPolicy) {
    /** The record types Route 53 lets a health check guard. */
    public static final Set<String> TYPES =
            Set.of("A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "TXT");

    /** The routing policies of records with a set identifier. */
    public static final List<String> POLICIES =
            List.of("failover", "latency", "geolocation", "geoproximity", "ip-based", "weighted", "multivalue");

    private static final Set<String> ONE_PER_VANTAGE =
            Set.of("failover", "latency", "geolocation", "geoproximity", "ip-based");

    private static final Pattern ZONE_ID = Pattern.compile("(/hostedzone/)?[A-Z0-9]{1,32}");
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.?");

    public RecordBinding {
        if ((hostedZoneId == null) == (hostedZoneName == null)) {
            throw Checks.invalid("hostedZoneId", "set exactly one of hostedZoneId and hostedZoneName");
        }
        if (hostedZoneId != null && !ZONE_ID.matcher(hostedZoneId).matches()) {
            throw Checks.invalid(
                    "hostedZoneId",
                    "'" + Checks.visible(hostedZoneId) + "' is not a hosted zone ID such as Z0123456789ABC");
        }
        if (hostedZoneId != null) {
            hostedZoneId = hostedZoneId.replace("/hostedzone/", "");
        }
        if (hostedZoneName != null && !DNS_NAME.matcher(hostedZoneName).matches()) {
            throw Checks.invalid("hostedZoneName", "'" + Checks.visible(hostedZoneName) + "' is not a DNS name");
        }
        Checks.required("recordName", recordName);
        if (recordName.length() > 255 || !DNS_NAME.matcher(recordName).matches()) {
            throw Checks.invalid("recordName", "'" + Checks.visible(recordName) + "' is not a DNS name");
        }
        Checks.required("recordType", recordType);
        recordType = recordType.toUpperCase(Locale.ROOT);
        if (!TYPES.contains(recordType)) {
            throw Checks.invalid(
                    "recordType",
                    "'" + Checks.visible(recordType) + "' must be one of "
                            + String.join(", ", new java.util.TreeSet<>(TYPES)));
        }
        Checks.required("setIdentifier", setIdentifier);
        Checks.noControlCharacters("setIdentifier", setIdentifier);
        if (setIdentifier.isEmpty() || setIdentifier.length() > 128) {
            throw Checks.invalid("setIdentifier", "must be 1-128 characters");
        }
        if (routingPolicy != null) {
            routingPolicy = routingPolicy.toLowerCase(Locale.ROOT);
            if (!POLICIES.contains(routingPolicy)) {
                throw Checks.invalid(
                        "routingPolicy",
                        "'" + Checks.visible(routingPolicy) + "' must be one of " + String.join(", ", POLICIES));
            }
        }
    }

    /**
     * Whether the group answers every client with one record, the same each time while health does not change
     * (failover, latency, geolocation, geoproximity, IP-based), rather than a random choice (weighted) or several records
     * (multivalue); false when the policy is not given.
     */
    @JsonIgnore
    public boolean onePerVantage() {
        return routingPolicy != null && ONE_PER_VANTAGE.contains(routingPolicy);
    }

    /** Route 53's form of a name: lower case, with the final dot. */
    public static String canonical(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower : lower + ".";
    }

    /** The zone as written (its ID, or its name), for messages. */
    @JsonIgnore
    public String zone() {
        return hostedZoneId != null ? hostedZoneId : canonical(hostedZoneName);
    }

    /**
     * The record group: every record of this name and type in this zone, among which Route 53 chooses (and fails over).
     */
    @JsonIgnore
    public String group() {
        return zone() + " " + canonical(recordName) + " " + recordType;
    }

    /** What identifies the record within its zone: name, type and set identifier. */
    @JsonIgnore
    public String record() {
        return canonical(recordName) + " " + recordType + " " + setIdentifier;
    }
}
