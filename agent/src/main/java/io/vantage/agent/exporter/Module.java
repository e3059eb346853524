package io.vantage.agent.exporter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vantage.wire.Documents;
import io.vantage.wire.InvalidDocumentException;
import io.vantage.wire.target.TargetSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code /probe} module: a target's probe settings without the address, which each request's {@code target}
 * supplies, as blackbox_exporter's modules do. {@code template} is the JSON of a {@link TargetSpec} holding exactly
 * one protocol object ({@code prober}: http, tcp, tls, dns or grpc) without its address; {@link #target} completes it:
 *
 * <ul>
 *   <li>http: {@code http.url} is the target, with {@code http://} put in front when it names no scheme;
 *   <li>tcp, tls, grpc: {@code host} and {@code port} from {@code host:port} ({@code [v6]:port}); for grpc a leading
 *       {@code https://} also sets {@code tls: true} and {@code http://} is dropped, as blackbox_exporter reads it;
 *   <li>dns: {@code dns.servers} is the target (the server asked, port 53 unless given), as in blackbox_exporter.
 * </ul>
 *
 * {@code timeout} is the module's own (null: the request's scrape timeout decides).
 */
public record Module(String name, String prober, ObjectNode template, Duration timeout) {
    public static final Set<String> PROBERS = Set.of("http", "tcp", "tls", "dns", "grpc");
    /** The name every completed target carries (a module's name need not be a valid target name). */
    public static final String TARGET_NAME = "probe";
    /** A URL's scheme at the start of a target ("://" later on, in a query, is no scheme). */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");

    public Module {
        if (!PROBERS.contains(prober)) {
            throw new IllegalArgumentException("module " + name + ": prober '" + prober + "' is not one of " + PROBERS);
        }
        if (!template.has(prober)) {
            throw new IllegalArgumentException("module " + name + ": the template holds no " + prober + " object");
        }
        template = template.deepCopy();
    }

    /**
     * The target this module probes for one request, probed within {@code timeout}; an {@link
     * InvalidDocumentException} names what is wrong with the value (or with the module, completed by it).
     */
    public TargetSpec target(String value, Duration timeout) {
        if (value == null || value.isBlank()) {
            throw new InvalidDocumentException("target: missing");
        }
        ObjectNode spec = template.deepCopy();
        spec.put("name", TARGET_NAME);
        // The interval only has to exceed the timeout: a /probe target is probed once, when asked.
        spec.put("interval", "1h");
        spec.put("timeout", timeout.toMillis() + "ms");
        ObjectNode protocol = (ObjectNode) spec.get(prober);
        switch (prober) {
            case "http" -> protocol.put("url", SCHEME.matcher(value).lookingAt() ? value : "http://" + value);
            case "dns" -> protocol.putArray("servers").add(value);
            case "grpc" -> {
                String address = value;
                if (address.startsWith("https://")) {
                    protocol.put("tls", true);
                    address = address.substring("https://".length());
                } else if (address.startsWith("http://")) {
                    address = address.substring("http://".length());
                }
                hostAndPort(protocol, address);
            }
            default -> hostAndPort(protocol, value);
        }
        return Documents.readTree(spec, TargetSpec.class);
    }

    private static void hostAndPort(ObjectNode protocol, String value) {
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            host = "";
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new InvalidDocumentException(
                    "target: '" + value + "' must be host:port (an IPv6 address in brackets: [::1]:443)");
        }
        protocol.put("host", host);
        protocol.put("port", port);
    }

    /** The modules' names, for messages. */
    static String names(List<Module> modules) {
        return String.join(", ", modules.stream().map(Module::name).sorted().toList());
    }
}
