package io.vantage.wire.target;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.vantage.wire.Checks;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
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
        String problem = nameProblem(recordName);
        if (problem != null) {
            throw Checks.invalid("recordName", "'" + Checks.visible(recordName) + "' " + problem);
        }
        Checks.required("recordType", recordType);
        recordType = recordType.toUpperCase(Locale.ROOT);
        if (!TYPES.contains(recordType)) {
            throw Checks.invalid(
                    "recordType",
                    "'" + Checks.visible(recordType) + "' must be one of " + String.join(", ", new TreeSet<>(TYPES)));
        }
        Checks.required("setIdentifier", setIdentifier);
        Checks.noControlCharacters("setIdentifier", setIdentifier);
        if (setIdentifier.isEmpty() || setIdentifier.length() > 128) {
            throw Checks.invalid("setIdentifier", "must be 1-128 characters");
        }
        if (setIdentifier.lastIndexOf('/') > 0) {
            // Route53IdInterceptor (AWS SDK for Java 2.x) takes a set identifier for a path such as /hostedzone/Z1.
            throw Checks.invalid(
                    "setIdentifier",
                    "'" + setIdentifier
                            + "' has a '/': the AWS SDK for Java lists a record by what follows the last '/'"
                            + " of its set identifier, so vantage could not find this record; give it a set identifier"
                            + " without '/'");
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

    /**
     * Route 53's form of a name, the one ListResourceRecordSets returns: lower case, with the final dot, and every octet
     * other than a-z, 0-9, '-', '_' and the dots between labels as a three-digit octal escape ({@code \052} for '*',
     * {@code \040} for a space, {@code \056} for a dot inside a label). A name written with the characters or with
     * their escapes has this one form (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html).
     */
    public static String canonical(String name) {
        byte[] octets = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder form = new StringBuilder(octets.length + 1);
        boolean separated = false; // the last octet written was a dot between labels
        for (int i = 0; i < octets.length; i++) {
            int octet = octets[i] & 0xff;
            separated = false;
            if (octet == '.') {
                form.append('.');
                separated = true;
                continue;
            }
            if (octet == '\\' && isEscape(octets, i)) {
                octet = Integer.parseInt(new String(octets, i + 1, 3, StandardCharsets.US_ASCII), 8);
                i += 3;
            }
            if (octet >= 'A' && octet <= 'Z') {
                octet += 'a' - 'A';
            }
            if ((octet >= 'a' && octet <= 'z') || (octet >= '0' && octet <= '9') || octet == '-' || octet == '_') {
                form.append((char) octet);
            } else {
                form.append(String.format(Locale.ROOT, "\\%03o", octet));
            }
        }
        return separated ? form.toString() : form.append('.').toString();
    }

    /** A backslash followed by three octal digits of at most 377: one escaped octet. */
    private static boolean isEscape(byte[] octets, int backslash) {
        if (backslash + 3 >= octets.length) {
            return false;
        }
        for (int i = backslash + 1; i <= backslash + 3; i++) {
            if (octets[i] < '0' || octets[i] > '7') {
                return false;
            }
        }
        return octets[backslash + 1] <= '3';
    }

    /**
     * What Route 53 would refuse in a record name, or null: it takes printable ASCII (a space or any other octet as an
     * escape), labels of 1-63 octets and 255 octets in all.
     */
    private static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "is empty";
        }
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "contains a control character (shown as ?): write it as an octal escape such as \\011";
            }
            if (c > 0x7f) {
                return "has '" + c + "', which Route 53 does not take in a name: write an internationalized name in"
                        + " Punycode (xn--...)";
            }
            if (c == '\\' && !isEscape(ascii, i)) {
                return "has a backslash that starts no octal escape \\000-\\377: write a backslash itself as \\134";
            }
        }
        String form = canonical(name);
        int octets = 0;
        for (String label : form.substring(0, form.length() - 1).split("\\.", -1)) {
            int length = label.length()
                    - 3 * (label.length() - label.replace("\\", "").length());
            if (length < 1 || length > 63) {
                return "has a label of " + length + " octets; each must have 1-63";
            }
            octets += length + 1;
        }
        return octets > 255 ? "has " + octets + " octets with its dots; a name has at most 255" : null;
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
