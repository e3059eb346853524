package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.testing.Ports;
import io.vantage.testing.RawServer;
import io.vantage.testing.TestDnsServer;
import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's {@code /probe} against Debian's real blackbox_exporter 0.23: both read the same blackbox module file
 * ({@code conformance/blackbox.yml}, the agent through {@code probe.modulesFile}) and probe the same loopback servers
 * (good and bad status, body, headers, redirects, expired and wrong-name certificates, DNS answers and NXDOMAIN, a
 * refused and a silent TCP port, a server slower than the timeout) with the same target and module, case by case.
 *
 * <p>blackbox_exporter's column is taken first and must be what each case expects of it, so the expectations are known
 * to be its real behaviour; then the agent's column must equal it, except for the cases in {@link #DIFFERENCES}, which
 * must differ (docs/blackbox-conformance.md lists the same cases, held by {@link BlackboxConformanceDocTest}). The table
 * is printed and written to {@code system-tests/target/conformance.md}.
 */
class BlackboxConformanceIT {
    /**
     * The deliberate differences, case → why vantage answers otherwise. The one place they are listed; the doc mirrors
     * it.
     */
    static final Map<String, String> DIFFERENCES = Map.of();

    static final Path TABLE = Repository.root().resolve("system-tests/target/conformance.md");

    @TempDir
    Path directory;

    private final Vertx vertx = Vertx.vertx();
    private final List<AutoCloseable> servers = new ArrayList<>();

    /** One probe of the matrix: a module of the file, a target, and blackbox_exporter's {@code probe_success}. */
    record Case(String name, String module, String target, boolean expected) {}

    @AfterEach
    void stopServers() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
        vertx.close().await();
    }

    private <T extends AutoCloseable> T server(T server) {
        servers.add(server);
        return server;
    }

    @Test
    void vantageAnswersEveryCaseAsBlackboxExporterDoes() throws Exception {
        TestPki pki = new TestPki(directory);
        Instant now = Instant.now();
        TestHttpServer http = server(TestHttpServer.plain(vertx));
        TestHttpServer good = server(TestHttpServer.tls(vertx, pki.issue("good", 30, "good.test")));
        TestHttpServer expired = server(TestHttpServer.tls(
                vertx,
                pki.issue("expired", now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)), "good.test")));
        TestHttpServer wrongName = server(TestHttpServer.tls(vertx, pki.issue("wrong", 30, "wrong.test")));
        TestHttpServer unknownCa = server(TestHttpServer.tls(vertx, pki.selfSigned("self", "good.test")));
        RawServer silent = server(RawServer.start(vertx, RawServer.Behaviour.SILENT));
        RawServer banner = server(RawServer.start(vertx, RawServer.Behaviour.GARBAGE));
        int closed = Ports.free();
        TestDnsServer answers = server(TestDnsServer.start(vertx)).set("good.test", "127.0.0.1");
        TestDnsServer other = server(TestDnsServer.start(vertx)).set("good.test", "192.0.2.7");
        TestDnsServer empty = server(TestDnsServer.start(vertx)).set("good.test");
        TestDnsServer nx = server(TestDnsServer.start(vertx));

        String plain = "http://127.0.0.1:" + http.port();
        List<Case> cases = List.of(
                new Case("http 200", "http_2xx", plain + "/ok", true),
                new Case("http 204", "http_2xx", plain + "/status/204", true),
                new Case("http 404", "http_2xx", plain + "/status/404", false),
                new Case("http 500", "http_2xx", plain + "/status/500", false),
                new Case("http target without scheme", "http_2xx", "127.0.0.1:" + http.port() + "/ok", true),
                new Case("http refused", "http_2xx", "http://127.0.0.1:" + closed + "/ok", false),
                new Case("valid_status_codes hit", "http_valid_status", plain + "/status/404", true),
                new Case("valid_status_codes miss", "http_valid_status", plain + "/ok", false),
                new Case("body must match, matches", "http_body_match", plain + "/ok", true),
                new Case("body must match, does not", "http_body_match", plain + "/echo?body=nope", false),
                new Case("body must not match, clean", "http_body_reject", plain + "/ok", true),
                new Case("body must not match, matches", "http_body_reject", plain + "/echo?body=ERROR", false),
                new Case("header must match, matches", "http_header_match", plain + "/json", true),
                new Case("header must match, missing", "http_header_match", plain + "/ok", false),
                new Case("header must not match, matches", "http_header_reject", plain + "/json", false),
                new Case("header must not match, missing", "http_header_reject", plain + "/ok", false),
                new Case("header must not match, missing allowed", "http_header_reject_optional", plain + "/ok", true),
                new Case("redirect followed", "http_2xx", plain + "/redirect", true),
                new Case("redirect to an error", "http_2xx", plain + "/redirect-to-error", false),
                new Case("no_follow_redirects, 302", "http_no_follow", plain + "/redirect", false),
                new Case("no_follow_redirects, 302 expected", "http_no_follow_302", plain + "/redirect", true),
                new Case("follow_redirects false, 302", "http_follow_false", plain + "/redirect", false),
                new Case("fail_if_ssl, plain", "http_fail_if_ssl", plain + "/ok", true),
                new Case("fail_if_ssl, TLS", "http_fail_if_ssl", good.url("/ok"), false),
                new Case("fail_if_not_ssl, TLS", "http_fail_if_not_ssl", good.url("/ok"), true),
                new Case("fail_if_not_ssl, plain", "http_fail_if_not_ssl", plain + "/ok", false),
                new Case("https verified by ca_file", "https_ca", good.url("/ok"), true),
                new Case("https expired", "https_ca", expired.url("/ok"), false),
                new Case("https unknown CA", "https_ca", unknownCa.url("/ok"), false),
                new Case("https, system roots only", "http_2xx", good.url("/ok"), false),
                new Case("https server_name matches", "https_ca_named", good.url("/ok"), true),
                new Case("https wrong name", "https_ca_named", wrongName.url("/ok"), false),
                new Case("insecure_skip_verify, expired", "https_insecure", expired.url("/ok"), true),
                new Case("insecure_skip_verify, unknown CA", "https_insecure", unknownCa.url("/ok"), true),
                new Case("short timeout, fast server", "http_short_timeout", plain + "/ok", true),
                new Case("short timeout, slow server", "http_short_timeout", plain + "/slow?ms=3000", false),
                new Case(
                        "short timeout, silent server",
                        "http_short_timeout",
                        "http://127.0.0.1:" + silent.port() + "/",
                        false),
                new Case("tcp connect", "tcp_connect", "127.0.0.1:" + silent.port(), true),
                new Case("tcp refused", "tcp_connect", "127.0.0.1:" + closed, false),
                new Case("tcp send/expect", "tcp_banner", "127.0.0.1:" + banner.port(), true),
                new Case("tcp expect, silent server", "tcp_banner", "127.0.0.1:" + silent.port(), false),
                new Case("tcp expect, other banner", "tcp_banner_mismatch", "127.0.0.1:" + banner.port(), false),
                new Case("tcp tls verified", "tcp_tls", "127.0.0.1:" + good.port(), true),
                new Case("tcp tls expired", "tcp_tls", "127.0.0.1:" + expired.port(), false),
                new Case("tcp tls to a plain server", "tcp_tls", "127.0.0.1:" + http.port(), false),
                new Case("dns A answered", "dns_a", "127.0.0.1:" + answers.port(), true),
                new Case("dns NXDOMAIN, not valid", "dns_a", "127.0.0.1:" + nx.port(), false),
                new Case("dns no server", "dns_a", "127.0.0.1:" + closed, false),
                new Case("dns NXDOMAIN valid", "dns_nxdomain", "127.0.0.1:" + nx.port(), true),
                new Case("dns NOERROR, NXDOMAIN wanted", "dns_nxdomain", "127.0.0.1:" + answers.port(), false),
                new Case("dns answer matches", "dns_answer_match", "127.0.0.1:" + answers.port(), true),
                new Case("dns answer does not match", "dns_answer_match", "127.0.0.1:" + other.port(), false),
                // blackbox_exporter fails fail_if_not_matches_regexp on an empty answer section too
                new Case("dns no answer, match required", "dns_answer_match", "127.0.0.1:" + empty.port(), false),
                new Case("dns answer present", "dns_answer_required", "127.0.0.1:" + answers.port(), true),
                new Case("dns no answer", "dns_answer_required", "127.0.0.1:" + empty.port(), false));

        Path modules = Files.writeString(
                directory.resolve("blackbox.yml"),
                Files.readString(Path.of(Objects.requireNonNull(getClass().getResource("/conformance/blackbox.yml"))
                                .toURI()))
                        .replace("@CA_FILE@", pki.caFile().toString()));

        // blackbox_exporter first: its column must be what every case expects, or the expectations are wrong.
        Map<String, String> blackbox = column(cases, ProbeExporter.blackbox(modules, directory));
        List<String> unexpected = cases.stream()
                .filter(c -> !blackbox.get(c.name()).equals(c.expected() ? "1" : "0"))
                .map(c -> c.name() + ": expected " + (c.expected() ? 1 : 0) + ", blackbox_exporter said "
                        + blackbox.get(c.name()))
                .toList();
        assertThat(unexpected)
                .as("blackbox_exporter's own answers (see %s)", directory.resolve("blackbox.log"))
                .isEmpty();
        writeTable(cases, blackbox, Map.of());

        Map<String, String> vantage = column(
                cases,
                ProbeExporter.vantage(
                        "probe:\n  modulesFile: '" + modules + "'\n  allow: {anyTarget: true}\n", directory));
        String table = writeTable(cases, blackbox, vantage);
        System.out.println(table);

        List<String> disagreements = cases.stream()
                .filter(c -> !blackbox.get(c.name()).equals(vantage.get(c.name())))
                .map(Case::name)
                .toList();
        assertThat(disagreements)
                .as(
                        "cases where vantage and blackbox_exporter disagree (a deliberate difference belongs in "
                                + "DIFFERENCES and docs/blackbox-conformance.md); the table:\n%s",
                        table)
                .containsExactlyInAnyOrderElementsOf(DIFFERENCES.keySet());
    }

    /** {@code probe_success} of every case from {@code exporter}, by case name; stops the exporter. */
    private static Map<String, String> column(List<Case> cases, ProbeExporter exporter) throws Exception {
        try (exporter) {
            Map<String, String> answers = new LinkedHashMap<>();
            for (Case c : cases) {
                answers.put(c.name(), exporter.success(c.target(), c.module()));
            }
            return answers;
        }
    }

    /**
     * The table, as docs/blackbox-conformance.md shows it: one row per case, written to {@link #TABLE}; a vantage cell
     * is empty until its column is known.
     */
    static String writeTable(List<Case> cases, Map<String, String> blackbox, Map<String, String> vantage)
            throws Exception {
        StringBuilder table = new StringBuilder(
                "| case | module | target | blackbox | vantage | agree? |\n|---|---|---|---|---|---|\n");
        for (Case c : cases) {
            String theirs = blackbox.get(c.name());
            String ours = vantage.getOrDefault(c.name(), "");
            String agree = ours.isEmpty()
                    ? ""
                    : theirs.equals(ours) ? "yes" : DIFFERENCES.containsKey(c.name()) ? "no (deliberate)" : "**no**";
            table.append("| ")
                    .append(c.name())
                    .append(" | `")
                    .append(c.module())
                    .append("` | `")
                    .append(c.target().replaceAll("127\\.0\\.0\\.1:\\d+", "127.0.0.1:PORT"))
                    .append("` | ")
                    .append(theirs)
                    .append(" | ")
                    .append(ours)
                    .append(" | ")
                    .append(agree)
                    .append(" |\n");
        }
        Files.createDirectories(TABLE.getParent());
        Files.writeString(TABLE, table, StandardCharsets.UTF_8);
        return table.toString();
    }
}
