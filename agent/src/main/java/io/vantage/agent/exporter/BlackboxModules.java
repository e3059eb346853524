package io.vantage.agent.exporter;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vantage.wire.InvalidDocumentException;
import io.vantage.wire.target.HttpSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A blackbox_exporter module file ({@code blackbox.yml}), read as it is, turned into {@code /probe} {@link Module}s.
 * blackbox_exporter's defaults are written into each template explicitly (valid status codes 2xx, redirects followed,
 * up to 10, DNS query type ANY, rcode NOERROR, no minimum answer count...), so that a module behaves as it did there
 * and not as vantage's own defaults would have it.
 *
 * <p>As blackbox_exporter, which decodes its file strictly, an unknown key anywhere (or a value of the wrong type)
 * rejects the whole file, with its path ({@code modules.http_2xx.http.fail_if_sll}). A module that asks for what vantage
 * cannot do (icmp, a proxy, OAuth 2, client certificates, CEL...) is refused, naming the module and the option, and the
 * other modules are kept. Options that only shape what blackbox_exporter reports, not whether the probe succeeds, are
 * kept as notes ({@code preferred_ip_protocol}: vantage dials the addresses a name resolves to as a client does).
 */
public final class BlackboxModules {
    /** blackbox_exporter follows at most 10 redirects (Go's client, and its own check). */
    static final int MAX_REDIRECTS = 10;
    /** The largest body vantage reads; blackbox_exporter's default reads the whole body. */
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private static final Set<String> MODULE_KEYS =
            Set.of("prober", "timeout", "http", "tcp", "icmp", "dns", "grpc", "unix", "websocket");
    /** prometheus/common's HTTPClientConfig, inlined in the http module and under websocket's http_config. */
    private static final Set<String> HTTP_CLIENT_KEYS = Set.of(
            "basic_auth",
            "authorization",
            "oauth2",
            "bearer_token",
            "bearer_token_file",
            "tls_config",
            "follow_redirects",
            "enable_http2",
            "proxy_url",
            "no_proxy",
            "proxy_from_environment",
            "proxy_connect_header",
            "http_headers");

    private static final Set<String> HTTP_KEYS = union(
            HTTP_CLIENT_KEYS,
            Set.of(
                    "valid_status_codes",
                    "valid_http_versions",
                    "preferred_ip_protocol",
                    "ip_protocol_fallback",
                    "skip_resolve_phase_with_proxy",
                    "no_follow_redirects",
                    "fail_if_ssl",
                    "fail_if_not_ssl",
                    "method",
                    "headers",
                    "fail_if_body_matches_regexp",
                    "fail_if_body_not_matches_regexp",
                    "fail_if_body_json_matches_cel",
                    "fail_if_body_json_not_matches_cel",
                    "fail_if_header_matches",
                    "fail_if_header_not_matches",
                    "body",
                    "body_file",
                    "compression",
                    "body_size_limit",
                    "enable_http3"));
    private static final Set<String> TLS_KEYS = Set.of(
            "ca",
            "ca_file",
            "ca_ref",
            "cert",
            "cert_file",
            "cert_ref",
            "key",
            "key_file",
            "key_ref",
            "server_name",
            "insecure_skip_verify",
            "min_version",
            "max_version");
    private static final Set<String> BASIC_AUTH_KEYS =
            Set.of("username", "username_file", "username_ref", "password", "password_file", "password_ref");
    private static final Set<String> AUTHORIZATION_KEYS =
            Set.of("type", "credentials", "credentials_file", "credentials_ref");
    private static final Set<String> HTTP_HEADER_KEYS = Set.of("values", "secrets", "files");
    private static final Set<String> HEADER_MATCH_KEYS = Set.of("header", "regexp", "allow_missing");
    private static final Set<String> TCP_KEYS = Set.of(
            "preferred_ip_protocol",
            "ip_protocol_fallback",
            "source_ip_address",
            "query_response",
            "tls",
            "tls_config");
    private static final Set<String> QUERY_KEYS = Set.of("expect", "expect_bytes", "labels", "send", "starttls");
    private static final Set<String> LABEL_KEYS = Set.of("name", "value");
    private static final Set<String> DNS_KEYS = Set.of(
            "preferred_ip_protocol",
            "ip_protocol_fallback",
            "dns_over_tls",
            "tls_config",
            "source_ip_address",
            "transport_protocol",
            "query_class",
            "query_name",
            "query_type",
            "recursion_desired",
            "valid_rcodes",
            "validate_answer_rrs",
            "validate_authority_rrs",
            "validate_additional_rrs");
    private static final Map<String, String> RR_VALIDATOR_KEYS = Map.of(
            "fail_if_matches_regexp", "failIfMatches",
            "fail_if_all_match_regexp", "failIfAllMatch",
            "fail_if_not_matches_regexp", "failIfNotMatches",
            "fail_if_none_matches_regexp", "failIfNoneMatches");
    private static final Set<String> GRPC_KEYS =
            Set.of("service", "tls", "tls_config", "ip_protocol_fallback", "preferred_ip_protocol", "metadata");
    private static final Set<String> ICMP_KEYS = Set.of(
            "preferred_ip_protocol",
            "ip_protocol_fallback",
            "source_ip_address",
            "payload_size",
            "dont_fragment",
            "ttl");
    private static final Set<String> UNIX_KEYS = Set.of("query_response", "tls", "tls_config");
    private static final Set<String> WEBSOCKET_KEYS =
            Set.of("http_config", "headers", "query_response", "preferred_ip_protocol", "ip_protocol_fallback");
    /** Go's time.ParseDuration units. */
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    /** alecthomas/units' Base2Bytes: KB and KiB are both 1024. */
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGTPE]?)(i?B)?");

    private BlackboxModules() {}

    /**
     * What a module file gave: the modules vantage can run (by name), the refused ones (one message each, naming module
     * and option), and notes about options accepted with a difference.
     */
    public record Loaded(List<Module> modules, List<String> refused, List<String> notes) {
        public Loaded {
            modules = List.copyOf(modules);
            refused = List.copyOf(refused);
            notes = List.copyOf(notes);
        }
    }

    /** A target that completes {@code module} the way a request's would (HTTP/3 takes https:// only). */
    private static String standIn(Module module) {
        return switch (module.prober()) {
            case "http" ->
                "3".equals(module.template().path("http").path("version").asText())
                        ? "https://127.0.0.1/"
                        : "http://127.0.0.1/";
            case "dns" -> "127.0.0.1";
            default -> "127.0.0.1:1";
        };
    }

    /** A module vantage cannot run as blackbox_exporter would: the module is refused, the others kept. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads {@code yamlText} as blackbox_exporter reads its {@code --config.file}; an {@link InvalidDocumentException}
     * names the path of what rejects the whole file.
     */
    public static Loaded read(String yamlText) {
        Loaded mapped = map(yamlText);
        List<Module> usable = new ArrayList<>();
        List<String> refused = new ArrayList<>(mapped.refused());
        for (Module module : mapped.modules()) {
            try {
                // Completed with a stand-in target, so that what vantage's specs refuse (a method, a header, a regular
                // expression RE2/J rejects) refuses the module now and not at its first request.
                module.target(standIn(module), Duration.ofSeconds(5));
                usable.add(module);
            } catch (IllegalArgumentException | InvalidDocumentException e) {
                refused.add("module " + module.name() + ": " + e.getMessage());
            }
        }
        return new Loaded(usable, refused, mapped.notes());
    }

    /** The modules as mapped, their templates not yet read into target specs. */
    static Loaded map(String yamlText) {
        JsonNode root;
        try {
            root = YAML.readTree(yamlText);
        } catch (IOException e) {
            throw new InvalidDocumentException("not a YAML module file: " + e.getMessage(), e);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            root = NODES.objectNode();
        }
        keys(root, "", Set.of("modules"));
        JsonNode modules = object(root.get("modules"), "modules");
        List<Module> usable = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, JsonNode> sorted = new TreeMap<>();
        modules.fields().forEachRemaining(entry -> sorted.put(entry.getKey(), entry.getValue()));
        for (Map.Entry<String, JsonNode> entry : sorted.entrySet()) {
            String name = entry.getKey();
            try {
                usable.add(module(name, entry.getValue(), "modules." + name, notes));
            } catch (Refused e) {
                refused.add("module " + name + ": " + e.getMessage());
            }
        }
        return new Loaded(usable, refused, notes);
    }

    private static Module module(String name, JsonNode node, String path, List<String> notes) {
        JsonNode module = object(node, path);
        keys(module, path, MODULE_KEYS);
        // Every block is checked, as blackbox_exporter decodes them all, whichever prober the module names.
        JsonNode http = block(module, "http", path, HTTP_KEYS);
        JsonNode tcp = block(module, "tcp", path, TCP_KEYS);
        JsonNode dns = block(module, "dns", path, DNS_KEYS);
        JsonNode grpc = block(module, "grpc", path, GRPC_KEYS);
        block(module, "icmp", path, ICMP_KEYS);
        JsonNode unix = block(module, "unix", path, UNIX_KEYS);
        JsonNode websocket = block(module, "websocket", path, WEBSOCKET_KEYS);
        checkNested(http, path + ".http");
        checkNested(tcp, path + ".tcp");
        checkNested(grpc, path + ".grpc");
        checkNested(unix, path + ".unix");
        checkNested(websocket, path + ".websocket");
        JsonNode httpConfig = websocket.get("http_config");
        if (httpConfig != null) {
            keys(
                    object(httpConfig, path + ".websocket.http_config"),
                    path + ".websocket.http_config",
                    HTTP_CLIENT_KEYS);
            checkNested(httpConfig, path + ".websocket.http_config");
        }
        String prober = text(module.get("prober"), path + ".prober", "");
        Duration timeout = duration(module.get("timeout"), path + ".timeout");
        ObjectNode template = NODES.objectNode();
        String kind;
        switch (prober) {
            case "http" -> {
                kind = "http";
                template.set("http", http(http, path + ".http", name, notes));
            }
            case "tcp" -> {
                kind = bool(tcp.get("tls"), path + ".tcp.tls", false) ? "tls" : "tcp";
                template.set(kind, tcp(tcp, path + ".tcp", kind.equals("tls"), name, notes));
            }
            case "dns" -> {
                kind = "dns";
                template.set("dns", dns(dns, path + ".dns", name, notes));
            }
            case "grpc" -> {
                kind = "grpc";
                template.set("grpc", grpc(grpc, path + ".grpc", name, notes));
            }
            case "icmp" -> throw new Refused("prober icmp is not supported by vantage (it needs raw sockets)");
            case "unix" -> throw new Refused("prober unix is not supported by vantage (it probes over the network)");
            case "websocket" -> throw new Refused("prober websocket is not supported by vantage");
            default -> throw new InvalidDocumentException(path + ".prober: prober '" + prober + "' is not valid");
        }
        return new Module(name, kind, template, timeout);
    }

    private static ObjectNode http(JsonNode http, String path, String name, List<String> notes) {
        ObjectNode spec = NODES.objectNode();
        spec.put("method", text(http.get("method"), path + ".method", "GET"));
        ArrayNode status = spec.putArray("expectStatus");
        for (JsonNode code : list(http.get("valid_status_codes"), path + ".valid_status_codes")) {
            if (!code.canConvertToInt()) {
                throw new InvalidDocumentException(
                        path + ".valid_status_codes: '" + code.asText() + "' is not a number");
            }
            status.add(String.valueOf(code.asInt()));
        }
        if (status.isEmpty()) {
            status.add("200-299");
        }
        boolean http3 = bool(http.get("enable_http3"), path + ".enable_http3", false);
        List<String> versions = new ArrayList<>();
        for (JsonNode version : list(http.get("valid_http_versions"), path + ".valid_http_versions")) {
            versions.add(version.asText());
        }
        if (versions.contains("HTTP/3.0") && !http3) {
            throw new InvalidDocumentException(path + ".valid_http_versions: HTTP/3 cannot be used as a valid HTTP "
                    + "version when enable_http3 is false");
        }
        if (http3) {
            if (versions.contains("HTTP/2.0") || versions.contains("HTTP/1.1")) {
                throw new InvalidDocumentException(path + ".valid_http_versions: HTTP/3 and HTTP/2.0/1.1 cannot be "
                        + "used together - only HTTP/3.0 is allowed when enable_http3 is true");
            }
            if (bool(http.get("enable_http2"), path + ".enable_http2", true)) {
                throw new InvalidDocumentException(
                        path + ".enable_http2: when enable_http3 is true, enable_http2 must be set to false");
            }
            spec.put("version", "3");
        }
        if (!versions.isEmpty()) {
            // A version Go never reports ("HTTP/2") can never match: leaving it out changes nothing.
            List<String> known =
                    versions.stream().filter(HttpSpec.VERSIONS::contains).toList();
            boolean speakable =
                    http3 ? known.contains("HTTP/3.0") : known.contains("HTTP/1.1") || known.contains("HTTP/1.0");
            if (!speakable) {
                throw new Refused("valid_http_versions " + versions + ": vantage speaks HTTP/1.1"
                        + (http3 ? " or, with enable_http3, HTTP/3" : " (HTTP/3 with enable_http3), never HTTP/2"));
            }
            ArrayNode expect = spec.putArray("expectVersions");
            known.forEach(expect::add);
        }
        Boolean noFollow = http.has("no_follow_redirects")
                ? bool(http.get("no_follow_redirects"), path + ".no_follow_redirects", false)
                : null;
        boolean follow =
                noFollow != null ? !noFollow : bool(http.get("follow_redirects"), path + ".follow_redirects", true);
        if (follow && http3) {
            // vantage's HTTP/3 probe judges the first answer: a redirect fails by its status instead of being followed.
            follow = false;
            notes.add(
                    "module " + name + ": redirects are not followed over HTTP/3 (enable_http3): a redirect is judged "
                            + "by its status code");
        }
        spec.put("followRedirects", follow);
        spec.put("maxRedirects", MAX_REDIRECTS);
        // blackbox_exporter follows https to http redirects (Go's client does).
        spec.put("allowInsecureRedirects", true);
        boolean failIfSsl = bool(http.get("fail_if_ssl"), path + ".fail_if_ssl", false);
        boolean failIfNotSsl = bool(http.get("fail_if_not_ssl"), path + ".fail_if_not_ssl", false);
        if (failIfSsl && failIfNotSsl) {
            throw new Refused("fail_if_ssl and fail_if_not_ssl together: no answer can pass");
        }
        if (failIfSsl || failIfNotSsl) {
            spec.put("expectTls", failIfNotSsl);
        }
        ObjectNode headers = NODES.objectNode();
        JsonNode configured = http.get("headers");
        if (configured != null && !configured.isNull()) {
            object(configured, path + ".headers").fields().forEachRemaining(header -> {
                String value = text(header.getValue(), path + ".headers." + header.getKey(), "");
                if (header.getKey().equalsIgnoreCase("host")) {
                    spec.put("hostHeader", value);
                } else {
                    headers.put(header.getKey(), value);
                }
            });
        }
        JsonNode httpHeaders = http.get("http_headers");
        if (httpHeaders != null && !httpHeaders.isNull()) {
            object(httpHeaders, path + ".http_headers").fields().forEachRemaining(header -> {
                String at = path + ".http_headers." + header.getKey();
                JsonNode sources = object(header.getValue(), at);
                keys(sources, at, HTTP_HEADER_KEYS);
                if (!list(sources.get("files"), at + ".files").isEmpty()) {
                    throw new Refused("http_headers." + header.getKey() + ".files: vantage reads no header files; "
                            + "give the value in headers");
                }
                List<String> values = new ArrayList<>();
                list(sources.get("values"), at + ".values").forEach(value -> values.add(value.asText()));
                list(sources.get("secrets"), at + ".secrets").forEach(value -> values.add(value.asText()));
                if (!values.isEmpty()) {
                    headers.put(header.getKey(), String.join(", ", values));
                }
            });
        }
        authorization(http, path, headers);
        if (!headers.isEmpty()) {
            spec.set("headers", headers);
        }
        if (http.hasNonNull("body")) {
            spec.put("body", text(http.get("body"), path + ".body", ""));
        }
        if (!text(http.get("body_file"), path + ".body_file", "").isEmpty()) {
            throw new Refused("body_file: vantage reads no body files; give the body in body");
        }
        if (!text(http.get("compression"), path + ".compression", "").isEmpty()) {
            throw new Refused(
                    "compression: vantage does not decompress bodies (its checks would see compressed bytes)");
        }
        for (String cel : List.of("fail_if_body_json_matches_cel", "fail_if_body_json_not_matches_cel")) {
            if (http.hasNonNull(cel)) {
                throw new Refused(cel + ": CEL expressions are not supported by vantage");
            }
        }
        regexes(
                http.get("fail_if_body_matches_regexp"),
                path + ".fail_if_body_matches_regexp",
                spec,
                "rejectBodyRegex");
        regexes(
                http.get("fail_if_body_not_matches_regexp"),
                path + ".fail_if_body_not_matches_regexp",
                spec,
                "expectBodyRegex");
        ArrayNode expectHeaders = NODES.arrayNode();
        headerMatches(http.get("fail_if_header_matches"), path + ".fail_if_header_matches", true, expectHeaders);
        headerMatches(
                http.get("fail_if_header_not_matches"), path + ".fail_if_header_not_matches", false, expectHeaders);
        if (!expectHeaders.isEmpty()) {
            spec.set("expectHeaders", expectHeaders);
        }
        long limit = size(http.get("body_size_limit"), path + ".body_size_limit");
        if (limit > 0 && limit <= MAX_BODY_BYTES) {
            spec.put("maxBodyBytes", (int) limit);
            spec.put("failOverBodyLimit", true);
        } else {
            spec.put("maxBodyBytes", MAX_BODY_BYTES);
            spec.put("failOverBodyLimit", false);
            if (limit > MAX_BODY_BYTES) {
                notes.add("module " + name + ": body_size_limit " + limit + " is over vantage's " + MAX_BODY_BYTES
                        + " bytes: the body is read up to " + MAX_BODY_BYTES + " bytes, and the probe does not fail"
                        + " past it");
            }
        }
        proxy(http, path, "");
        tls(http.get("tls_config"), path + ".tls_config", spec, true);
        ipProtocol(http, path, name, notes);
        return spec;
    }

    private static void authorization(JsonNode http, String path, ObjectNode headers) {
        String value = null;
        JsonNode basic = http.get("basic_auth");
        if (basic != null && !basic.isNull()) {
            keys(object(basic, path + ".basic_auth"), path + ".basic_auth", BASIC_AUTH_KEYS);
            for (String file : List.of("username_file", "password_file", "username_ref", "password_ref")) {
                if (basic.hasNonNull(file)) {
                    throw new Refused("basic_auth." + file + ": vantage reads no credential files; give the "
                            + "credential in the module");
                }
            }
            String credentials = text(basic.get("username"), path + ".basic_auth.username", "") + ":"
                    + text(basic.get("password"), path + ".basic_auth.password", "");
            value = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        }
        JsonNode authorization = http.get("authorization");
        if (authorization != null && !authorization.isNull()) {
            keys(object(authorization, path + ".authorization"), path + ".authorization", AUTHORIZATION_KEYS);
            if (authorization.hasNonNull("credentials_file") || authorization.hasNonNull("credentials_ref")) {
                throw new Refused("authorization.credentials_file: vantage reads no credential files; give the "
                        + "credentials in the module");
            }
            value = text(authorization.get("type"), path + ".authorization.type", "Bearer") + " "
                    + text(authorization.get("credentials"), path + ".authorization.credentials", "");
        }
        if (http.hasNonNull("bearer_token")) {
            value = "Bearer " + text(http.get("bearer_token"), path + ".bearer_token", "");
        }
        if (http.hasNonNull("bearer_token_file")) {
            throw new Refused("bearer_token_file: vantage reads no credential files; give the token in the module");
        }
        if (http.hasNonNull("oauth2")) {
            throw new Refused("oauth2 is not supported by vantage");
        }
        if (value != null) {
            headers.put("Authorization", value);
        }
    }

    private static void proxy(JsonNode node, String path, String prefix) {
        if (!text(node.get("proxy_url"), path + ".proxy_url", "").isEmpty()) {
            throw new Refused(prefix + "proxy_url: vantage does not probe through a proxy");
        }
        if (bool(node.get("proxy_from_environment"), path + ".proxy_from_environment", false)) {
            throw new Refused(prefix + "proxy_from_environment: vantage does not probe through a proxy");
        }
    }

    private static ObjectNode tcp(JsonNode tcp, String path, boolean tls, String name, List<String> notes) {
        ObjectNode spec = NODES.objectNode();
        if (!text(tcp.get("source_ip_address"), path + ".source_ip_address", "").isEmpty()) {
            throw new Refused("source_ip_address: vantage dials from the address the system chooses");
        }
        ArrayNode steps = spec.putArray("queryResponse");
        List<JsonNode> queries = list(tcp.get("query_response"), path + ".query_response");
        for (int i = 0; i < queries.size(); i++) {
            String at = path + ".query_response[" + i + "]";
            JsonNode query = object(queries.get(i), at);
            keys(query, at, QUERY_KEYS);
            String option = "query_response[" + i + "].";
            if (query.hasNonNull("expect_bytes")) {
                throw new Refused(option + "expect_bytes is not supported by vantage");
            }
            if (query.get("send") != null && query.get("send").isBinary()) {
                throw new Refused(option + "send: binary data (!!binary) is not supported by vantage");
            }
            for (JsonNode label : list(query.get("labels"), at + ".labels")) {
                keys(object(label, at + ".labels"), at + ".labels", LABEL_KEYS);
            }
            if (!list(query.get("labels"), at + ".labels").isEmpty()) {
                notes.add("module " + name + ": " + option + "labels ignored (vantage does not report "
                        + "probe_expect_info)");
            }
            ObjectNode step = NODES.objectNode();
            String expect = text(query.get("expect"), at + ".expect", "");
            String send = text(query.get("send"), at + ".send", "");
            boolean startTls = bool(query.get("starttls"), at + ".starttls", false);
            if (!expect.isEmpty()) {
                step.put("expect", expect);
            }
            if (!send.isEmpty()) {
                step.put("send", send);
            }
            if (startTls) {
                if (tls) {
                    throw new Refused(option + "starttls with tls: true: the connection is TLS from the start");
                }
                step.put("startTls", true);
            }
            if (!step.isEmpty()) {
                steps.add(step);
            }
        }
        if (tls) {
            ObjectNode settings = NODES.objectNode();
            tls(tcp.get("tls_config"), path + ".tls_config", settings, false);
            spec.setAll(settings);
            // blackbox_exporter has no minimum of days left on the certificate.
            spec.put("minDaysRemaining", 0);
        } else {
            tls(tcp.get("tls_config"), path + ".tls_config", spec, true);
        }
        ipProtocol(tcp, path, name, notes);
        return spec;
    }

    private static ObjectNode dns(JsonNode dns, String path, String name, List<String> notes) {
        ObjectNode spec = NODES.objectNode();
        String query = text(dns.get("query_name"), path + ".query_name", "");
        if (query.isEmpty()) {
            throw new InvalidDocumentException(path + ".query_name: query name must be set for DNS module");
        }
        if (bool(dns.get("dns_over_tls"), path + ".dns_over_tls", false)) {
            throw new Refused("dns_over_tls is not supported by vantage");
        }
        if (!text(dns.get("source_ip_address"), path + ".source_ip_address", "").isEmpty()) {
            throw new Refused("source_ip_address: vantage dials from the address the system chooses");
        }
        String queryClass = text(dns.get("query_class"), path + ".query_class", "IN");
        if (!queryClass.isEmpty() && !queryClass.equals("IN")) {
            throw new Refused("query_class " + queryClass + ": vantage asks class IN only");
        }
        spec.put("name", query);
        spec.put(
                "type", text(dns.get("query_type"), path + ".query_type", "ANY").toUpperCase(Locale.ROOT));
        String transport = text(dns.get("transport_protocol"), path + ".transport_protocol", "udp");
        spec.put("transport", transport.isEmpty() ? "udp" : transport);
        spec.put("recursionDesired", bool(dns.get("recursion_desired"), path + ".recursion_desired", true));
        ArrayNode rcodes = spec.putArray("expectRcode");
        list(dns.get("valid_rcodes"), path + ".valid_rcodes").forEach(code -> rcodes.add(code.asText()));
        if (rcodes.isEmpty()) {
            rcodes.add("NOERROR");
        }
        ObjectNode validate = NODES.objectNode();
        for (String section : List.of("answer", "authority", "additional")) {
            String key = "validate_" + section + "_rrs";
            JsonNode validator = dns.get(key);
            if (validator == null || validator.isNull()) {
                continue;
            }
            object(validator, path + "." + key);
            keys(validator, path + "." + key, RR_VALIDATOR_KEYS.keySet());
            ObjectNode checks = NODES.objectNode();
            for (Map.Entry<String, String> rule : new TreeMap<>(RR_VALIDATOR_KEYS).entrySet()) {
                regexes(validator.get(rule.getKey()), path + "." + key + "." + rule.getKey(), checks, rule.getValue());
            }
            if (!checks.isEmpty()) {
                validate.set(section, checks);
            }
        }
        if (!validate.isEmpty()) {
            spec.set("validate", validate);
        }
        // blackbox_exporter passes a NOERROR answer with no records.
        spec.putObject("expectAnswer").put("minCount", 0);
        ipProtocol(dns, path, name, notes);
        return spec;
    }

    private static ObjectNode grpc(JsonNode grpc, String path, String name, List<String> notes) {
        ObjectNode spec = NODES.objectNode();
        JsonNode metadata = grpc.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isEmpty()) {
            throw new Refused("metadata is not supported by vantage's grpc probe");
        }
        spec.put("service", text(grpc.get("service"), path + ".service", ""));
        spec.put("tls", bool(grpc.get("tls"), path + ".tls", false));
        tls(grpc.get("tls_config"), path + ".tls_config", spec, false);
        ipProtocol(grpc, path, name, notes);
        return spec;
    }

    /**
     * tls_config into {@code spec}: {@code serverName}, and either nested under {@code tls} (http, tcp: {@code nested})
     * or flat (tls, grpc) {@code caFile} and {@code insecureSkipVerify}.
     */
    private static void tls(JsonNode config, String path, ObjectNode spec, boolean nested) {
        if (config == null || config.isNull()) {
            return;
        }
        keys(object(config, path), path, TLS_KEYS);
        for (String client : List.of("cert", "cert_file", "cert_ref", "key", "key_file", "key_ref")) {
            if (!text(config.get(client), path + "." + client, "").isEmpty()) {
                throw new Refused("tls_config." + client + ": client certificates are not supported by vantage");
            }
        }
        if (!text(config.get("ca"), path + ".ca", "").isEmpty() || config.hasNonNull("ca_ref")) {
            throw new Refused("tls_config.ca: vantage reads the CA from a file; use ca_file");
        }
        String min = text(config.get("min_version"), path + ".min_version", "");
        if (!min.isEmpty() && !min.equals("TLS12")) {
            throw new Refused("tls_config.min_version " + min + ": vantage negotiates TLS 1.2 or 1.3, as it chooses");
        }
        String max = text(config.get("max_version"), path + ".max_version", "");
        if (!max.isEmpty() && !max.equals("TLS13")) {
            throw new Refused("tls_config.max_version " + max + ": vantage negotiates TLS 1.2 or 1.3, as it chooses");
        }
        String serverName = text(config.get("server_name"), path + ".server_name", "");
        if (!serverName.isEmpty()) {
            spec.put("serverName", serverName);
        }
        boolean insecure = bool(config.get("insecure_skip_verify"), path + ".insecure_skip_verify", false);
        String caFile = text(config.get("ca_file"), path + ".ca_file", "");
        ObjectNode target = nested ? NODES.objectNode() : spec;
        if (insecure) {
            target.put("insecureSkipVerify", true); // Go ignores the CA then: so does vantage.
        } else if (!caFile.isEmpty()) {
            target.put("caFile", caFile);
        }
        if (nested && !target.isEmpty()) {
            spec.set("tls", target);
        }
    }

    private static void ipProtocol(JsonNode node, String path, String name, List<String> notes) {
        String preferred = text(node.get("preferred_ip_protocol"), path + ".preferred_ip_protocol", "ip6");
        boolean fallback = bool(node.get("ip_protocol_fallback"), path + ".ip_protocol_fallback", true);
        if (!fallback) {
            notes.add("module " + name + ": preferred_ip_protocol " + preferred + " without ip_protocol_fallback: "
                    + "vantage dials the addresses a name resolves to in turn, of either family, as a client does");
        }
    }

    private static void regexes(JsonNode node, String path, ObjectNode spec, String key) {
        List<JsonNode> patterns = list(node, path);
        if (patterns.isEmpty()) {
            return;
        }
        ArrayNode array = spec.putArray(key);
        for (JsonNode pattern : patterns) {
            String regex = text(pattern, path, "");
            try {
                io.vantage.wire.Checks.re2(relative(path), regex);
            } catch (IllegalArgumentException e) {
                throw new Refused(e.getMessage());
            }
            array.add(regex);
        }
    }

    /** {@code path} within its module: {@code http.fail_if_ssl} for {@code modules.m.http.fail_if_ssl}. */
    private static String relative(String path) {
        int module = path.indexOf('.', "modules.".length());
        return module < 0 ? path : path.substring(module + 1);
    }

    private static void headerMatches(JsonNode node, String path, boolean mustNotMatch, ArrayNode into) {
        List<JsonNode> matches = list(node, path);
        for (int i = 0; i < matches.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode match = object(matches.get(i), at);
            keys(match, at, HEADER_MATCH_KEYS);
            String header = text(match.get("header"), at + ".header", "");
            String regexp = text(match.get("regexp"), at + ".regexp", "");
            if (header.isEmpty()) {
                throw new InvalidDocumentException(at + ".header: header name must be set for HTTP header matchers");
            }
            if (regexp.isEmpty()) {
                throw new InvalidDocumentException(at + ".regexp: regexp must be set for HTTP header matchers");
            }
            try {
                io.vantage.wire.Checks.re2(relative(at + ".regexp"), regexp);
            } catch (IllegalArgumentException e) {
                throw new Refused(e.getMessage());
            }
            ObjectNode expectation = into.addObject();
            expectation.put("name", header);
            expectation.put("regex", regexp);
            expectation.put("mustNotMatch", mustNotMatch);
            expectation.put("allowMissing", bool(match.get("allow_missing"), at + ".allow_missing", false));
        }
    }

    /** Keys inside the blocks read only to refuse them or ignore them, so that a misspelling there still rejects. */
    private static void checkNested(JsonNode block, String path) {
        JsonNode basic = block.get("basic_auth");
        if (basic != null && basic.isObject()) {
            keys(basic, path + ".basic_auth", BASIC_AUTH_KEYS);
        }
        JsonNode authorization = block.get("authorization");
        if (authorization != null && authorization.isObject()) {
            keys(authorization, path + ".authorization", AUTHORIZATION_KEYS);
        }
        JsonNode tls = block.get("tls_config");
        if (tls != null && tls.isObject()) {
            keys(tls, path + ".tls_config", TLS_KEYS);
        }
        List<JsonNode> queries = list(block.get("query_response"), path + ".query_response");
        for (int i = 0; i < queries.size(); i++) {
            if (queries.get(i).isObject()) {
                keys(queries.get(i), path + ".query_response[" + i + "]", QUERY_KEYS);
            }
        }
    }

    private static JsonNode block(JsonNode module, String key, String path, Set<String> allowed) {
        JsonNode block = module.get(key);
        if (block == null || block.isNull()) {
            return NODES.objectNode();
        }
        keys(object(block, path + "." + key), path + "." + key, allowed);
        return block;
    }

    private static void keys(JsonNode node, String path, Set<String> allowed) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String key = names.next();
            if (!allowed.contains(key)) {
                throw new InvalidDocumentException((path.isEmpty() ? "" : path + ".") + key
                        + ": unknown key (blackbox_exporter would refuse this file too)");
            }
        }
    }

    private static JsonNode object(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return NODES.objectNode();
        }
        if (!node.isObject()) {
            throw new InvalidDocumentException(path + ": expected a mapping, got '" + node.asText() + "'");
        }
        return node;
    }

    private static List<JsonNode> list(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidDocumentException(path + ": expected a list, got '" + node.asText() + "'");
        }
        List<JsonNode> items = new ArrayList<>();
        node.forEach(items::add);
        return items;
    }

    private static String text(JsonNode node, String path, String otherwise) {
        if (node == null || node.isNull()) {
            return otherwise;
        }
        if (!node.isValueNode() || node.isBinary()) {
            throw new InvalidDocumentException(path + ": expected a string");
        }
        return node.asText();
    }

    private static boolean bool(JsonNode node, String path, boolean otherwise) {
        if (node == null || node.isNull()) {
            return otherwise;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        // YAML 1.1 spellings Go's decoder also takes.
        String text = node.asText().toLowerCase(Locale.ROOT);
        if (node.isTextual() && Set.of("true", "yes", "on").contains(text)) {
            return true;
        }
        if (node.isTextual() && Set.of("false", "no", "off").contains(text)) {
            return false;
        }
        throw new InvalidDocumentException(path + ": '" + node.asText() + "' is not true or false");
    }

    /** A Go duration ("5s", "1m30s", "500ms"); null for none or zero. */
    static Duration duration(JsonNode node, String path) {
        String text = text(node, path, "").trim();
        if (text.isEmpty() || text.equals("0")) {
            return null;
        }
        Matcher part = DURATION_PART.matcher(text);
        long nanos = 0;
        int at = 0;
        while (at < text.length() && part.find(at) && part.start() == at) {
            double amount = Double.parseDouble(part.group(1));
            long unit = switch (part.group(2)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos += (long) (amount * unit);
            at = part.end();
        }
        if (at != text.length()) {
            throw new InvalidDocumentException(path + ": '" + text + "' is not a duration such as 5s or 1m30s");
        }
        return nanos == 0 ? null : Duration.ofNanos(nanos);
    }

    /** A byte size as blackbox_exporter's body_size_limit takes it ("10MB", "1KiB", a number of bytes); 0 for none. */
    static long size(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return 0;
        }
        if (node.canConvertToLong()) {
            return Math.max(0, node.asLong());
        }
        Matcher matcher = SIZE.matcher(text(node, path, "").trim());
        if (!matcher.matches() || (matcher.group(3) == null && !matcher.group(2).isEmpty())) {
            throw new InvalidDocumentException(path + ": '" + node.asText() + "' is not a size such as 10MB or 1KiB");
        }
        int power = "KMGTPE".indexOf(matcher.group(2).isEmpty() ? "-" : matcher.group(2)) + 1;
        long value = Long.parseLong(matcher.group(1));
        for (int i = 0; i < power; i++) {
            value = value > Long.MAX_VALUE / 1024 ? Long.MAX_VALUE : value * 1024;
        }
        return value;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
