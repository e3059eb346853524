package io.vantage.wire.target;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.vantage.wire.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A DNS query: {@code name} and {@code type} asked of {@code servers} (each "host" or "host:port", IPv6 in brackets; in
 * order, the next one only when one does not answer; none: the agent's {@code dns.servers}, else the first of the
 * system's), over {@code transport} ({@code udp}, the default, asked again over TCP when the answer is truncated; or
 * {@code tcp}), with the recursion-desired flag set unless {@code recursionDesired} is false. Healthy when the response
 * code is one of {@code expectRcode} (one code or a list; default NOERROR), the records of a NOERROR answer satisfy
 * {@code expectAnswer} (default: at least one record), and each section of the response passes {@code validate} (as
 * blackbox_exporter's {@code validate_answer_rrs}, {@code validate_authority_rrs} and {@code validate_additional_rrs}).
 */
public record DnsSpec(
        String name,
        String type,
        List<String> servers,

        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<String> expectRcode,

        Answer expectAnswer,
        String transport,
        Boolean recursionDesired,
        Validate validate)
        implements ProbeSpec {
    public static final Set<String> TYPES = Set.of("A", "AAAA", "ANY", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT");
    /** The response codes by their number (RFC 1035, 2136): the four bits of a DNS header without EDNS. */
    public static final List<String> RCODES = List.of(
            "NOERROR",
            "FORMERR",
            "SERVFAIL",
            "NXDOMAIN",
            "NOTIMP",
            "REFUSED",
            "YXDOMAIN",
            "YXRRSET",
            "NXRRSET",
            "NOTAUTH",
            "NOTZONE");

    public static final Set<String> TRANSPORTS = Set.of("udp", "tcp");

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

    /** The checks of each section of the response (none: that section is not checked). */
    public record Validate(Section answer, Section authority, Section additional) {
        public Validate {
            answer = answer == null ? Section.NONE : answer;
            authority = authority == null ? Section.NONE : authority;
            additional = additional == null ? Section.NONE : additional;
        }
    }

    /**
     * RE2 patterns over each record of one section, as its full text in dig's form ({@code
     * name.<TAB>ttl<TAB>IN<TAB>TYPE<TAB>data}); a pattern matches anywhere in the text unless anchored. As
     * blackbox_exporter judges them: the section fails when a record matches one of {@code failIfMatches}, when a
     * record does not match one of {@code failIfNotMatches} or one of {@code failIfAllMatch} (the two differ only for a
     * section without records, which passes {@code failIfAllMatch}: blackbox_exporter's fail_if_all_match_regexp works
     * so, despite its name), or when no record matches any of {@code failIfNoneMatches}; a section without records
     * fails {@code failIfNotMatches} and {@code failIfNoneMatches}.
     */
    public record Section(
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> failIfMatches,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> failIfNotMatches,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> failIfAllMatch,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> failIfNoneMatches) {
        public static final Section NONE = new Section(null, null, null, null);

        public Section {
            failIfMatches = patterns("failIfMatches", failIfMatches);
            failIfNotMatches = patterns("failIfNotMatches", failIfNotMatches);
            failIfAllMatch = patterns("failIfAllMatch", failIfAllMatch);
            failIfNoneMatches = patterns("failIfNoneMatches", failIfNoneMatches);
        }

        private static List<String> patterns(String key, List<String> patterns) {
            if (patterns == null) {
                return List.of();
            }
            for (int i = 0; i < patterns.size(); i++) {
                Checks.re2(key + "[" + i + "]", Checks.required(key + "[" + i + "]", patterns.get(i)));
            }
            return List.copyOf(patterns);
        }

        /** Whether this section has no check. */
        @JsonIgnore
        public boolean isEmpty() {
            return failIfMatches.isEmpty()
                    && failIfNotMatches.isEmpty()
                    && failIfAllMatch.isEmpty()
                    && failIfNoneMatches.isEmpty();
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
        if (expectRcode == null) {
            expectRcode = List.of("NOERROR");
        }
        if (expectRcode.isEmpty()) {
            throw Checks.invalid("expectRcode", "must name at least one response code, such as NOERROR");
        }
        List<String> rcodes = new ArrayList<>();
        for (int i = 0; i < expectRcode.size(); i++) {
            String key = "expectRcode" + (expectRcode.size() > 1 ? "[" + i + "]" : "");
            String rcode = Checks.required(key, expectRcode.get(i)).toUpperCase(Locale.ROOT);
            if (!RCODES.contains(rcode)) {
                throw Checks.invalid(
                        key, "'" + Checks.visible(rcode) + "' must be one of " + String.join(", ", RCODES));
            }
            rcodes.add(rcode);
        }
        expectRcode = List.copyOf(rcodes);
        expectAnswer = expectAnswer == null ? Answer.DEFAULT : expectAnswer;
        transport = transport == null ? "udp" : transport.toLowerCase(Locale.ROOT);
        if (!TRANSPORTS.contains(transport)) {
            throw Checks.invalid("transport", "'" + Checks.visible(transport) + "' must be udp or tcp");
        }
        recursionDesired = recursionDesired == null || recursionDesired;
    }

    /** The name of response code {@code rcode}, as dig prints it ("RCODE12" for one without a name). */
    public static String rcodeName(int rcode) {
        return rcode >= 0 && rcode < RCODES.size() ? RCODES.get(rcode) : "RCODE" + rcode;
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
