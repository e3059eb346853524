package io.vantage.agent.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vantage.wire.Documents;
import io.vantage.wire.InvalidDocumentException;
import io.vantage.wire.target.HttpSpec;
import io.vantage.wire.target.TargetSpec;
import io.vantage.wire.target.TcpSpec;
import io.vantage.wire.target.TlsSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** blackbox_exporter's own module files, read as they are: every module maps or is refused, naming why. */
class BlackboxModulesTest {
    private static String resource(String name) throws IOException {
        try (InputStream in = BlackboxModulesTest.class.getResourceAsStream("/blackbox/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, Module> byName(BlackboxModules.Loaded loaded) {
        return loaded.modules().stream().collect(Collectors.toMap(Module::name, module -> module));
    }

    private static String json(Module module) {
        return module.template().get(module.prober()).toString();
    }

    @Test
    void blackboxYml() throws IOException {
        BlackboxModules.Loaded mapped = BlackboxModules.map(resource("blackbox.yml"));
        Map<String, Module> modules = byName(mapped);
        assertThat(modules.keySet())
                .containsExactlyInAnyOrder(
                        "http_2xx",
                        "http_post_2xx",
                        "tcp_connect",
                        "pop3s_banner",
                        "grpc",
                        "grpc_plain",
                        "ssh_banner",
                        "ssh_banner_extract",
                        "irc_banner",
                        "http_3xx");
        assertThat(mapped.refused())
                .containsExactlyInAnyOrder(
                        "module icmp: prober icmp is not supported by vantage (it needs raw sockets)",
                        "module icmp_ttl5: prober icmp is not supported by vantage (it needs raw sockets)",
                        "module postgresql: query_response[0].send: binary data (!!binary) is not supported by vantage",
                        "module websocket: prober websocket is not supported by vantage");
        assertThat(json(modules.get("http_2xx")))
                .isEqualTo("{\"method\":\"GET\",\"expectStatus\":[\"200-299\"],\"followRedirects\":true,"
                        + "\"maxRedirects\":10,\"allowInsecureRedirects\":true,\"maxBodyBytes\":16777216,"
                        + "\"failOverBodyLimit\":false}");
        assertThat(modules.get("pop3s_banner").prober()).isEqualTo("tls");
        assertThat(json(modules.get("pop3s_banner")))
                .isEqualTo("{\"queryResponse\":[{\"expect\":\"^+OK\"}],\"minDaysRemaining\":0}");
        assertThat(json(modules.get("grpc"))).isEqualTo("{\"service\":\"\",\"tls\":true}");
        assertThat(json(modules.get("grpc_plain"))).isEqualTo("{\"service\":\"service1\",\"tls\":false}");
        assertThat(json(modules.get("irc_banner")))
                .isEqualTo(
                        "{\"queryResponse\":[{\"send\":\"NICK prober\"},{\"send\":\"USER prober prober prober "
                                + ":prober\"},{\"expect\":\"PING :([^ ]+)\",\"send\":\"PONG ${1}\"},{\"expect\":\"^:[^ ]+ 001\"}]}");
        assertThat(modules.get("ssh_banner_extract").timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(mapped.notes())
                .containsExactlyInAnyOrder(
                        "module ssh_banner_extract: query_response[0].labels ignored (vantage does not "
                                + "report probe_expect_info)",
                        "module http_3xx: redirects are not followed over HTTP/3 (enable_http3): a redirect is judged "
                                + "by its status code");
        JsonNode http3 = modules.get("http_3xx").template().get("http");
        assertThat(http3.get("version").asText()).isEqualTo("3");
        assertThat(http3.get("expectVersions").toString()).isEqualTo("[\"HTTP/3.0\"]");
        assertThat(BlackboxModules.read(resource("blackbox.yml")).modules())
                .as("every mapped module reads into a target, HTTP/3's included")
                .extracting(Module::name)
                .containsExactlyInAnyOrderElementsOf(modules.keySet());

        // read() completes the http, tcp and tls templates now: these all become targets.
        BlackboxModules.Loaded read = BlackboxModules.read(resource("blackbox.yml"));
        assertThat(byName(read).keySet())
                .contains(
                        "http_2xx",
                        "http_post_2xx",
                        "tcp_connect",
                        "pop3s_banner",
                        "ssh_banner",
                        "ssh_banner_extract",
                        "irc_banner");
        assertThat(read.refused()).containsAll(mapped.refused());
        TlsSpec pop3s = (TlsSpec) byName(read)
                .get("pop3s_banner")
                .target("mail.example.com:995", Duration.ofSeconds(5))
                .probe();
        assertThat(pop3s.minDaysRemaining()).isZero();
        assertThat(pop3s.queryResponse()).hasSize(1);
    }

    @Test
    void exampleYml() throws IOException {
        BlackboxModules.Loaded loaded = BlackboxModules.read(resource("example.yml"));
        Map<String, Module> modules = byName(loaded);
        assertThat(modules.keySet())
                .containsExactlyInAnyOrder(
                        "http_2xx_example",
                        "http_post_2xx",
                        "http_basic_auth_example",
                        "http_custom_ca_example",
                        "tls_connect",
                        "tcp_connect_example",
                        "imap_starttls",
                        "smtp_starttls",
                        "irc_banner_example",
                        "rabbitmq",
                        "rabbitmq_insecure",
                        "dns_udp_example",
                        "dns_soa",
                        "dns_tcp_example");
        assertThat(loaded.refused())
                .containsExactlyInAnyOrder(
                        "module http_with_proxy: proxy_url: vantage does not probe through a proxy",
                        "module http_with_proxy_and_headers: proxy_url: vantage does not probe through a proxy",
                        "module http_post_body_file: body_file: vantage reads no body files; give the body in body",
                        "module http_json_cel_match: fail_if_body_json_not_matches_cel: CEL expressions are not "
                                + "supported by vantage",
                        "module http_2xx_oauth_client_credentials: oauth2 is not supported by vantage",
                        "module http_gzip: compression: vantage does not decompress bodies (its checks would see "
                                + "compressed bytes)",
                        "module http_gzip_with_accept_encoding: compression: vantage does not decompress bodies (its "
                                + "checks would see compressed bytes)",
                        "module icmp_example: prober icmp is not supported by vantage (it needs raw sockets)",
                        "module unix_socket_ping: prober unix is not supported by vantage (it probes over the network)",
                        "module postgresql: query_response[0].send: binary data (!!binary) is not supported by vantage",
                        "module http_with_header_from_files: http_headers.X-API-Key.files: vantage reads no header "
                                + "files; give the value in headers",
                        "module websocket_example_basic_auth: prober websocket is not supported by vantage",
                        "module websocket_example_bearer_token: prober websocket is not supported by vantage");
        assertThat(loaded.notes())
                .containsExactlyInAnyOrder(
                        "module http_2xx_example: preferred_ip_protocol ip4 without ip_protocol_fallback: vantage "
                                + "dials the addresses a name resolves to in turn, of either family, as a client does");

        HttpSpec example = (HttpSpec) modules.get("http_2xx_example")
                .target("https://www.example.com/", Duration.ofSeconds(5))
                .probe();
        assertThat(example.hostHeader()).isEqualTo("vhost.example.com");
        assertThat(example.headers())
                .containsExactlyInAnyOrderEntriesOf(Map.of("Origin", "example.com", "Accept-Language", "en-US"));
        assertThat(example.expectVersions()).containsExactly("HTTP/1.1", "HTTP/2.0");
        assertThat(example.followRedirects()).isTrue();
        assertThat(example.maxRedirects()).isEqualTo(10);
        assertThat(example.expectTls()).isNull();
        assertThat(example.rejectBodyRegex()).containsExactly("Could not connect to database");
        assertThat(example.expectBodyRegex()).containsExactly("Download the latest version here");
        assertThat(example.expectHeaders()).hasSize(2);
        assertThat(example.expectHeaders().get(0).name()).isEqualTo("Set-Cookie");
        assertThat(example.expectHeaders().get(0).mustNotMatch()).isTrue();
        assertThat(example.expectHeaders().get(0).allowMissing()).isTrue();
        assertThat(example.expectHeaders().get(1).regex()).isEqualTo("(\\*|example\\.com)");
        assertThat(example.statusExpected(200)).isTrue();
        assertThat(example.statusExpected(302))
                .as("blackbox's default is 2xx only")
                .isFalse();
        assertThat(modules.get("http_2xx_example").timeout()).isEqualTo(Duration.ofSeconds(5));

        HttpSpec basic = (HttpSpec) modules.get("http_basic_auth_example")
                .target("login.example.com", Duration.ofSeconds(5))
                .probe();
        assertThat(basic.url().toString()).isEqualTo("http://login.example.com");
        assertThat(basic.headers()).containsEntry("Authorization", "Basic dXNlcm5hbWU6bXlzZWNyZXQ=");
        assertThat(basic.method()).isEqualTo("POST");

        HttpSpec post = (HttpSpec) modules.get("http_post_2xx")
                .target("h:8080", Duration.ofSeconds(5))
                .probe();
        assertThat(post.body()).isEqualTo("{}");
        assertThat(post.headers()).containsEntry("Content-Type", "application/json");

        assertThat(((HttpSpec) modules.get("http_custom_ca_example")
                                .target("h", Duration.ofSeconds(5))
                                .probe())
                        .tls()
                        .caFile())
                .isEqualTo("/certs/my_cert.crt");

        TcpSpec smtp = (TcpSpec) modules.get("smtp_starttls")
                .target("mx.example.com:25", Duration.ofSeconds(5))
                .probe();
        assertThat(smtp.queryResponse()).hasSize(9);
        assertThat(smtp.queryResponse().get(1).send()).isEqualTo("EHLO prober\r");
        assertThat(smtp.queryResponse().get(5).startTls()).isTrue();
        assertThat(smtp.effectiveServerName()).isEqualTo("mx.example.com");

        TlsSpec insecure = (TlsSpec) modules.get("rabbitmq_insecure")
                .target("mq:5671", Duration.ofSeconds(5))
                .probe();
        assertThat(insecure.insecureSkipVerify()).isTrue();
        assertThat(insecure.caFile())
                .as("Go ignores the CA when verification is skipped")
                .isNull();
        TlsSpec verified = (TlsSpec)
                modules.get("rabbitmq").target("mq:5671", Duration.ofSeconds(5)).probe();
        assertThat(verified.caFile()).isEqualTo("/etc/blackbox_exporter/CA_cert.crt");
        assertThat(modules.get("rabbitmq").timeout()).isEqualTo(Duration.ofSeconds(30));

        assertThat(json(modules.get("dns_udp_example")))
                .isEqualTo(
                        "{\"name\":\"www.prometheus.io\",\"type\":\"A\",\"transport\":\"udp\",\"recursionDesired\":true,"
                                + "\"expectRcode\":[\"NOERROR\"],\"validate\":{\"answer\":{\"failIfAllMatch\":[\".*127.0.0.1\"],"
                                + "\"failIfMatches\":[\".*127.0.0.1\"],\"failIfNoneMatches\":[\"127.0.0.1\"],"
                                + "\"failIfNotMatches\":[\"www.prometheus.io.\\t300\\tIN\\tA\\t127.0.0.1\"]},"
                                + "\"authority\":{\"failIfMatches\":[\".*127.0.0.1\"]},\"additional\":{\"failIfMatches\":"
                                + "[\".*127.0.0.1\"]}},\"expectAnswer\":{\"minCount\":0}}");
        assertThat(json(modules.get("dns_tcp_example")))
                .isEqualTo(
                        "{\"name\":\"www.prometheus.io\",\"type\":\"ANY\",\"transport\":\"tcp\",\"recursionDesired\":true,"
                                + "\"expectRcode\":[\"NOERROR\"],\"expectAnswer\":{\"minCount\":0}}");
        assertThat(json(modules.get("dns_soa"))).contains("\"type\":\"SOA\"");
    }

    @Test
    void anUnknownKeyAnywhereRejectsTheFileWithItsPath() {
        assertThatThrownBy(() ->
                        BlackboxModules.read("modules:\n  m:\n    prober: http\n    http:\n      fail_if_sll: true\n"))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessage("modules.m.http.fail_if_sll: unknown key (blackbox_exporter would refuse this file too)");
        assertThatThrownBy(() -> BlackboxModules.read(
                        "modules:\n  m:\n    prober: tcp\n    tcp:\n      tls_config: {insecure: true}\n"))
                .hasMessageStartingWith("modules.m.tcp.tls_config.insecure: unknown key");
        assertThatThrownBy(() -> BlackboxModules.read(
                        "modules:\n  m:\n    prober: tcp\n    tcp:\n      query_response: [{expect: x, sned: y}]\n"))
                .hasMessageStartingWith("modules.m.tcp.query_response[0].sned: unknown key");
        assertThatThrownBy(() -> BlackboxModules.read("modules:\n  m:\n    prober: icmp\n    icmp: {tll: 3}\n"))
                .as("even in a module vantage refuses")
                .hasMessageStartingWith("modules.m.icmp.tll: unknown key");
        assertThatThrownBy(() -> BlackboxModules.read("moduels: {}\n")).hasMessageStartingWith("moduels: unknown key");
        assertThatThrownBy(() -> BlackboxModules.read("modules:\n  m:\n    prober: ftp\n"))
                .hasMessage("modules.m.prober: prober 'ftp' is not valid");
        assertThatThrownBy(() -> BlackboxModules.read("modules:\n  m:\n    prober: http\n    timeout: 5 seconds\n"))
                .hasMessageContaining("modules.m.timeout: '5 seconds' is not a duration");
        assertThatThrownBy(() -> BlackboxModules.read("modules:\n  m:\n    prober: dns\n    dns: {query_type: A}\n"))
                .hasMessage("modules.m.dns.query_name: query name must be set for DNS module");
        assertThatThrownBy(() -> BlackboxModules.read("modules: [\n")).isInstanceOf(InvalidDocumentException.class);
    }

    @Test
    void blackboxDefaultsAreWrittenOutAndDifferFromVantages() {
        BlackboxModules.Loaded loaded = BlackboxModules.read(
                "modules:\n  plain: {prober: http}\n  dns: {prober: dns, dns: {query_name: example.com}}\n"
                        + "  slow: {prober: tcp, timeout: 1m30s}\n");
        Map<String, Module> modules = byName(loaded);
        HttpSpec plain = (HttpSpec)
                modules.get("plain").target("h", Duration.ofSeconds(5)).probe();
        assertThat(plain.expectStatus()).containsExactly("200-299");
        assertThat(plain.followRedirects()).isTrue();
        assertThat(plain.maxRedirects()).isEqualTo(10);
        assertThat(plain.method()).isEqualTo("GET");
        assertThat(plain.maxBodyBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(plain.expectVersions()).isEmpty();

        HttpSpec vantage = Documents.readYaml("name: t\nhttp: {url: 'http://h/'}", TargetSpec.class)
                .http();
        assertThat(vantage.expectStatus()).as("vantage's own defaults stay").containsExactly("200-399");
        assertThat(vantage.followRedirects()).isFalse();

        assertThat(json(modules.get("dns")))
                .isEqualTo("{\"name\":\"example.com\",\"type\":\"ANY\",\"transport\":\"udp\",\"recursionDesired\":true,"
                        + "\"expectRcode\":[\"NOERROR\"],\"expectAnswer\":{\"minCount\":0}}");
        assertThat(modules.get("slow").timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(modules.get("plain").timeout()).isNull();
    }

    @Test
    void optionsMapOrRefuseTheModuleAlone() {
        BlackboxModules.Loaded loaded = BlackboxModules.read("""
                modules:
                  limited:
                    prober: http
                    http:
                      body_size_limit: 1KB
                      no_follow_redirects: true
                      fail_if_not_ssl: true
                      valid_status_codes: [200, 204]
                      valid_http_versions: ["HTTP/2", "HTTP/1.1"]
                      bearer_token: abc
                      tls_config: {server_name: api.internal, min_version: TLS12}
                  grpc_tls:
                    prober: grpc
                    grpc:
                      tls: true
                      tls_config: {ca_file: /ca.pem, server_name: grpc.internal}
                  h2_only:
                    prober: http
                    http: {valid_http_versions: ["HTTP/2.0"]}
                  both_ssl:
                    prober: http
                    http: {fail_if_ssl: true, fail_if_not_ssl: true}
                  client_cert:
                    prober: http
                    http: {tls_config: {cert_file: /c.pem, key_file: /k.pem}}
                  old_tls:
                    prober: tcp
                    tcp: {tls: true, tls_config: {min_version: TLS10}}
                  bad_regex:
                    prober: http
                    http: {fail_if_body_matches_regexp: ['(?=x)']}
                  bad_method:
                    prober: http
                    http: {method: BREW}
                  tls_starttls:
                    prober: tcp
                    tcp: {tls: true, query_response: [{starttls: true}]}
                  source:
                    prober: tcp
                    tcp: {source_ip_address: 192.0.2.1}
                """);
        Map<String, Module> modules = byName(loaded);
        assertThat(modules.keySet()).containsExactlyInAnyOrder("limited", "grpc_tls");
        assertThat(loaded.refused())
                .filteredOn(message -> message.startsWith("module bad_method: "))
                .singleElement()
                .asString()
                .startsWith("module bad_method: http.method: 'BREW' is not one of [");
        List<String> others = loaded.refused().stream()
                .filter(message -> !message.startsWith("module bad_method: "))
                .toList();
        HttpSpec limited = (HttpSpec) modules.get("limited")
                .target("https://h/", Duration.ofSeconds(5))
                .probe();
        assertThat(limited.maxBodyBytes()).isEqualTo(1024);
        assertThat(limited.failOverBodyLimit()).isTrue();
        assertThat(limited.followRedirects()).isFalse();
        assertThat(limited.expectTls()).isTrue();
        assertThat(limited.expectStatus()).containsExactly("200", "204");
        assertThat(limited.expectVersions())
                .as("HTTP/2 is never a version Go reports")
                .containsExactly("HTTP/1.1");
        assertThat(limited.headers()).containsEntry("Authorization", "Bearer abc");
        assertThat(limited.tlsServerName()).isEqualTo("api.internal");
        assertThat(json(modules.get("grpc_tls")))
                .isEqualTo("{\"service\":\"\",\"tls\":true,\"serverName\":\"grpc.internal\",\"caFile\":\"/ca.pem\"}");
        assertThat(others)
                .containsExactlyInAnyOrder(
                        "module h2_only: valid_http_versions [HTTP/2.0]: vantage speaks HTTP/1.1 (HTTP/3 with "
                                + "enable_http3), never HTTP/2",
                        "module both_ssl: fail_if_ssl and fail_if_not_ssl together: no answer can pass",
                        "module client_cert: tls_config.cert_file: client certificates are not supported by vantage",
                        "module old_tls: tls_config.min_version TLS10: vantage negotiates TLS 1.2 or 1.3, as it "
                                + "chooses",
                        "module bad_regex: http.fail_if_body_matches_regexp: '(?=x)' is not a valid RE2 regular "
                                + "expression: invalid or unsupported Perl syntax",
                        "module tls_starttls: query_response[0].starttls with tls: true: the connection is TLS from "
                                + "the start",
                        "module source: source_ip_address: vantage dials from the address the system chooses");
    }
}
