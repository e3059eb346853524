package io.vantage.wire.target;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vantage.wire.Checks;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An HTTP(S) request and what its response must look like. {@code hostHeader} replaces the Host header
 * and is also the TLS SNI name and the name the certificate is verified against, so a regional endpoint
 * can be probed by address or regional name while presenting the public name; {@code serverName} sets the TLS name
 * alone when it differs. The checks of blackbox_exporter's http module are here too: {@code expectHeaders}, {@code
 * expectBodyRegex} (all must match), {@code rejectBodyRegex} (none may), {@code expectTls} (the final answer came over
 * TLS, or with false did not), {@code expectVersions} (the answer's HTTP version is one of them), and {@code
 * failOverBodyLimit} (a body longer than {@code maxBodyBytes} fails instead of being cut). {@code body} is sent as the
 * request body; at most {@code maxRedirects} redirects are followed when {@code followRedirects}. {@code version} is the HTTP version
 * spoken: {@code "1.1"} (the default) over TCP, or {@code "3"} over QUIC (UDP), which is always TLS, so it takes an
 * {@code https://} URL, and a fresh QUIC connection per probe without following redirects.
 */
public record HttpSpec(
        URI url,
        String method,
        Map<String, String> headers,
        String hostHeader,
        List<String> expectStatus,
        BodyAssertion expectBody,
        Integer maxBodyBytes,
        Duration maxLatency,
        Boolean followRedirects,
        Boolean keepAlive,
        TlsClientSpec tls,
        Boolean allowInsecureRedirects,
        String body,
        String serverName,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<HeaderExpectation> expectHeaders,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> expectBodyRegex,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> rejectBodyRegex,
        Boolean expectTls,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> expectVersions,
        Boolean failOverBodyLimit,
        Integer maxRedirects,
        String version)
        implements ProbeSpec {

    public static final List<String> DEFAULT_EXPECT_STATUS = List.of("200-399");
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_REDIRECTS = 5;
    public static final int MAX_REQUEST_BODY_CHARS = 1024 * 1024;
    /** The versions {@code expectVersions} may name, as blackbox_exporter's {@code valid_http_versions} spells them. */
    public static final List<String> VERSIONS = List.of("HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "HTTP/3.0");
    /** HTTP/1.1 over TCP, the default {@code version}. */
    public static final String HTTP_1_1 = "1.1";
    /** HTTP/3 over QUIC, the other {@code version}. */
    public static final String HTTP_3 = "3";

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "OPTIONS", "DELETE", "PATCH");
    private static final Pattern STATUS = Pattern.compile("([1-5]\\d\\d)(?:-([1-5]\\d\\d))?");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    public HttpSpec {
        Checks.required("url", url);
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw Checks.invalid("url", "'" + url + "' must be an absolute http:// or https:// URL");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw Checks.invalid("url", "'" + url + "' has no host");
        }
        if (url.getRawUserInfo() != null) {
            throw Checks.invalid(
                    "url",
                    "'" + url.getScheme() + "://…@" + url.getHost()
                            + "' carries credentials in the URL, which are never sent; put them in headers "
                            + "(Authorization) instead");
        }
        if (url.getPort() == 0 || url.getPort() > 65535 || url.getRawAuthority().endsWith(":")) {
            throw Checks.invalid("url", "'" + url + "' has no valid port: use 1-65535, or none for the default");
        }
        method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw Checks.invalid("method", "'" + method + "' is not one of " + METHODS);
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!HEADER_NAME.matcher(header.getKey()).matches()) {
                throw Checks.invalid("headers", "'" + header.getKey() + "' is not a valid header name");
            }
            if (Checks.hasControlCharacter(header.getValue())) {
                throw Checks.invalid(
                        "headers",
                        "the value of " + header.getKey() + ", '" + Checks.visible(header.getValue())
                                + "', contains a control character (shown as ?)");
            }
            if (header.getKey().equalsIgnoreCase("host")) {
                throw Checks.invalid("headers", "set the Host header with hostHeader, which also sets TLS SNI");
            }
        }
        Checks.noControlCharacters("hostHeader", hostHeader);
        if (hostHeader != null && (hostHeader.isBlank() || hostHeader.contains("/") || hostHeader.contains(" "))) {
            throw Checks.invalid("hostHeader", "'" + hostHeader + "' is not a host name");
        }
        expectStatus =
                expectStatus == null || expectStatus.isEmpty() ? DEFAULT_EXPECT_STATUS : List.copyOf(expectStatus);
        for (String range : expectStatus) {
            var matcher = STATUS.matcher(range);
            if (!matcher.matches()
                    || (matcher.group(2) != null
                            && Integer.parseInt(matcher.group(2)) < Integer.parseInt(matcher.group(1)))) {
                throw Checks.invalid("expectStatus", "'" + range + "' is not a status code (200) or range (200-299)");
            }
        }
        maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
        Checks.range("maxBodyBytes", maxBodyBytes, 0, 16 * 1024 * 1024);
        if (maxLatency != null) {
            Checks.positive("maxLatency", maxLatency, Duration.ofMillis(1), Duration.ofMinutes(1));
        }
        followRedirects = followRedirects != null && followRedirects;
        keepAlive = keepAlive != null && keepAlive;
        tls = tls == null ? new TlsClientSpec(null, false) : tls;
        allowInsecureRedirects = allowInsecureRedirects != null && allowInsecureRedirects;
        if (body != null && body.length() > MAX_REQUEST_BODY_CHARS) {
            throw Checks.invalid(
                    "body", "is " + body.length() + " characters, over the limit of " + MAX_REQUEST_BODY_CHARS);
        }
        Checks.noControlCharacters("serverName", serverName);
        if (serverName != null && (serverName.isBlank() || serverName.contains("/") || serverName.contains(" "))) {
            throw Checks.invalid("serverName", "'" + serverName + "' is not a host name");
        }
        expectHeaders = expectHeaders == null ? List.of() : List.copyOf(expectHeaders);
        expectBodyRegex = regexes("expectBodyRegex", expectBodyRegex);
        rejectBodyRegex = regexes("rejectBodyRegex", rejectBodyRegex);
        expectVersions = expectVersions == null ? List.of() : List.copyOf(expectVersions);
        for (String expected : expectVersions) {
            if (!VERSIONS.contains(expected)) {
                throw Checks.invalid("expectVersions", "'" + expected + "' is not one of " + VERSIONS);
            }
        }
        failOverBodyLimit = failOverBodyLimit != null && failOverBodyLimit;
        maxRedirects = maxRedirects == null ? DEFAULT_MAX_REDIRECTS : maxRedirects;
        Checks.range("maxRedirects", maxRedirects, 0, 30);
        version = version == null ? HTTP_1_1 : version;
        if (!version.equals(HTTP_1_1) && !version.equals(HTTP_3)) {
            throw Checks.invalid(
                    "version", "'" + version + "' is not an HTTP version this agent speaks: \"1.1\" or \"3\"");
        }
        if (version.equals(HTTP_3)) {
            if (!scheme.equals("https")) {
                throw Checks.invalid(
                        "version",
                        "HTTP/3 runs over QUIC, which is always TLS: the url must be https://, not '" + url + "'");
            }
            if (followRedirects) {
                throw Checks.invalid(
                        "followRedirects",
                        "redirects are not followed over HTTP/3 (version: \"3\"): the redirect itself is judged; remove followRedirects");
            }
            if (keepAlive) {
                throw Checks.invalid(
                        "keepAlive", "each HTTP/3 probe is a fresh QUIC connection (version: \"3\"); remove keepAlive");
            }
        }
    }

    /** Whether this request is HTTP/3 over QUIC ({@code version: "3"}). */
    public boolean http3() {
        return version.equals(HTTP_3);
    }

    private static List<String> regexes(String key, List<String> patterns) {
        if (patterns == null) {
            return List.of();
        }
        for (String pattern : patterns) {
            Checks.re2(key, Checks.required(key, pattern));
        }
        return List.copyOf(patterns);
    }

    public boolean https() {
        return url.getScheme().equalsIgnoreCase("https");
    }

    public String host() {
        return url.getHost();
    }

    public int port() {
        return url.getPort() > 0 ? url.getPort() : https() ? 443 : 80;
    }

    /** The name presented in the Host header, and in TLS unless {@code serverName} is set. */
    public String virtualHost() {
        return hostHeader != null ? hostHeader : url.getHost();
    }

    /** The name presented in TLS SNI and that the certificate is verified against. */
    public String tlsServerName() {
        return serverName != null ? serverName : virtualHost();
    }

    /** Path and query as sent on the request line. */
    public String requestTarget() {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    public boolean statusExpected(int status) {
        for (String range : expectStatus) {
            int dash = range.indexOf('-');
            int low = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int high = dash < 0 ? low : Integer.parseInt(range.substring(dash + 1));
            if (status >= low && status <= high) {
                return true;
            }
        }
        return false;
    }

    /**
     * The same request after a redirect ({@code status}) to {@code target}: to the same origin (scheme, host and port)
     * with its headers, host header and server name; to another origin with none of them, so that no credential
     * (Authorization, Cookie, an API key: any configured header) and no virtual host follows it. After a 301, 302 or
     * 303 the request becomes a GET (a HEAD stays one) without a body, as browsers and Go's client do; 307 and 308
     * repeat it.
     */
    public HttpSpec redirectedTo(URI target, int status) {
        boolean asGet = status == 301 || status == 302 || status == 303;
        boolean sameOrigin = target.getScheme().equalsIgnoreCase(url.getScheme())
                && target.getHost().equalsIgnoreCase(url.getHost())
                && port(target) == port();
        return new HttpSpec(
                target,
                asGet && !method.equals("HEAD") ? "GET" : method,
                sameOrigin ? headers : Map.of(),
                sameOrigin ? hostHeader : null,
                expectStatus,
                expectBody,
                maxBodyBytes,
                maxLatency,
                followRedirects,
                keepAlive,
                tls,
                allowInsecureRedirects,
                asGet ? null : body,
                sameOrigin ? serverName : null,
                expectHeaders,
                expectBodyRegex,
                rejectBodyRegex,
                expectTls,
                expectVersions,
                failOverBodyLimit,
                maxRedirects,
                version);
    }

    private static int port(URI url) {
        return url.getPort() > 0 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.http(this);
    }
}
