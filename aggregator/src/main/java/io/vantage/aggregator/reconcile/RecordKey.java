package io.vantage.aggregator.reconcile;

import io.vantage.wire.Tokens;
import io.vantage.wire.target.RecordBinding;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * One Route 53 record: its hosted zone, name (Route 53's form, {@link RecordBinding#canonical}), type and set
 * identifier; and the {@code vantage:record} tag by which a health check remembers the record it guards, so that it
 * can be detached before it is deleted.
 *
 * <p>The tag is {@code zone/type/name/set-identifier}, name and set identifier escaped: every octet other than
 * {@code A-Z a-z 0-9 . _ -} as {@code =XX} (hexadecimal). No character of a name or set identifier can then make a
 * {@code /}, so the value splits one way only, and it keeps to what Route 53 takes in a tag value (letters, digits,
 * spaces and {@code _ . : / = + - @}, at most 256 characters). A record whose tag would be longer is kept as {@code
 * zone/type/sha256:digest} instead (the SHA-256 of the long form, base64url): reading it back lists the zone.
 */
record RecordKey(String zoneId, String name, String type, String setIdentifier) {
    /** "Maximum length of 256" (https://docs.aws.amazon.com/Route53/latest/APIReference/API_Tag.html). */
    static final int MAX_TAG_VALUE = 256;

    private static final String DIGEST = "sha256:";

    static RecordKey of(String zoneId, RecordBinding binding) {
        return new RecordKey(
                zoneId, RecordBinding.canonical(binding.recordName()), binding.recordType(), binding.setIdentifier());
    }

    static RecordKey of(String zoneId, ResourceRecordSet record) {
        return new RecordKey(
                zoneId, RecordBinding.canonical(record.name()), record.typeAsString(), record.setIdentifier());
    }

    /** How plan names the record: {@code zone Z…: api.example.com. A eu-west-1}. */
    String describe() {
        return "zone " + zoneId + ": " + name + " " + type + " " + setIdentifier;
    }

    /** The value of the {@code vantage:record} tag of the check that guards this record. */
    String tag() {
        String full = zoneId + "/" + type + "/" + escape(name) + "/" + escape(String.valueOf(setIdentifier));
        if (full.length() <= MAX_TAG_VALUE) {
            return full;
        }
        return zoneId + "/" + type + "/" + DIGEST
                + Base64.getUrlEncoder().withoutPadding().encodeToString(Tokens.sha256(full));
    }

    /** The tag as earlier releases wrote it: zone, name, type and set identifier joined by spaces. */
    private String spaced() {
        return zoneId + " " + name + " " + type + " " + setIdentifier;
    }

    /**
     * A {@code vantage:record} tag read back: the zone and type of the record it names, and its name ({@code null}
     * when the tag keeps only a digest); {@link #names} tells whether a listed record is the one.
     */
    record Tag(String value, String zoneId, String type, String name) {
        /** The tag {@code value}, or null when it is in no form vantage writes (nor the spaced one it once wrote). */
        static Tag parse(String value) {
            int end = 0;
            while (end < value.length() && isZoneCharacter(value.charAt(end))) {
                end++;
            }
            if (end == 0 || end == value.length()) {
                return null;
            }
            String zoneId = value.substring(0, end);
            if (value.charAt(end) == ' ') {
                // Written by an earlier release: only the set identifier, last, can hold a space (a name's is escaped).
                String[] parts = value.split(" ", 4);
                return parts.length == 4 ? new Tag(value, zoneId, parts[2], parts[1]) : null;
            }
            String[] parts = value.split("/", -1);
            if (parts.length == 3 && parts[2].startsWith(DIGEST)) {
                return new Tag(value, zoneId, parts[1], null);
            }
            if (parts.length != 4) {
                return null;
            }
            String name = unescape(parts[2]);
            return name == null || unescape(parts[3]) == null ? null : new Tag(value, zoneId, parts[1], name);
        }

        /** Whether this tag names {@code key}. */
        boolean names(RecordKey key) {
            return value.equals(key.tag()) || value.equals(key.spaced());
        }

        private static boolean isZoneCharacter(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        }
    }

    private static boolean isPlain(int octet) {
        return (octet >= 'A' && octet <= 'Z')
                || (octet >= 'a' && octet <= 'z')
                || (octet >= '0' && octet <= '9')
                || octet == '.'
                || octet == '_'
                || octet == '-';
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int octet = b & 0xff;
            if (isPlain(octet)) {
                escaped.append((char) octet);
            } else {
                escaped.append('=').append(String.format(Locale.ROOT, "%02X", octet));
            }
        }
        return escaped.toString();
    }

    /** {@link #escape}'s input back, or null when {@code text} is not something it writes. */
    static String unescape(String text) {
        ByteArrayOutputStream octets = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '=') {
                if (i + 2 >= text.length()) {
                    return null;
                }
                int high = Character.digit(text.charAt(i + 1), 16);
                int low = Character.digit(text.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return null;
                }
                octets.write(high * 16 + low);
                i += 2;
            } else if (isPlain(c)) {
                octets.write(c);
            } else {
                return null;
            }
        }
        return octets.toString(StandardCharsets.UTF_8);
    }
}
