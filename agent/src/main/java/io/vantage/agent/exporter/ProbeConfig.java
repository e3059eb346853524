package io.vantage.agent.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vantage.wire.Checks;
import io.vantage.wire.InvalidDocumentException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent file's {@code probe} block: the modules {@code /probe?target=&module=} offers, what it may probe, and its
 * bounds. Each module is checked when the file is read, completed with a placeholder target, so a bad module fails
 * the load naming {@code probe.modules.NAME.<key>} instead of failing every request.
 */
public record ProbeConfig(
        Map<String, ModuleBody> modules,
        String modulesFile,
        Allow allow,
        Integer maxInFlight,
        Duration maxTimeout,
        Duration timeoutOffset) {
    /**
     * Probes at once: Prometheus keeps about targets × probe time ÷ scrape interval of them in flight, so 64 serves
     * 1,000 targets scraped every 15 s whose probes take up to about a second, and bounds what one caller can hold open.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;

    public static final Duration DEFAULT_MAX_TIMEOUT = Duration.ofSeconds(60);
    /** blackbox_exporter's {@code --timeout-offset}: left of Prometheus' scrape timeout for the answer to travel. */
    public static final Duration DEFAULT_TIMEOUT_OFFSET = Duration.ofMillis(500);
    /** The longest probe a target allows (a /probe target is a {@code TargetSpec}). */
    public static final Duration LONGEST = Duration.ofMinutes(5);

    public ProbeConfig {
        modules = modules == null ? Map.of() : new TreeMap<>(modules);
        Checks.noControlCharacters("modulesFile", modulesFile);
        if (modulesFile != null && modulesFile.isBlank()) {
            throw Checks.invalid("modulesFile", "is empty: name a blackbox_exporter module file, or leave the key out");
        }
        allow = allow == null ? new Allow(null, null) : allow;
        maxInFlight = maxInFlight == null ? DEFAULT_MAX_IN_FLIGHT : maxInFlight;
        Checks.range("maxInFlight", maxInFlight, 1, 10_000);
        maxTimeout = maxTimeout == null ? DEFAULT_MAX_TIMEOUT : maxTimeout;
        Checks.positive("maxTimeout", maxTimeout, Duration.ofMillis(10), LONGEST);
        timeoutOffset = timeoutOffset == null ? DEFAULT_TIMEOUT_OFFSET : timeoutOffset;
        if (timeoutOffset.isNegative() || timeoutOffset.compareTo(Duration.ofMinutes(1)) > 0) {
            throw Checks.invalid("timeoutOffset", "must be between 0ms and 1m, got " + timeoutOffset.toMillis() + "ms");
        }
        for (Map.Entry<String, ModuleBody> entry : modules.entrySet()) {
            entry.getValue().module(entry.getKey());
        }
    }

    /** No modules and no module file: {@code /probe} is off. */
    public static ProbeConfig none() {
        return new ProbeConfig(null, null, null, null, null, null);
    }

    public boolean enabled() {
        return !modules.isEmpty() || modulesFile != null;
    }

    /** The modules by name (checked by the constructor, so this does not fail). */
    public Map<String, Module> built() {
        Map<String, Module> built = new LinkedHashMap<>();
        modules.forEach((name, body) -> built.put(name, body.module(name)));
        return built;
    }

    /**
     * One module: an optional {@code timeout} and exactly one of {@code http}, {@code tcp}, {@code tls}, {@code dns},
     * {@code grpc}, each as a target's object of that name without the address, which each request's {@code target}
     * gives ({@link Module#target}).
     */
    public record ModuleBody(
            Duration timeout, ObjectNode http, ObjectNode tcp, ObjectNode tls, ObjectNode dns, ObjectNode grpc) {

        /** The module this body makes, completed once with a placeholder target to check it; errors name the key. */
        Module module(String name) {
            String key = "modules." + name;
            Checks.name(key, name, 64);
            if (timeout != null) {
                Checks.positive(key + ".timeout", timeout, Duration.ofMillis(10), LONGEST);
            }
            Map<String, ObjectNode> given = new LinkedHashMap<>();
            put(given, "http", http);
            put(given, "tcp", tcp);
            put(given, "tls", tls);
            put(given, "dns", dns);
            put(given, "grpc", grpc);
            if (given.size() != 1) {
                throw Checks.invalid(
                        key,
                        "set exactly one of http, tcp, tls, dns and grpc"
                                + (given.isEmpty() ? "" : " (found " + String.join(", ", given.keySet()) + ")"));
            }
            String prober = given.keySet().iterator().next();
            ObjectNode protocol = given.get(prober);
            for (String address : addressKeys(prober)) {
                if (protocol.has(address)) {
                    throw Checks.invalid(
                            key + "." + prober + "." + address,
                            "the request's target gives it (/probe?target=...); remove it from the module");
                }
            }
            JsonNode keepAlive = protocol.get("keepAlive");
            if (keepAlive != null && keepAlive.asBoolean()) {
                throw Checks.invalid(
                        key + "." + prober + ".keepAlive",
                        "/probe opens a new connection for each probe, as blackbox_exporter does; remove it");
            }
            ObjectNode template = JsonNodeFactory.instance.objectNode();
            template.set(prober, protocol);
            Module module = new Module(name, prober, template, timeout);
            try {
                module.target(placeholder(prober), timeout == null ? Duration.ofSeconds(1) : timeout);
            } catch (InvalidDocumentException | IllegalArgumentException e) {
                String message = e.getMessage();
                boolean keyed = message.startsWith(prober + ".") || message.startsWith(prober + ":");
                throw new IllegalArgumentException(key + (keyed ? "." : ": ") + message, e);
            }
            return module;
        }

        private static void put(Map<String, ObjectNode> given, String prober, ObjectNode protocol) {
            if (protocol != null) {
                given.put(prober, protocol);
            }
        }

        private static List<String> addressKeys(String prober) {
            return switch (prober) {
                case "http" -> List.of("url");
                case "dns" -> List.of("servers");
                default -> List.of("host", "port");
            };
        }

        private static String placeholder(String prober) {
            return prober.equals("http") || prober.equals("dns") ? "127.0.0.1" : "127.0.0.1:1";
        }
    }

    /**
     * What {@code /probe} may probe: {@code targets} ({@link AllowList} patterns), or anything with {@code anyTarget}
     * (which makes the agent a prober, and a port scanner, for whoever can reach {@code /probe}).
     */
    public record Allow(List<String> targets, Boolean anyTarget) {
        public Allow {
            targets = targets == null ? List.of() : List.copyOf(targets);
            anyTarget = anyTarget != null && anyTarget;
            AllowList.parse("targets", targets);
        }

        public AllowList list() {
            return AllowList.parse("targets", targets);
        }
    }
}
