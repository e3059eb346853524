package io.vantage.agent.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.testing.Promtool;
import io.vantage.testing.RawServer;
import io.vantage.testing.TestDnsServer;
import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /probe} of a running agent against servers on loopback, answered as blackbox_exporter answers. */
class ProbeEndpointTest {
    @TempDir
    static Path directory;

    static Vertx vertx;
    static TestHttpServer http;
    static TestHttpServer other;
    static TestHttpServer https;
    static TestPki.Leaf leaf;
    static RunningAgent agent;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        http = TestHttpServer.plain(vertx);
        other = TestHttpServer.plain(vertx);
        TestPki pki = new TestPki(directory);
        leaf = pki.issue("leaf", 30, "localhost");
        https = TestHttpServer.tls(vertx, leaf);
        agent = RunningAgent.start(config("""
                probe:
                  maxInFlight: 2
                  maxTimeout: 10s
                  allow: {targets: ['127.0.0.1:%d', 'localhost']}
                  modules:
                    http_2xx: {http: {}}
                    https_ca: {http: {tls: {caFile: '%s'}}}
                    follow: {http: {followRedirects: true}}
                    tcp_connect: {tcp: {}}
                    held: {timeout: 20s, tcp: {}}
                """.formatted(http.port(), pki.caFile())));
    }

    @AfterAll
    static void stop() {
        agent.close();
        vertx.close().await();
    }

    private static Path config(String probe) throws IOException {
        return Files.writeString(
                Files.createTempFile(directory, "agent", ".yaml"),
                "agent: {id: a1, region: r1}\nserver: {host: 127.0.0.1, port: 0}\n" + probe);
    }

    private HttpResponse<String> get(RunningAgent on, String query, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(on.url("/probe" + query)));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> probe(String target, String module) throws IOException, InterruptedException {
        return get(
                agent,
                "?target=" + URLEncoder.encode(target, StandardCharsets.UTF_8)
                        + (module == null ? "" : "&module=" + module));
    }

    @Test
    void aSuccessfulHttpProbeAnswersBlackboxMetricsThatPromtoolAccepts() throws Exception {
        HttpResponse<String> answer = probe("127.0.0.1:" + http.port() + "/ok", "http_2xx");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(answer.body())
                .contains("# HELP probe_success Displays whether or not the probe was a success\n"
                        + "# TYPE probe_success gauge\nprobe_success 1\n")
                .contains("\nprobe_http_status_code 200\n")
                .contains("\nprobe_http_version 1.1\n")
                .contains("\nprobe_http_content_length 6\n") // "all ok"
                .contains("\nprobe_http_uncompressed_body_length 6\n")
                .contains("\nprobe_http_redirects 0\n")
                .contains("\nprobe_http_ssl 0\n")
                .contains("\nprobe_ip_protocol 4\n")
                // FNV-1a of 127.0.0.1's four bytes, as blackbox_exporter hashes it.
                .contains("\nprobe_ip_addr_hash 3668918509\n")
                .contains("probe_duration_seconds ")
                .contains("probe_dns_lookup_time_seconds 0\n")
                .doesNotContain("probe_ssl_earliest_cert_expiry");
        for (String phase : List.of("resolve", "connect", "tls", "processing", "transfer")) {
            assertThat(answer.body()).contains("probe_http_duration_seconds{phase=\"" + phase + "\"} ");
        }
        Promtool.assertAccepts(answer.body(), directory);
    }

    @Test
    void anHttpsProbeAnswersTheTlsFamilies() throws Exception {
        HttpResponse<String> answer = probe("https://localhost:" + https.port() + "/ok", "https_ca");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body())
                .contains("\nprobe_success 1\n")
                .contains("\nprobe_http_ssl 1\n")
                .contains("\nprobe_ssl_earliest_cert_expiry "
                        + leaf.certificate().getNotAfter().toInstant().getEpochSecond() + "\n");
        assertThat(answer.body()).containsPattern("probe_http_duration_seconds\\{phase=\"tls\"} [0-9.]*[1-9]");
        Promtool.assertAccepts(answer.body(), directory);
    }

    @Test
    void aFailingProbeIsStill200WithProbeSuccessZeroAndTheStatus() throws Exception {
        HttpResponse<String> answer = probe("http://127.0.0.1:" + http.port() + "/status/503", null);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\nprobe_success 0\n").contains("\nprobe_http_status_code 503\n");
        Promtool.assertAccepts(answer.body(), directory);
    }

    @Test
    void aTcpProbeAnswersItsFamilies() throws Exception {
        HttpResponse<String> answer = probe("127.0.0.1:" + http.port(), "tcp_connect");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body())
                .contains("\nprobe_success 1\n")
                .contains("\nprobe_ip_protocol 4\n")
                .doesNotContain("probe_http_");
        Promtool.assertAccepts(answer.body(), directory);
    }

    @Test
    void aDnsProbeAsksTheTargetServerAndAnswersTheDnsFamilies() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start(vertx).set("api.test", "192.0.2.10", "192.0.2.11");
                RunningAgent resolver = RunningAgent.start(config("""
                        probe:
                          allow: {targets: ['127.0.0.1']}
                          modules: {dns_a: {dns: {name: api.test, type: A}}}
                        """))) {
            HttpResponse<String> answer = get(resolver, "?module=dns_a&target=127.0.0.1:" + dns.port());

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body())
                    .contains("\nprobe_success 1\n")
                    .contains("\nprobe_dns_answer_rrs 2\n")
                    .contains("\nprobe_dns_query_succeeded 1\n")
                    .contains("probe_dns_duration_seconds{phase=\"request\"} ")
                    .doesNotContain("probe_http_");
            assertThat(dns.queries()).isEqualTo(1);
            Promtool.assertAccepts(answer.body(), directory);
        }
    }

    @Test
    void badParametersAre400sInBlackboxWords() throws Exception {
        HttpResponse<String> unknown = probe("127.0.0.1:" + http.port(), "nope");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body())
                .startsWith("Unknown module \"nope\" (known: follow, held, http_2xx, https_ca, tcp_connect)");

        HttpResponse<String> missing = get(agent, "?module=http_2xx");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).isEqualTo("Target parameter is missing\n");

        HttpResponse<String> bad = probe("127.0.0.1", "tcp_connect");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body())
                .startsWith("Bad target \"127.0.0.1\" for module tcp_connect: target: '127.0.0.1' must be host:port");

        HttpResponse<String> header =
                get(agent, "?target=127.0.0.1:1&module=tcp_connect", "X-Prometheus-Scrape-Timeout-Seconds", "soon");
        assertThat(header.statusCode()).isEqualTo(500);
        assertThat(header.body()).startsWith("Failed to parse timeout from Prometheus header: ");
    }

    @Test
    void aTargetTheAllowListDoesNotNameIsRefusedAndCounted() throws Exception {
        HttpResponse<String> port = probe("127.0.0.1:" + other.port() + "/ok", "http_2xx");
        HttpResponse<String> address = probe("127.0.0.2:" + http.port(), "tcp_connect");

        assertThat(port.statusCode()).isEqualTo(403);
        assertThat(port.body())
                .isEqualTo("target \"127.0.0.1:" + other.port() + "/ok\" (127.0.0.1:" + other.port()
                        + ") is not allowed: add it to probe.allow.targets in the agent's config (or set "
                        + "probe.allow.anyTarget: true to allow any)\n");
        assertThat(address.statusCode()).isEqualTo(403);
        assertThat(other.requests()).isZero();
        assertThat(agent.value("vantage.agent.probe.requests", "module", "tcp_connect", "outcome", "refused"))
                .isEqualTo(1.0);
    }

    @Test
    void aRedirectToATargetNotAllowedIsRefusedBeforeItIsDialled() throws Exception {
        String elsewhere = "http://127.0.0.1:" + other.port() + "/ok";
        HttpResponse<String> answer = probe(
                "127.0.0.1:" + http.port() + "/redirect-to?location="
                        + URLEncoder.encode(elsewhere, StandardCharsets.UTF_8),
                "follow");

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).contains("127.0.0.1:" + other.port() + " is not allowed");
        assertThat(other.requests()).isZero();
    }

    @Test
    void aHostNameIsAllowedByAnAddressRangeThroughTheAddressItDials() throws Exception {
        try (RunningAgent ranges = RunningAgent.start(config("""
                probe:
                  allow: {targets: ['127.0.0.0/8', '::1']}
                  modules: {http_2xx: {http: {}}}
                """))) {
            HttpResponse<String> name = get(ranges, "?target=localhost:" + http.port() + "/ok");
            HttpResponse<String> outside = get(ranges, "?target=192.0.2.1:" + http.port() + "/ok");

            assertThat(name.statusCode()).isEqualTo(200);
            assertThat(name.body()).contains("\nprobe_success ");
            assertThat(outside.statusCode()).isEqualTo(403);
        }
    }

    @Test
    void anyTargetAllowsWhatTheListDoesNot() throws Exception {
        try (RunningAgent open = RunningAgent.start(config("""
                probe:
                  allow: {anyTarget: true}
                  modules: {tcp_connect: {tcp: {}}}
                """))) {
            // 127.0.0.2 is loopback too; nothing listens there on this port, so the probe runs and fails.
            HttpResponse<String> answer = get(open, "?module=tcp_connect&target=127.0.0.2:" + http.port());

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("\nprobe_success 0\n");
        }
    }

    @Test
    void probesBeyondMaxInFlightAre503AndCounted() throws Exception {
        try (RawServer silent = RawServer.start(vertx, RawServer.Behaviour.SILENT);
                RunningAgent bounded = RunningAgent.start(config("""
                        probe:
                          maxInFlight: 2
                          allow: {targets: ['127.0.0.1']}
                          modules: {held: {timeout: 20s, http: {}}}
                        """))) {
            String query = "?module=held&target=127.0.0.1:" + silent.port() + "/";
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(client.sendAsync(
                        HttpRequest.newBuilder(URI.create(bounded.url("/probe" + query)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> silent.mostOpenAtOnce() == 2);

            HttpResponse<String> third = get(bounded, query);

            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(third.body()).contains("2 are running (probe.maxInFlight)");
            assertThat(bounded.value("vantage.agent.probe.requests", "module", "held", "outcome", "busy"))
                    .isEqualTo(1.0);
            held.forEach(request -> request.cancel(true));
        }
    }

    @Test
    void theScrapeTimeoutHeaderLessTheOffsetIsTheProbesTimeoutCappedByMaxTimeout() throws Exception {
        String query = "?module=tcp_connect&debug=true&target=127.0.0.1:" + http.port();

        assertThat(get(agent, query, "X-Prometheus-Scrape-Timeout-Seconds", "1.5")
                        .body())
                .contains("\ntimeout: 1s\n");
        assertThat(get(agent, query).body()).contains("\ntimeout: 10s\n"); // 120 s without the header, capped
    }

    @Test
    void debugAnswersTheLogTheMetricsAndTheModule() throws Exception {
        HttpResponse<String> answer =
                get(agent, "?module=follow&debug=true&target=127.0.0.1:" + http.port() + "/redirect");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        String text = answer.body();
        assertThat(text)
                .startsWith(
                        "Logs for the probe:\nmodule: follow (http)\ntarget: 127.0.0.1:" + http.port() + "/redirect\n")
                .contains("connecting to 127.0.0.1 port " + http.port())
                .contains("redirect 302 to /ok")
                .contains("HTTP/1.1 200, 6 body characters")
                .contains("probe succeeded: status 200")
                .contains("address dialled: 127.0.0.1\nresult: success\n")
                .contains("\n\n\nMetrics that would have been returned:\n")
                .contains("\nprobe_http_redirects 1\n")
                .contains("\n\n\nModule configuration:\nprober: http\nhttp:\n  followRedirects: true\n");
        assertThat(text.indexOf("Logs for the probe:"))
                .isLessThan(text.indexOf("Metrics that would have been returned:"))
                .isLessThan(text.indexOf("Module configuration:"));
    }

    @Test
    void probeNeedsTheReadTokenWhenOneIsSet() throws Exception {
        Files.writeString(directory.resolve("read-token"), "read-token-of-prometheus-0123");
        Path file = Files.writeString(
                directory.resolve("token-agent.yaml"),
                "server: {host: 127.0.0.1, port: 0, readToken: {tokenFile: read-token}}\n"
                        + "probe: {allow: {targets: ['127.0.0.1']}, modules: {tcp_connect: {tcp: {}}}}\n");
        try (RunningAgent guarded = RunningAgent.start(file)) {
            String query = "?module=tcp_connect&target=127.0.0.1:" + http.port();

            assertThat(get(guarded, query).statusCode()).isEqualTo(401);
            HttpResponse<String> admitted =
                    get(guarded, query, "Authorization", "Bearer read-token-of-prometheus-0123");
            assertThat(admitted.statusCode()).isEqualTo(200);
            assertThat(admitted.body()).contains("\nprobe_success 1\n");
        }
    }

    @Test
    void withoutModulesProbeIs404SayingHowToTurnItOn() throws Exception {
        try (RunningAgent plain = RunningAgent.start(
                config("targets: [{name: web, interval: 1h, tcp: {host: 127.0.0.1, port: " + http.port() + "}}]\n"))) {
            HttpResponse<String> answer = get(plain, "?target=127.0.0.1:1");

            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(answer.body()).contains("no probe.modules");
        }
    }

    @Test
    void aProbeOnlyAgentIsReadyAndPicksUpModuleChangesOnReload() throws Exception {
        Path file = config("probe: {allow: {targets: ['127.0.0.1']}, modules: {first: {tcp: {}}}}\n");
        try (RunningAgent probeOnly = RunningAgent.start(file)) {
            String target = "&target=127.0.0.1:" + http.port();
            assertThat(client.send(
                                    HttpRequest.newBuilder(URI.create(probeOnly.url("/readyz")))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(get(probeOnly, "?module=second" + target).statusCode()).isEqualTo(400);

            Files.writeString(file, Files.readString(file).replace("first:", "second:"));

            await().atMost(Duration.ofSeconds(15))
                    .until(() -> get(probeOnly, "?module=second" + target).statusCode() == 200);
            assertThat(get(probeOnly, "?module=first" + target).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void debugShowsAModulesHeaderValuesAsSecrets() {
        ObjectNode template = JsonNodeFactory.instance.objectNode();
        template.putObject("http").putObject("headers").put("Authorization", "Basic dXNlcjpzM2NyZXQ=");
        Module module = new Module("with_auth", "http", template, null);
        String yaml = ProbeEndpoint.yaml(module);
        assertThat(yaml).contains("Authorization: <secret>").doesNotContain("dXNlcjpzM2NyZXQ");
        assertThat(module.template().at("/http/headers/Authorization").asText())
                .as("the module itself keeps its header")
                .isEqualTo("Basic dXNlcjpzM2NyZXQ=");
    }
}
