package io.vantage.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Addresses and host names in one canonical text form, so that what an agent connected to, what DNS answered and what
 * a config names compare equal: IPv6 in the RFC 5952 form (lower case, the longest run of two or more zero groups
 * written {@code ::}, no leading zeros, no brackets), IPv4 as dotted quad, names in lower case without a trailing dot.
 */
public final class Addresses {
    private Addresses() {}

    public static String canonical(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        if (text.indexOf(':') >= 0) {
            byte[] raw = ipv6(text);
            return raw == null ? text : format(raw);
        }
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    /** The 16 bytes of an IPv6 literal (an embedded IPv4 tail allowed), or null when it is not one. */
    private static byte[] ipv6(String text) {
        int zone = text.indexOf('%');
        String literal = zone >= 0 ? text.substring(0, zone) : text;
        if (!literal.matches("[0-9a-f:.]+")) {
            return null;
        }
        try {
            // A literal is parsed, never looked up.
            byte[] raw = InetAddress.getByName(literal).getAddress();
            if (raw.length == 16) {
                return raw;
            }
            // An IPv4-mapped literal comes back as 4 bytes: give it its mapped form.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(raw, 0, mapped, 12, 4);
            return mapped;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String format(byte[] raw) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((raw[2 * i] & 0xff) << 8) | (raw[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
