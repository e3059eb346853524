package io.vantage.wire.target;

import io.vantage.wire.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A DNS query: {@code name} and {@code type} asked of {@code servers} (each "host" or "host:port", IPv6 in brackets; in
 * order, the next one only when one does not answer; none: the system's resolver). Healthy when the answer's response
 * code is {@code expectRcode} (default NOERROR) and, for NOERROR, the answer satisfies {@code expectAnswer} (default:
 * at least one record).
 */
public record DnsSpec(String name, String type, List<String> servers, String expectRcode, Answer expectAnswer)
        implements ProbeSpec {
    public static final Set<String> TYPES = Set.of("A", "AAAA", "CNAME", "MX", "NS", "PTR", "SRV", "TXT");
    public static final Set<String> RCODES = Set.of("NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED");

    /**
     * What the answer set must show: {@code contains} (some record's text contains it), {@code regex} (some record's text
     * matches, RE2 syntax), and at least {@code minCount} records (default 1). Records read as their usual text: an
     * address; a name; "preference exchange" for MX; "priority weight port target" for SRV.
     */
    public record Answer(String contains, String regex, Integer minCount) {
        public static final Answer DEFAULT = new Answer(null, null, null);

        public Answer {
            minCount = minCount == null ? 1 : minCount;
            Checks.range("minCount", minCount, 0, 1000);
            if (regex != null) {
                Checks.re2("regex", regex);
            }
        }
    }

    public DnsSpec {
        Checks.noControlCharacters("name", Checks.required("name", name));
        if (name.isBlank() || name.length() > 253) {
            throw Checks.invalid("name", "'" + Checks.visible(name) + "' is not a DNS name");
        }
        type = type == null ? "A" : type.toUpperCase(Locale.ROOT);
        if (!TYPES.contains(type)) {
            throw Checks.invalid(
                    "type", "'" + Checks.visible(type) + "' must be one of " + String.join(", ", new TreeSet<>(TYPES)));
        }
        servers = servers == null ? List.of() : List.copyOf(servers);
        for (int i = 0; i < servers.size(); i++) {
            server(i, servers.get(i));
        }
        expectRcode = expectRcode == null ? "NOERROR" : expectRcode.toUpperCase(Locale.ROOT);
        if (!RCODES.contains(expectRcode)) {
            throw Checks.invalid(
                    "expectRcode",
                    "'" + Checks.visible(expectRcode) + "' must be one of " + String.join(", ", new TreeSet<>(RCODES)));
        }
        expectAnswer = expectAnswer == null ? Answer.DEFAULT : expectAnswer;
    }

    /** A server as host and port (port 53 unless given). */
    public record Server(String host, int port) {}

    public List<Server> parsedServers() {
        List<Server> parsed = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            parsed.add(server(i, servers.get(i)));
        }
        return parsed;
    }

    private static Server server(int index, String text) {
        String key = "servers[" + index + "]";
        Checks.noControlCharacters(key, Checks.required(key, text));
        String host = text;
        int port = 53;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            if (end < 0) {
                throw Checks.invalid(key, "'" + text + "' has no closing ]");
            }
            host = text.substring(1, end);
            if (end + 1 < text.length()) {
                port = port(key, text, text.substring(end + 1));
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = port(key, text, text.substring(text.indexOf(':')));
        }
        if (host.isBlank()) {
            throw Checks.invalid(key, "'" + text + "' names no host");
        }
        return new Server(host, port);
    }

    private static int port(String key, String text, String suffix) {
        try {
            if (!suffix.startsWith(":")) {
                throw new NumberFormatException();
            }
            return Checks.range(key, Integer.parseInt(suffix.substring(1)), 1, 65535);
        } catch (NumberFormatException e) {
            throw Checks.invalid(key, "'" + text + "' must be host or host:port");
        }
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.dns(this);
    }
}
