package io.vantage.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import io.vantage.wire.target.DnsSpec;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireModelTest {
    private static final String TARGETS_YAML = """
            targets:
              - name: api-eu-west-1
                http:
                  url: https://10.0.0.1/health
                  hostHeader: api.example.com
                  expectStatus: ["200-299", "304"]
                  expectBody: {jsonPointer: {path: /status, equals: UP}}
                  maxLatency: 2s
                  headers: {X-Probe: vantage}
                  tls: {caFile: /etc/vantage/ca.pem}
                interval: 10s
                timeout: 5s
                quorum: {minVantages: 2, healthy: 2, rise: 2, fall: 3}
                failover: {dnsTtl: 60s}
              - name: db-eu-tcp
                tcp: {host: 10.0.0.5, port: 5432}
                interval: 1m
              - name: cert
                tls: {host: api.example.com, port: 443, minDaysRemaining: 21}
            """;

    @Test
    void aConfigOfOneHundredThousandTargetsIsRead() {
        StringBuilder yaml = new StringBuilder("targets:\n");
        for (int i = 0; i < 100_000; i++) {
            yaml.append("  - {name: t")
                    .append(i)
                    .append(", interval: 60s, http: {url: 'http://127.0.0.1:18081/p")
                    .append(i)
                    .append("'}}\n");
        }
        assertThat(yaml.length())
                .as("above SnakeYAML's default limit of 3 Mi code points")
                .isGreaterThan(3 << 20);

        TargetList list = Documents.readYaml(yaml.toString(), TargetList.class);

        assertThat(list.targets()).hasSize(100_000);
        assertThat(list.targets().get(99_999).http().url()).hasPath("/p99999");
    }

    @Test
    void targetListRoundTripsThroughJson() {
        TargetList fromYaml = Documents.readYaml(TARGETS_YAML, TargetList.class);
        byte[] json = Documents.writeJson(fromYaml);
        TargetList back = Documents.readJson(json, TargetList.class);

        assertThat(back).isEqualTo(fromYaml);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .contains("\"interval\":\"10s\"")
                .contains("\"interval\":\"1m\"")
                .doesNotContain("null");
        TargetSpec db = back.targets().get(1);
        assertThat(db.timeout()).as("default timeout").isEqualTo(Duration.ofSeconds(5));
        assertThat(db.freshness()).as("three intervals").isEqualTo(Duration.ofMinutes(3));
        assertThat(back.targets().get(0).http().statusExpected(304)).isTrue();
        assertThat(back.targets().get(0).http().statusExpected(301)).isFalse();
        assertThat(back.targets().get(2).tls().minDaysRemaining()).isEqualTo(21);
    }

    @Test
    void probeFromPlacesATargetAndIsCheckedWhenRead() {
        TargetList placed = Documents.readYaml("""
                targets:
                  - name: private-api
                    tcp: {host: 10.0.0.5, port: 443}
                    probeFrom: [eu-west-1, agent-us]
                  - name: public-api
                    tcp: {host: 192.0.2.1, port: 443}
                """, TargetList.class);
        assertThat(placed.targets().get(0).probeFrom()).containsExactly("eu-west-1", "agent-us");
        assertThat(placed.targets().get(0).hasPlacement()).isTrue();
        assertThat(placed.targets().get(1).probeFrom())
                .as("absent: every vantage point")
                .isEmpty();
        assertThat(placed.targets().get(1).hasPlacement()).isFalse();
        String json = new String(Documents.writeJson(placed), StandardCharsets.UTF_8);
        assertThat(json).as("an empty placement is not written").containsOnlyOnce("probeFrom");
        assertThat(placed.targets().get(0).withoutBinding().probeFrom())
                .as("agents are not sent the placement")
                .isEmpty();

        assertThatThrownBy(() -> Documents.readYaml(
                        "targets: [{name: a, tcp: {host: h, port: 1}, probeFrom: [eu-west-1, eu-west-1]}]",
                        TargetList.class))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("targets[0].probeFrom[1]: 'eu-west-1' is named twice");
        assertThatThrownBy(() -> Documents.readYaml(
                        "targets: [{name: a, tcp: {host: h, port: 1}, probeFrom: ['eu west']}]", TargetList.class))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("targets[0].probeFrom[0]: 'eu west' must be");
        List<String> seventeen = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            seventeen.add("r" + i);
        }
        assertThatThrownBy(() -> Documents.readYaml(
                        "targets: [{name: a, tcp: {host: h, port: 1}, probeFrom: " + seventeen + "}]",
                        TargetList.class))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("targets[0].probeFrom: names 17 vantage points, at most 16");
    }

    /** A dns probe's keys: one response code or a list (configs written for one keep working), and bad values named. */
    @Test
    void dnsProbeKeys() {
        DnsSpec one = dns("{name: a.test, expectRcode: nxdomain}");
        assertThat(one.expectRcode()).containsExactly("NXDOMAIN");
        assertThat(one.transport()).isEqualTo("udp");
        assertThat(one.recursionDesired()).isTrue();
        assertThat(one.validate()).isNull();
        DnsSpec many = dns("{name: a.test, type: soa, expectRcode: [NOERROR, NXDOMAIN], transport: TCP,"
                + " recursionDesired: false, validate: {authority: {failIfNoneMatches: ['\\tSOA\\t']}}}");
        assertThat(many.type()).isEqualTo("SOA");
        assertThat(many.expectRcode()).containsExactly("NOERROR", "NXDOMAIN");
        assertThat(many.transport()).isEqualTo("tcp");
        assertThat(many.recursionDesired()).isFalse();
        assertThat(many.validate().authority().failIfNoneMatches()).containsExactly("\\tSOA\\t");
        assertThat(many.validate().answer().isEmpty()).isTrue();
        assertThat(Documents.readJson(Documents.writeJson(many), DnsSpec.class)).isEqualTo(many);

        assertThatThrownBy(() -> dns("{name: a.test, expectRcode: [NOERROR, GONE]}"))
                .hasMessageContaining("targets[0].dns.expectRcode[1]: 'GONE' must be one of NOERROR, FORMERR");
        assertThatThrownBy(() -> dns("{name: a.test, expectRcode: []}"))
                .hasMessageContaining("targets[0].dns.expectRcode: must name at least one response code");
        assertThatThrownBy(() -> dns("{name: a.test, transport: quic}"))
                .hasMessageContaining("targets[0].dns.transport: 'quic' must be udp or tcp");
        assertThatThrownBy(() -> dns("{name: a.test, validate: {additional: {failIfMatches: [ok, '(']}}}"))
                .hasMessageContaining(
                        "targets[0].dns.validate.additional.failIfMatches[1]: '(' is not a valid RE2 regular expression");
        assertThatThrownBy(() -> dns("{name: a.test, validate: {answers: {}}}"))
                .hasMessageContaining("targets[0].dns.validate.answers: unknown key");
    }

    private static DnsSpec dns(String yaml) {
        return Documents.readYaml("targets: [{name: d, dns: " + yaml + "}]", TargetList.class)
                .targets()
                .get(0)
                .dns();
    }

    @Test
    void httpVersionIsOneOneByDefaultOrThreeOverHttpsOnly() {
        TargetList read = Documents.readYaml("""
                targets:
                  - name: h1
                    http: {url: https://192.0.2.1/}
                  - name: h3
                    http: {url: https://192.0.2.1/, version: "3"}
                  - name: h3-unquoted
                    http: {url: https://192.0.2.1/, version: 3}
                  - name: h1-unquoted
                    http: {url: http://192.0.2.1/, version: 1.1}
                """, TargetList.class);
        assertThat(read.targets()).extracting(t -> t.http().version()).containsExactly("1.1", "3", "3", "1.1");
        assertThat(read.targets()).extracting(t -> t.http().http3()).containsExactly(false, true, true, false);

        assertThatThrownBy(() -> Documents.readYaml(
                        "targets: [{name: a, http: {url: 'https://h/', version: '2'}}]", TargetList.class))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("targets[0].http.version: '2' is not an HTTP version this agent speaks");
        assertThatThrownBy(() -> Documents.readYaml(
                        "targets: [{name: a, http: {url: 'http://h/', version: '3'}}]", TargetList.class))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("targets[0].http.version: HTTP/3 runs over QUIC, which is always TLS");
        assertThatThrownBy(() -> Documents.readYaml(
                        "targets: [{name: a, http: {url: 'https://h/', version: '3', followRedirects: true}}]",
                        TargetList.class))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("targets[0].http.followRedirects: redirects are not followed over HTTP/3");
        assertThatThrownBy(() -> Documents.readYaml(
                        "targets: [{name: a, http: {url: 'https://h/', version: '3', keepAlive: true}}]",
                        TargetList.class))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageContaining("targets[0].http.keepAlive: each HTTP/3 probe is a fresh QUIC connection");
    }

    @Test
    void reportBatchRoundTripsThroughJson() {
        ReportBatch batch = new ReportBatch(
                1,
                "agent-eu",
                "eu-west-1",
                1_790_000_000_000L,
                List.of(
                        ProbeResult.success(
                                "api",
                                1_790_000_000_000L,
                                200,
                                new PhaseTimings(0.001, 0.002, 0.01, 0.02, 0.021),
                                1_800_000_000L),
                        ProbeResult.failure(
                                "db",
                                1_790_000_000_001L,
                                FailureReason.CONNECT_TIMEOUT,
                                null,
                                new PhaseTimings(null, null, null, null, 5.0),
                                null,
                                "no answer within 5000ms: timed out connecting")));
        byte[] json = Documents.writeJson(batch);

        assertThat(Documents.readJson(json, ReportBatch.class)).isEqualTo(batch);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"reason\":\"connect_timeout\"");
    }

    @Test
    void limitsAreEnforcedWhenReading() {
        List<ProbeResult> tooMany = new ArrayList<>();
        for (int i = 0; i <= Limits.MAX_RESULTS_PER_BATCH; i++) {
            tooMany.add(ProbeResult.success("t" + i, 1, null, null, null));
        }
        assertThatThrownBy(() -> new ReportBatch(1, "a", "r", 1, tooMany))
                .hasMessage("results: 5001 results exceed the limit of 5000 per batch");

        String deep = "[".repeat(100) + "]".repeat(100);
        assertThatThrownBy(() -> Documents.readJson(deep.getBytes(StandardCharsets.UTF_8), ReportBatch.class))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessageStartingWith("expected a mapping");
        assertThatThrownBy(() -> Documents.json().readTree(deep))
                .as("the parser itself stops at the nesting limit")
                .hasMessageContaining("Document nesting depth (33) exceeds the maximum allowed (32");
    }

    @Test
    void badReportsNameTheBadField() {
        String wrongType =
                "{\"version\":1,\"agentId\":\"a\",\"region\":\"r\",\"sentAt\":1,\"results\":[{\"target\":\"t\",\"timestamp\":\"soon\",\"success\":true}]}";
        assertThatThrownBy(() -> Documents.readJson(wrongType.getBytes(StandardCharsets.UTF_8), ReportBatch.class))
                .hasMessageStartingWith("results[0].timestamp: expected a whole number");

        String nan =
                "{\"version\":1,\"agentId\":\"a\",\"region\":\"r\",\"sentAt\":1,\"results\":[{\"target\":\"t\",\"timestamp\":5,\"success\":true,"
                        + "\"timings\":{\"total\":-1.0}}]}";
        assertThatThrownBy(() -> Documents.readJson(nan.getBytes(StandardCharsets.UTF_8), ReportBatch.class))
                .hasMessage("results[0].timings.total: -1.0 is not a duration in seconds between 0 and 3600");

        String missingReason =
                "{\"version\":1,\"agentId\":\"a\",\"region\":\"r\",\"sentAt\":1,\"results\":[{\"target\":\"t\",\"timestamp\":5,\"success\":false}]}";
        assertThatThrownBy(() -> Documents.readJson(missingReason.getBytes(StandardCharsets.UTF_8), ReportBatch.class))
                .hasMessage("results[0].reason: is required on failure");

        String unknownReason =
                "{\"version\":1,\"agentId\":\"a\",\"region\":\"r\",\"sentAt\":1,\"results\":[{\"target\":\"t\",\"timestamp\":5,\"success\":false,\"reason\":\"gremlins\"}]}";
        assertThatThrownBy(() -> Documents.readJson(unknownReason.getBytes(StandardCharsets.UTF_8), ReportBatch.class))
                .hasMessageStartingWith("results[0].reason:");

        String version = "{\"version\":2,\"agentId\":\"a\",\"region\":\"r\",\"sentAt\":1,\"results\":[]}";
        assertThatThrownBy(() -> Documents.readJson(version.getBytes(StandardCharsets.UTF_8), ReportBatch.class))
                .hasMessage("version: unsupported wire version 2; this build speaks 1");

        assertThatThrownBy(() -> Documents.readJson(
                        "{\"version\":1,\"agentId\":\"a\",\"region\":\"r\",\"sentAt\":1,\"results\":[]} {}"
                                .getBytes(StandardCharsets.UTF_8),
                        ReportBatch.class))
                .hasMessageStartingWith("malformed document");
    }

    /**
     * What a probed server chose is reported escaped and cut, never inside an escape; a message is made so by the result
     * itself, a dns probe's answers by withAnswers; answers that still hold a control character are a broken agent's,
     * refused naming the field.
     */
    @Test
    void serverTextIsReportedEscapedWhileARawControlCharacterInAnswersIsRefused() {
        assertThat(Checks.reportable("v=1\tkey", 255)).isEqualTo("v=1\\tkey");
        assertThat(Checks.reportable("a\0b\u007fc\r\n", 255)).isEqualTo("a\\u0000b\\u007fc\\r\\n");
        assertThat(Checks.reportable("x\0", 6))
                .as("an escape that does not fit is left out whole")
                .isEqualTo("x");
        assertThat(Checks.reportable("plain", 3)).isEqualTo("pla");
        assertThat(Checks.reportable("ok", 3)).isSameAs("ok").isEqualTo("ok");

        ProbeResult failed = ProbeResult.failure(
                "t", 5, FailureReason.BODY_MISMATCH, 200, null, null, "is 'DOWN\nforged'" + "\t".repeat(300));
        assertThat(failed.message())
                .as("256 characters would end inside an escape")
                .isEqualTo("is 'DOWN\\nforged'" + "\\t".repeat(119))
                .hasSize(ProbeResult.MAX_MESSAGE_LENGTH - 1);
        assertThat(ProbeResult.success("t", 5, null, null, null)
                        .withAnswers(List.of("v=1\tkey", "y".repeat(300)), List.of())
                        .answers())
                .containsExactly("v=1\\tkey", "y".repeat(ProbeResult.MAX_RECORD_LENGTH));

        String raw = "{\"version\":1,\"agentId\":\"a\",\"region\":\"r\",\"sentAt\":1,\"results\":[{\"target\":\"t\","
                + "\"timestamp\":5,\"success\":true,\"answers\":[\"v=1\\tkey\"]}]}";
        assertThatThrownBy(() -> Documents.readJson(raw.getBytes(StandardCharsets.UTF_8), ReportBatch.class))
                .hasMessage("results[0].answers[0]: 'v=1?key' contains a control character (shown as ?)");
    }

    @Test
    void durations() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        for (String text : new String[] {"500ms", "10s", "1m", "90s", "2h", "1500ms", "0s", "3d"}) {
            assertThat(Durations.format(Durations.parse(text)))
                    .as("formatting %s back", text)
                    .isEqualTo(text);
        }
        assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ofMillis(61_000)))
                .as("not a whole minute")
                .isEqualTo("61s");
        assertThatThrownBy(() -> Durations.parse("1.5s")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.parse("NaN")).hasMessageContaining("is not a duration");
    }
}
