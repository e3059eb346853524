package io.vantage.wire;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code otlp} block of both files: push metrics over OTLP/HTTP (protobuf) to {@code endpoint} (the full URL, such
 * as {@code http://collector:4318/v1/metrics}) every {@code interval}, each request within {@code timeout}, with
 * {@code headers} (for a tenant or credentials: each a {@code value}, or read from a {@code file} or an {@code env}
 * variable when the file loads, and never logged). Absent: no export.
 */
public record Otlp(URI endpoint, Map<String, Header> headers, Duration interval, Duration timeout) {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    public Otlp {
        Checks.required("endpoint", endpoint);
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https"))
                || endpoint.getHost() == null
                || endpoint.getHost().isEmpty()) {
            throw Checks.invalid(
                    "endpoint",
                    "'" + Checks.visible(endpoint.toString())
                            + "' must be an absolute http:// or https:// URL, such as http://collector:4318/v1/metrics");
        }
        if (endpoint.getRawUserInfo() != null) {
            throw Checks.invalid(
                    "endpoint", "must not carry credentials: give them in headers, read from a file or env");
        }
        headers = headers == null ? Map.of() : headers;
        for (Map.Entry<String, Header> header : headers.entrySet()) {
            String name = header.getKey();
            if (!TOKEN.matcher(name).matches()) {
                throw Checks.invalid("headers", "'" + Checks.visible(name) + "' is not a header name");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-type") || lower.equals("content-length") || lower.equals("host")) {
                throw Checks.invalid("headers", name + " is set by the exporter");
            }
            if (header.getValue() == null) {
                throw Checks.invalid("headers", name + " has no value: give one of value, file and env");
            }
        }
        headers = Map.copyOf(headers);
        interval = interval == null ? Duration.ofSeconds(60) : interval;
        Checks.positive("interval", interval, Duration.ofSeconds(1), Duration.ofHours(1));
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        Checks.positive("timeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(1));
    }

    /** Each header's value, read now: {@code key} names this block in errors (e.g. {@code otlp}). */
    public Map<String, String> headerValues(String key, Path baseDirectory, Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        headers.forEach(
                (name, header) -> values.put(name, header.read(key + ".headers." + name, baseDirectory, environment)));
        return values;
    }

    @Override
    public String toString() {
        return "Otlp[endpoint=" + endpoint + ", headers=" + headers.keySet() + ", interval=" + interval + ", timeout="
                + timeout + "]";
    }

    /** A header's value: exactly one of {@code value}, {@code file} (read when the config loads) and {@code env}. */
    public record Header(String value, String file, String env) {
        public Header {
            int set = (value == null ? 0 : 1) + (file == null ? 0 : 1) + (env == null ? 0 : 1);
            if (set != 1) {
                throw Checks.invalid("value", "set exactly one of value, file and env");
            }
        }

        /** The value; a control character or an empty value is refused without quoting it (it may be a secret). */
        public String read(String key, Path baseDirectory, Map<String, String> environment) {
            String read;
            if (value != null) {
                read = value;
            } else if (env != null) {
                read = environment.get(env);
                if (read == null) {
                    throw new InvalidDocumentException(key + ".env: environment variable " + env + " is not set");
                }
            } else {
                Path path = baseDirectory == null ? Path.of(file) : baseDirectory.resolve(file);
                try {
                    read = Files.readString(path, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new InvalidDocumentException(key + ".file: cannot read " + path + " ("
                            + e.getClass().getSimpleName() + ")");
                }
            }
            if (read.isEmpty() || Checks.hasControlCharacter(read)) {
                throw new InvalidDocumentException(
                        key + ": the value is empty or contains a control character (not shown: it may be a secret)");
            }
            return read;
        }

        @Override
        public String toString() {
            return value != null
                    ? "Header[value=…]"
                    : file != null ? "Header[file=" + file + "]" : "Header[env=" + env + "]";
        }
    }
}
