package io.vantage.agent.exporter;

import io.vantage.wire.Checks;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What {@code /probe} may probe ({@code probe.allow.targets}): host names (exact, or {@code *.example.com} for any name
 * below example.com), IP addresses and CIDR ranges, each with an optional {@code :port} ({@code [2001:db8::1]:443},
 * {@code [2001:db8::/32]:443} for IPv6).
 * A name entry matches the name the target gives; an address or range entry matches the address dialled, so a host
 * name that no name entry allows is still allowed when the address it resolves to (the one the probe then dials, and
 * each one a redirect leads to) is in an allowed range.
 */
public final class AllowList {
    private static final Pattern NAME = Pattern.compile("(\\*\\.)?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");

    private final List<Entry> entries;

    /** A parsed entry: a name pattern or an address range, and a port (0: any). */
    private record Entry(String name, boolean wildcard, byte[] network, int prefix, int port) {}

    private AllowList(List<Entry> entries) {
        this.entries = entries;
    }

    /** Parses {@code patterns}; a bad one is an error naming {@code key[i]}. */
    public static AllowList parse(String key, List<String> patterns) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            entries.add(entry(key + "[" + i + "]", patterns.get(i)));
        }
        return new AllowList(List.copyOf(entries));
    }

    private static Entry entry(String key, String text) {
        Checks.noControlCharacters(key, Checks.required(key, text));
        String host = text.trim();
        if (host.contains("://")) {
            throw notAPattern(key, text);
        }
        int port = 0;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw Checks.invalid(key, "'" + text + "' opens a [ without closing it");
            }
            String rest = host.substring(close + 1);
            host = host.substring(1, close);
            if (!rest.isEmpty()) {
                port = port(key, text, rest.startsWith(":") ? rest.substring(1) : rest);
            }
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') > 0) {
            port = port(key, text, host.substring(host.indexOf(':') + 1));
            host = host.substring(0, host.indexOf(':'));
        }
        int slash = host.indexOf('/');
        String address = slash < 0 ? host : host.substring(0, slash);
        if (isAddress(address)) {
            byte[] network;
            try {
                network = bytes(address);
            } catch (IllegalArgumentException e) {
                throw Checks.invalid(key, "'" + text + "': " + e.getMessage());
            }
            int prefix = network.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(host.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > network.length * 8) {
                    throw Checks.invalid(key, "'" + text + "': the prefix length must be 0 to " + network.length * 8);
                }
            }
            return new Entry(null, false, network, prefix, port);
        }
        if (slash >= 0 || !NAME.matcher(host).matches()) {
            throw notAPattern(key, text);
        }
        boolean wildcard = host.startsWith("*.");
        String name = (wildcard ? host.substring(1) : host).toLowerCase(Locale.ROOT);
        return new Entry(name, wildcard, null, 0, port);
    }

    private static IllegalArgumentException notAPattern(String key, String text) {
        return Checks.invalid(
                key,
                "'" + text + "' is not a host name (exact, or *.example.com), an IP address or a CIDR range "
                        + "(10.0.0.0/8, [2001:db8::/32]), each with an optional :port");
    }

    private static int port(String key, String text, String port) {
        try {
            int value = Integer.parseInt(port);
            if (value >= 1 && value <= 65535) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw Checks.invalid(key, "'" + text + "': the port must be 1 to 65535");
    }

    /** Whether {@code host} (a name or an address, IPv6 without brackets) at {@code port} is allowed by itself. */
    public boolean allowsHost(String host, int port) {
        if (isAddress(host)) {
            return allowsAddress(host, port);
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        for (Entry entry : entries) {
            if (entry.name != null
                    && (entry.port == 0 || entry.port == port)
                    && (entry.wildcard ? name.endsWith(entry.name) : name.equals(entry.name))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the address {@code ip} at {@code port} is in an allowed address or range. */
    public boolean allowsAddress(String ip, int port) {
        byte[] address = bytes(ip);
        for (Entry entry : entries) {
            if (entry.network != null
                    && (entry.port == 0 || entry.port == port)
                    && entry.network.length == address.length
                    && sameNetwork(entry.network, address, entry.prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an address entry could allow a host name that no name entry allows (once it is resolved). */
    public boolean hasAddresses() {
        return entries.stream().anyMatch(entry -> entry.network != null);
    }

    private static boolean sameNetwork(byte[] network, byte[] address, int prefix) {
        int bits = network.length * 8;
        BigInteger mask = prefix == 0
                ? BigInteger.ZERO
                : BigInteger.ONE.shiftLeft(prefix).subtract(BigInteger.ONE).shiftLeft(bits - prefix);
        return new BigInteger(1, network).and(mask).equals(new BigInteger(1, address).and(mask));
    }

    /** A literal IPv4 or IPv6 address (never looked up). */
    static boolean isAddress(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.%a-z]+");
    }

    private static byte[] bytes(String literal) {
        try {
            String address = literal.indexOf('%') >= 0 ? literal.substring(0, literal.indexOf('%')) : literal;
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not an IP address", e);
        }
    }
}
