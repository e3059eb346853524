package io.vantage.agent.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vantage.agent.config.AgentConfig;
import io.vantage.wire.Documents;
import io.vantage.wire.InvalidDocumentException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The agent file's {@code probe} block: defaults, modules checked at load with errors naming the key, the allow-list. */
class ProbeConfigTest {
    private static AgentConfig load(String probe) {
        return Documents.readYaml("probe:\n" + probe, AgentConfig.class);
    }

    @Test
    void aProbeOnlyFileIsValidWithBlackboxDefaults() {
        AgentConfig config =
                load("  modules: {http_2xx: {http: {}}, dns_udp: {timeout: 5s, dns: {name: example.com}}}\n");

        assertThat(config.probeOnly()).isTrue();
        ProbeConfig probe = config.probe();
        assertThat(probe.maxInFlight()).isEqualTo(64);
        assertThat(probe.maxTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(probe.timeoutOffset()).isEqualTo(Duration.ofMillis(500));
        assertThat(probe.allow().anyTarget()).isFalse();
        assertThat(probe.allow().targets()).isEmpty();
        Module dns = probe.built().get("dns_udp");
        assertThat(dns.prober()).isEqualTo("dns");
        assertThat(dns.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(dns.target("127.0.0.1:5353", Duration.ofSeconds(1)).dns().servers())
                .containsExactly("127.0.0.1:5353");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(
                        "two probers",
                        "  modules: {m: {http: {}, tcp: {}}}\n",
                        "probe.modules.m: set exactly one of http, tcp, tls, dns and grpc (found http, tcp)"),
                Arguments.of(
                        "an empty module", "  modules:\n    m:\n", "probe.modules.m: '' is not a valid modulebody"),
                Arguments.of(
                        "no prober",
                        "  modules: {m: {timeout: 5s}}\n",
                        "probe.modules.m: set exactly one of http, tcp, tls, dns and grpc"),
                Arguments.of(
                        "an unknown module key",
                        "  modules: {m: {htp: {}}}\n",
                        "probe.modules.m.htp: unknown key; known keys here: dns, grpc, http, tcp, timeout, tls"),
                Arguments.of(
                        "the address in the module",
                        "  modules: {http_2xx: {http: {url: 'http://127.0.0.1/'}}}\n",
                        "probe.modules.http_2xx.http.url: the request's target gives it (/probe?target=...); remove it from the module"),
                Arguments.of(
                        "an unknown key of the prober",
                        "  modules: {m: {http: {expectStatuss: [200]}}}\n",
                        "probe.modules.m.http.expectStatuss: unknown key; known keys here: "),
                Arguments.of(
                        "a bad value of the prober",
                        "  modules: {m: {http: {method: 'GET BAD'}}}\n",
                        "probe.modules.m.http.method: "),
                Arguments.of(
                        "keepAlive",
                        "  modules: {m: {http: {keepAlive: true}}}\n",
                        "probe.modules.m.http.keepAlive: /probe opens a new connection for each probe"),
                Arguments.of(
                        "a module timeout too long",
                        "  modules: {m: {timeout: 10m, tcp: {}}}\n",
                        "probe.modules.m.timeout: must be between 10ms and 5m, got 10m"),
                Arguments.of("a bad module name", "  modules: {'a b': {tcp: {}}}\n", "probe: modules.a b: "),
                Arguments.of(
                        "a bad range",
                        "  modules: {m: {tcp: {}}}\n  allow: {targets: ['10.0.0.0/33']}\n",
                        "probe.allow.targets[0]: '10.0.0.0/33': the prefix length must be 0 to 32"),
                Arguments.of(
                        "a bad pattern",
                        "  modules: {m: {tcp: {}}}\n  allow: {targets: ['http://x/']}\n",
                        "probe.allow.targets[0]: 'http://x/' is not a host name"),
                Arguments.of(
                        "a bad port",
                        "  modules: {m: {tcp: {}}}\n  allow: {targets: ['example.com:99999']}\n",
                        "probe.allow.targets[0]: 'example.com:99999': the port must be 1 to 65535"),
                Arguments.of(
                        "maxInFlight 0",
                        "  maxInFlight: 0\n  modules: {m: {tcp: {}}}\n",
                        "probe.maxInFlight: must be between 1 and 10000, got 0"),
                Arguments.of(
                        "no modules and nothing else",
                        "  maxInFlight: 3\n",
                        "targets: is empty, and so are agent.aggregators and probe.modules"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void aBadProbeBlockFailsTheLoadNamingTheKey(String what, String probe, String message) {
        assertThatThrownBy(() -> load(probe))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void theAllowListMatchesNamesWildcardsAddressesRangesAndPorts() {
        AllowList allow = AllowList.parse(
                "targets",
                List.of("api.example.com", "*.internal.example", "192.0.2.7:443", "10.0.0.0/8", "[2001:db8::/32]:80"));

        assertThat(allow.allowsHost("api.example.com", 1)).isTrue();
        assertThat(allow.allowsHost("API.example.com.", 443)).isTrue();
        assertThat(allow.allowsHost("www.example.com", 443)).isFalse();
        assertThat(allow.allowsHost("db.internal.example", 5432)).isTrue();
        assertThat(allow.allowsHost("internal.example", 5432)).isFalse();
        assertThat(allow.allowsHost("192.0.2.7", 443)).isTrue();
        assertThat(allow.allowsHost("192.0.2.7", 80)).isFalse();
        assertThat(allow.allowsHost("10.200.3.4", 9)).isTrue();
        assertThat(allow.allowsHost("11.0.0.1", 9)).isFalse();
        assertThat(allow.allowsAddress("2001:db8:1::5", 80)).isTrue();
        assertThat(allow.allowsAddress("2001:db8:1::5", 443)).isFalse();
        assertThat(allow.allowsAddress("2001:db9::5", 80)).isFalse();
        assertThat(allow.hasAddresses()).isTrue();
        assertThat(AllowList.parse("targets", List.of("a.example")).hasAddresses())
                .isFalse();
    }

    @Test
    void theTimeoutIsBlackboxExportersCappedByMaxTimeout() {
        ProbeConfig probe = load("  maxTimeout: 30s\n  modules: {free: {tcp: {}}, short: {timeout: 2s, tcp: {}}}\n")
                .probe();
        Module free = probe.built().get("free");
        Module shortOne = probe.built().get("short");

        assertThat(ProbeEndpoint.timeout("10", free, probe)).isEqualTo(Duration.ofMillis(9_500));
        assertThat(ProbeEndpoint.timeout("10", shortOne, probe)).isEqualTo(Duration.ofSeconds(2));
        assertThat(ProbeEndpoint.timeout("1.5", shortOne, probe)).isEqualTo(Duration.ofSeconds(1));
        // 120 s without the header (or with 0), then capped.
        assertThat(ProbeEndpoint.timeout(null, free, probe)).isEqualTo(Duration.ofSeconds(30));
        assertThat(ProbeEndpoint.timeout("0", free, probe)).isEqualTo(Duration.ofSeconds(30));
        // Less than the offset: the module's timeout, as blackbox_exporter takes it; without one, the shortest.
        assertThat(ProbeEndpoint.timeout("0.2", shortOne, probe)).isEqualTo(Duration.ofSeconds(2));
        assertThat(ProbeEndpoint.timeout("0.2", free, probe)).isEqualTo(Duration.ofMillis(10));
        assertThatThrownBy(() -> ProbeEndpoint.timeout("soon", free, probe)).isInstanceOf(NumberFormatException.class);
    }
}
