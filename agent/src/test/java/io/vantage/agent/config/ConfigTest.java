package io.vantage.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vantage.wire.InvalidDocumentException;
import io.vantage.wire.target.HttpSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each invalid file is paired with its exact error message, which names the path of the bad key. */
class ConfigTest {
    private static final String TARGET = "targets:\n  - name: api\n    http: {url: 'http://127.0.0.1:8080/health'}\n";

    @TempDir
    Path directory;

    static Stream<Arguments> invalidFiles() {
        return Stream.of(
                Arguments.of("empty", "", "document is empty"),
                Arguments.of(
                        "not yaml",
                        "targets: [",
                        "malformed document at line 1, column 11: while parsing a flow node; expected the node content, but found '<stream end>'"),
                Arguments.of(
                        "unknown top-level key",
                        TARGET + "target: []\n",
                        "target: unknown key; known keys here: agent, dns, otlp, probe, server, targets"),
                Arguments.of(
                        "unknown nested key",
                        "targets:\n  - name: api\n    http: {url: 'http://x/', expectStatuss: [200]}\n",
                        "targets[0].http.expectStatuss: unknown key; known keys here: allowInsecureRedirects, body, expectBody, expectBodyRegex, expectHeaders, expectStatus, expectTls, expectVersions, failOverBodyLimit, followRedirects, headers, hostHeader, keepAlive, maxBodyBytes, maxLatency, maxRedirects, method, rejectBodyRegex, serverName, tls, url, version"),
                Arguments.of(
                        "no targets, no aggregators",
                        "agent: {id: a}\n",
                        "targets: is empty, and so are agent.aggregators and probe.modules: give local targets, aggregators to fetch them from, /probe modules, or any of them together"),
                Arguments.of(
                        "two protocols",
                        "targets:\n  - name: api\n    http: {url: 'http://x/'}\n    tcp: {host: x, port: 1}\n",
                        "targets[0].name: target 'api' must set exactly one of http, tcp, tls, dns, grpc (found 2)"),
                Arguments.of(
                        "bad url scheme",
                        "targets:\n  - name: api\n    http: {url: 'ftp://x/'}\n",
                        "targets[0].http.url: 'ftp://x/' must be an absolute http:// or https:// URL"),
                Arguments.of(
                        "a YAML alias",
                        "targets:\n  - name: a\n    http: &h {url: 'http://x/'}\n  - name: b\n    http: *h\n",
                        "line 5: YAML anchors and aliases (&h / *h) are not supported; write the value out where it is used"),
                Arguments.of(
                        "url port 0",
                        "targets:\n  - name: api\n    http: {url: 'http://x:0/'}\n",
                        "targets[0].http.url: 'http://x:0/' has no valid port: use 1-65535, or none for the default"),
                Arguments.of(
                        "url port above 65535",
                        "targets:\n  - name: api\n    http: {url: 'http://x:65536/'}\n",
                        "targets[0].http.url: 'http://x:65536/' has no valid port: use 1-65535, or none for the default"),
                Arguments.of(
                        "url with an empty port",
                        "targets:\n  - name: api\n    http: {url: 'http://x:/'}\n",
                        "targets[0].http.url: 'http://x:/' has no valid port: use 1-65535, or none for the default"),
                Arguments.of(
                        "credentials in the url",
                        "targets:\n  - name: api\n    http: {url: 'http://user:pass@x/'}\n",
                        "targets[0].http.url: 'http://…@x' carries credentials in the URL, which are never sent; put them "
                                + "in headers (Authorization) instead"),
                Arguments.of(
                        "bad status range",
                        "targets:\n  - name: api\n    http: {url: 'http://x/', expectStatus: ['299-200']}\n",
                        "targets[0].http.expectStatus: '299-200' is not a status code (200) or range (200-299)"),
                Arguments.of(
                        "duration without unit",
                        TARGET + "    interval: 10\n",
                        "targets[0].interval: expected a duration: a duration must be text with a unit, such as 500ms, 10s or 1m"),
                Arguments.of(
                        "bad duration",
                        TARGET + "    interval: 10 seconds\n",
                        "targets[0].interval: '10 seconds' is not a duration; use a whole number with a unit: 500ms, 10s, 1m, 2h, 7d"),
                Arguments.of(
                        "negative duration",
                        TARGET + "    timeout: -1s\n",
                        "targets[0].timeout: '-1s' is not a duration; use a whole number with a unit: 500ms, 10s, 1m, 2h, 7d"),
                Arguments.of(
                        "absurd interval",
                        TARGET + "    interval: 9999h\n",
                        "targets[0].interval: must be between 1s and 1h, got 9999h"),
                Arguments.of(
                        "timeout not under interval",
                        TARGET + "    interval: 5s\n    timeout: 5s\n",
                        "targets[0].timeout: 5s must be shorter than interval 5s"),
                Arguments.of(
                        "duplicate target",
                        TARGET + "  - name: api\n    tcp: {host: x, port: 1}\n",
                        "targets[1].name: 'api' is used by more than one target"),
                Arguments.of(
                        "bad target name",
                        "targets:\n  - name: 'api eu'\n    tcp: {host: x, port: 1}\n",
                        "targets[0].name: 'api eu' must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit"),
                Arguments.of(
                        "port out of range",
                        "targets:\n  - name: db\n    tcp: {host: x, port: 70000}\n",
                        "targets[0].tcp.port: must be between 1 and 65535, got 70000"),
                Arguments.of(
                        "port as text",
                        "targets:\n  - name: db\n    tcp: {host: x, port: 'five'}\n",
                        "targets[0].tcp.port: expected a whole number, got 'five'"),
                Arguments.of(
                        "port missing",
                        "targets:\n  - name: db\n    tcp: {host: x}\n",
                        "targets[0].tcp.port: missing; it must be a whole number"),
                Arguments.of(
                        "two body assertions",
                        "targets:\n  - name: api\n    http: {url: 'http://x/', expectBody: {contains: a, regex: b}}\n",
                        "targets[0].http.expectBody: set exactly one of contains, regex, jsonPointer"),
                Arguments.of(
                        "bad regex",
                        "targets:\n  - name: api\n    http: {url: 'http://x/', expectBody: {regex: '('}}\n",
                        "targets[0].http.expectBody.regex: '(' is not a valid RE2 regular expression: missing closing )"),
                Arguments.of(
                        "bad json pointer",
                        "targets:\n  - name: api\n    http: {url: 'http://x/', expectBody: {jsonPointer: {path: status, equals: UP}}}\n",
                        "targets[0].http.expectBody.jsonPointer.path: 'status' is not a JSON pointer; it must start with '/'"),
                Arguments.of(
                        "quorum over minVantages",
                        TARGET + "    quorum: {minVantages: 2, healthy: 3}\n",
                        "targets[0].quorum.healthy: 3 must not exceed minVantages (2)"),
                Arguments.of(
                        "aggregator without token",
                        "agent:\n  aggregators: [{url: 'http://agg:8080'}]\n",
                        "agent.aggregators[0].tokenFile: set exactly one of tokenFile and tokenEnv for aggregator http://agg:8080"),
                Arguments.of(
                        "token file missing",
                        "agent:\n  aggregators: [{url: 'http://agg:8080', tokenFile: missing-token}]\n",
                        "agent.aggregators[0].tokenFile: cannot read %DIR%/missing-token (NoSuchFileException)"),
                Arguments.of(
                        "token env unset",
                        "agent:\n  aggregators: [{url: 'http://agg:8080', tokenEnv: NOT_SET}]\n",
                        "agent.aggregators[0].tokenEnv: environment variable NOT_SET is not set"),
                Arguments.of(
                        "token too short",
                        "agent:\n  aggregators: [{url: 'http://agg:8080', tokenEnv: SHORT}]\n",
                        "agent.aggregators[0]: the token must be at least 16 printable characters without spaces"),
                Arguments.of(
                        "host header as header",
                        "targets:\n  - name: api\n    http: {url: 'http://x/', headers: {Host: a}}\n",
                        "targets[0].http.headers: set the Host header with hostHeader, which also sets TLS SNI"),
                Arguments.of(
                        "CR/LF in hostHeader would inject a header",
                        "targets:\n  - name: api\n    http: {url: 'http://x/', hostHeader: \"a.example\\r\\nX-Injected: yes\"}\n",
                        "targets[0].http.hostHeader: 'a.example??X-Injected: yes' contains a control character (shown as ?)"),
                Arguments.of(
                        "line break in a header value",
                        "targets:\n  - name: api\n    http: {url: 'http://x/', headers: {X-A: \"1\\nX-B: 2\"}}\n",
                        "targets[0].http.headers: the value of X-A, '1?X-B: 2', contains a control character (shown as ?)"),
                Arguments.of(
                        "control character in a TLS server name",
                        "targets:\n  - name: api\n    tls: {host: x, port: 443, serverName: \"a\\u0000b\"}\n",
                        "targets[0].tls.serverName: 'a?b' contains a control character (shown as ?)"),
                Arguments.of(
                        "bad dns server",
                        TARGET + "dns: {servers: ['127.0.0.1']}\n",
                        "dns.servers: '127.0.0.1' must be host:port, such as 127.0.0.1:53"),
                Arguments.of(
                        "unknown address policy",
                        "targets:\n  - name: api\n    addresses: all\n    tcp: {host: x, port: 443}\n",
                        "targets[0].addresses: 'all' must be any or every"),
                Arguments.of(
                        "every address of a dns probe",
                        "targets:\n  - name: d\n    addresses: every\n    dns: {name: x.test}\n",
                        "targets[0].addresses: every applies to http, tcp, tls and grpc probes; a dns probe has no address"),
                Arguments.of(
                        "otlp endpoint that is no URL of http",
                        TARGET + "otlp: {endpoint: 'grpc://collector:4317'}\n",
                        "otlp.endpoint: 'grpc://collector:4317' must be an absolute http:// or https:// URL, such as"
                                + " http://collector:4318/v1/metrics"),
                Arguments.of(
                        "otlp header with two sources",
                        TARGET + "otlp: {endpoint: 'http://c:4318/v1/metrics', headers: {X-Key: {value: a, env: B}}}\n",
                        "otlp.headers.X-Key.value: set exactly one of value, file and env"),
                Arguments.of(
                        "otlp header the exporter sets",
                        TARGET + "otlp: {endpoint: 'http://c:4318/v1/metrics', headers: {Content-Type: {value: a}}}\n",
                        "otlp.headers: Content-Type is set by the exporter"),
                Arguments.of(
                        "otlp header from an unset variable",
                        TARGET + "otlp: {endpoint: 'http://c:4318/v1/metrics', headers: {X-Key: {env: UNSET}}}\n",
                        "otlp.headers.X-Key.env: environment variable UNSET is not set"),
                Arguments.of(
                        "otlp header value with a line break is refused without being shown",
                        TARGET
                                + "otlp: {endpoint: 'http://c:4318/v1/metrics', headers: {X-Key: {value: \"se\\ncret\"}}}\n",
                        "otlp.headers.X-Key: the value is empty or contains a control character (not shown: it may be a"
                                + " secret)"),
                Arguments.of(
                        "otlp interval too short",
                        TARGET + "otlp: {endpoint: 'http://c:4318/v1/metrics', interval: 100ms}\n",
                        "otlp.interval: must be between 1s and 1h, got 100ms"),
                Arguments.of("bad region from environment", TARGET.replace("targets", "agent: {}\ntargets"), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void invalidFileIsRejectedWithItsExactMessage(String description, String yaml, String message) throws Exception {
        Path file = Files.writeString(directory.resolve("agent.yaml"), yaml);
        Map<String, String> environment =
                message == null ? Map.of("VANTAGE_REGION", "eu west") : Map.of("SHORT", "abc");
        String expected = message == null
                ? "agent.region: environment variable VANTAGE_REGION = 'eu west' must be letters, digits, '.', '_' or '-'"
                : message.replace("%DIR%", directory.toString());

        assertThatThrownBy(() -> new ConfigLoader(environment).load(file))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessage(expected);
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(directory.resolve("nope.yaml")))
                .hasMessage("config file " + directory.resolve("nope.yaml") + " does not exist");
    }

    @Test
    void defaultsAndEnvironment() throws Exception {
        Files.writeString(directory.resolve("token"), "s3cret-token-0123456789\n");
        Path file = Files.writeString(
                directory.resolve("agent.yaml"),
                "agent:\n  aggregators: [{url: 'https://agg.example:8443', tokenFile: token}]\n" + TARGET);

        LoadedConfig loaded =
                new ConfigLoader(Map.of("VANTAGE_AGENT_ID", "agent-eu", "VANTAGE_REGION", "eu-west-1")).load(file);

        assertThat(loaded.agentId()).isEqualTo("agent-eu");
        assertThat(loaded.region()).isEqualTo("eu-west-1");
        assertThat(loaded.tokens()).containsEntry("agg.example:8443", "s3cret-token-0123456789");
        assertThat(loaded.toString()).doesNotContain("s3cret");
        HttpSpec http = loaded.config().targets().get(0).http();
        assertThat(http.expectStatus()).containsExactly("200-399");
        assertThat(http.maxBodyBytes()).isEqualTo(64 * 1024);
        assertThat(http.followRedirects()).isFalse();
        assertThat(http.keepAlive()).isFalse();
        assertThat(http.tls().insecureSkipVerify()).isFalse();
        assertThat(loaded.config().targets().get(0).interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(loaded.config().targets().get(0).timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(loaded.config().server().port()).isEqualTo(9100);
    }
}
