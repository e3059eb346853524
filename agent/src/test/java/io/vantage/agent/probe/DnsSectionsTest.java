package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.check.Checks;
import io.vantage.testing.TestDnsServer;
import io.vantage.wire.Documents;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.DnsSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dns probe as blackbox_exporter's dns modules use it, against a real DNS server on loopback: response code lists,
 * the four checks of each section over each record's full text, ANY and SOA, TCP, recursion, and what the probe learns
 * (facts, explanation, phase timings).
 */
class DnsSectionsTest {
    static Vertx vertx;
    static Context context;
    static TestDnsServer dns;
    static DnsProber prober;
    /** A prober of an agent with no dns.servers, whose dns probes without servers read resolv.conf. */
    static DnsProber bare;

    @TempDir
    static Path directory;

    /** What one probe returned and learned. */
    record Run(ProbeResult result, Attempt attempt) {}

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
        dns = TestDnsServer.start(vertx)
                .soa("zone.test", "ns1.zone.test", "hostmaster.zone.test", 2024120701L)
                .ns("zone.test", "ns1.zone.test", "ns2.zone.test")
                .set("ns1.zone.test", "192.0.2.53")
                .set("ns2.zone.test", "192.0.2.54", "2001:db8::54")
                .set("www.zone.test", "192.0.2.80", "192.0.2.81")
                .ttl("www.zone.test", 300)
                .txt("www.zone.test", "v=spf1 -all");
        prober = onContext(List.of(SocketAddress.inetSocketAddress(dns.port(), "127.0.0.1")));
        bare = onContext(List.of());
        // The first probe in this JVM loads the DNS codec's classes: not what these tests look at.
        Run warm = run("{name: www.zone.test}", 30_000);
        assertThat(warm.result().success()).as(warm.result().message()).isTrue();
    }

    /** A prober made on the test's context, whose agent resolves host names with {@code agentServers}. */
    private static DnsProber onContext(List<SocketAddress> agentServers) {
        Promise<DnsProber> made = Promise.promise();
        context.runOnContext(v -> {
            Dialer dialer = new Dialer(vertx, TlsEngine.JDK, new Resolver(vertx, agentServers, Duration.ofSeconds(1)));
            made.complete(new DnsProber(vertx, dialer, new Checks(), directory.resolve("resolv.conf")));
        });
        return made.future().await();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    /** Runs one dns probe (its servers: the test server, unless the spec names some) with its explanation kept. */
    static Run run(String dnsYaml) {
        return run(dnsYaml, 2000);
    }

    static Run run(String dnsYaml, int timeoutMillis) {
        return run(prober, dnsYaml, timeoutMillis);
    }

    static Run run(DnsProber prober, String dnsYaml, int timeoutMillis) {
        String yaml = dnsYaml.contains("servers:")
                ? dnsYaml
                : dnsYaml.replaceFirst("}$", ", servers: ['127.0.0.1:" + dns.port() + "']}");
        DnsSpec spec = Documents.readYaml(yaml, DnsSpec.class);
        Promise<ProbeResult> result = Promise.promise();
        Attempt attempt = new Attempt("t", System.currentTimeMillis(), System.nanoTime());
        attempt.explaining();
        // As the runner does: a failed future is an unexpected error, classified by the phase it interrupted.
        context.runOnContext(v -> prober.probe(spec, attempt, timeoutMillis)
                .recover(error -> Future.succeededFuture(
                        attempt.fail(Failures.classify(error, attempt.phase()), Failures.describe(error))))
                .onComplete(result));
        return new Run(result.future().await(), attempt);
    }

    private static void passes(String dnsYaml) {
        Run run = run(dnsYaml);
        assertThat(run.result().success())
                .as(dnsYaml + ": " + run.result().message() + "\n"
                        + String.join("\n", run.attempt().explanation()))
                .isTrue();
    }

    private static ProbeResult fails(String dnsYaml, FailureReason reason) {
        Run run = run(dnsYaml);
        assertThat(run.result().reason())
                .as(dnsYaml + ": " + run.result().message() + "\n"
                        + String.join("\n", run.attempt().explanation()))
                .isEqualTo(reason);
        return run.result();
    }

    @Test
    void theResponseCodeIsOneOfAList() {
        passes("{name: gone.zone.test, expectRcode: [NOERROR, NXDOMAIN]}");
        passes("{name: www.zone.test, expectRcode: [NOERROR, NXDOMAIN]}");
        passes("{name: gone.zone.test, expectRcode: nxdomain}");
        dns.rcode("broken.zone.test", 2);
        ProbeResult servfail = fails("{name: broken.zone.test, expectRcode: [NOERROR, NXDOMAIN]}", FailureReason.DNS);
        assertThat(servfail.message()).isEqualTo("A broken.zone.test: SERVFAIL, expected one of NOERROR, NXDOMAIN");
        ProbeResult found = fails("{name: www.zone.test, expectRcode: NXDOMAIN}", FailureReason.DNS);
        assertThat(found.message()).isEqualTo("A www.zone.test: NOERROR, expected NXDOMAIN");
    }

    /** Each check of the answer section, passing and failing, over the records' full text. */
    @Test
    void theAnswerSectionsFourChecks() {
        passes("{name: www.zone.test, validate: {answer: {failIfMatches: ['\\tA\\t10\\.']}}}");
        ProbeResult matches = fails(
                "{name: www.zone.test, validate: {answer: {failIfMatches: ['\\t300\\tIN\\tA\\t192\\.0\\.2\\.81$']}}}",
                FailureReason.BODY_MISMATCH);
        assertThat(matches.message())
                .isEqualTo("A www.zone.test: answer record 'www.zone.test.\\t300\\tIN\\tA\\t192.0.2.81' matches"
                        + " failIfMatches /\\t300\\tIN\\tA\\t192\\.0\\.2\\.81$/");

        passes(
                "{name: www.zone.test, validate: {answer: {failIfNotMatches: ['^www\\.zone\\.test\\.\\t300\\tIN\\tA\\t192\\.0\\.2\\.8[01]$']}}}");
        ProbeResult notMatching = fails(
                "{name: www.zone.test, validate: {answer: {failIfNotMatches: ['192\\.0\\.2\\.80$']}}}",
                FailureReason.BODY_MISMATCH);
        assertThat(notMatching.message()).contains("192.0.2.81' does not match failIfNotMatches");

        passes("{name: www.zone.test, validate: {answer: {failIfAllMatch: ['\\tA\\t192\\.0\\.2\\.']}}}");
        ProbeResult notAll = fails(
                "{name: www.zone.test, validate: {answer: {failIfAllMatch: ['\\.80$']}}}", FailureReason.BODY_MISMATCH);
        assertThat(notAll.message()).contains("does not match failIfAllMatch");

        passes("{name: www.zone.test, validate: {answer: {failIfNoneMatches: ['\\.99$', '\\.81$']}}}");
        ProbeResult none = fails(
                "{name: www.zone.test, validate: {answer: {failIfNoneMatches: ['\\.99$']}}}",
                FailureReason.BODY_MISMATCH);
        assertThat(none.message()).contains("has no record matching failIfNoneMatches");
    }

    /** NXDOMAIN carries the zone's SOA in the authority section (RFC 2308), which the checks see. */
    @Test
    void theAuthoritySectionsChecks() {
        String nx = "{name: gone.zone.test, expectRcode: NXDOMAIN, validate: {authority: ";
        passes(nx + "{failIfNoneMatches: ['\\tSOA\\tns1\\.zone\\.test\\. hostmaster\\.zone\\.test\\. 2024120701 ']}}}");
        passes(nx + "{failIfNotMatches: ['^zone\\.test\\.\\t0\\tIN\\tSOA\\t'], failIfAllMatch: ['\\tSOA\\t']}}}");
        passes(nx + "{failIfMatches: ['\\tNS\\t']}}}");
        fails(nx + "{failIfMatches: ['\\tSOA\\t']}}}", FailureReason.BODY_MISMATCH);
        fails(nx + "{failIfNotMatches: ['\\tNS\\t']}}}", FailureReason.BODY_MISMATCH);
        fails(nx + "{failIfAllMatch: ['2024120799']}}}", FailureReason.BODY_MISMATCH);
        fails(nx + "{failIfNoneMatches: ['2024120799']}}}", FailureReason.BODY_MISMATCH);
        Run run = run(nx + "{failIfMatches: ['\\tSOA\\t']}}}");
        assertThat(run.attempt().facts()).containsEntry(Fact.FAILED_DUE_TO_REGEX, 1.0);
        assertThat(run.result().answers())
                .as("no records are reported for NXDOMAIN")
                .isNull();
    }

    /** An NS answer carries the name servers' addresses as additional records. */
    @Test
    void theAdditionalSectionsChecks() {
        String ns = "{name: zone.test, type: NS, validate: {additional: ";
        passes(ns + "{failIfNotMatches: ['^ns[12]\\.zone\\.test\\.\\t0\\tIN\\t(A|AAAA)\\t']}}}");
        passes(ns + "{failIfNoneMatches: ['\\tAAAA\\t2001:db8::54$']}}}");
        passes(ns + "{failIfMatches: ['\\tA\\t10\\.']}}}");
        passes(ns + "{failIfAllMatch: ['\\tIN\\t']}}}");
        fails(ns + "{failIfMatches: ['\\tAAAA\\t']}}}", FailureReason.BODY_MISMATCH);
        fails(ns + "{failIfNotMatches: ['\\tA\\t']}}}", FailureReason.BODY_MISMATCH);
        ProbeResult notAll = fails(ns + "{failIfAllMatch: ['\\tA\\t192\\.0\\.2\\.']}}}", FailureReason.BODY_MISMATCH);
        assertThat(notAll.message())
                .as("as blackbox_exporter: fails unless every record matches")
                .contains("AAAA");
        fails(ns + "{failIfNoneMatches: ['192\\.0\\.2\\.99']}}}", FailureReason.BODY_MISMATCH);

        Run run = run(ns + "{}}}");
        assertThat(run.attempt().facts())
                .containsEntry(Fact.DNS_QUERY_SUCCEEDED, 1.0)
                .containsEntry(Fact.DNS_ANSWER_RRS, 2.0)
                .containsEntry(Fact.DNS_AUTHORITY_RRS, 0.0)
                .containsEntry(Fact.DNS_ADDITIONAL_RRS, 3.0)
                .containsEntry(Fact.FAILED_DUE_TO_REGEX, 0.0);
        assertThat(run.result().answers()).containsExactly("ns1.zone.test", "ns2.zone.test");
    }

    /** A section without records: fails the checks that need a match, passes the others (as blackbox_exporter). */
    @Test
    void anEmptySection() {
        String empty = "{name: www.zone.test, validate: {additional: ";
        fails(empty + "{failIfNotMatches: ['.']}}}", FailureReason.BODY_MISMATCH);
        fails(empty + "{failIfNoneMatches: ['.']}}}", FailureReason.BODY_MISMATCH);
        passes(empty + "{failIfMatches: ['.'], failIfAllMatch: ['x']}}}");
    }

    @Test
    void anyAndSoa() {
        Run any = run("{name: www.zone.test, type: ANY}");
        assertThat(any.result().success()).as(any.result().message()).isTrue();
        assertThat(any.result().answers()).containsExactly("192.0.2.80", "192.0.2.81", "v=spf1 -all");
        assertThat(any.attempt().facts()).containsEntry(Fact.DNS_ANSWER_RRS, 3.0);

        Run soa = run("{name: zone.test, type: SOA, validate: {answer: {failIfNotMatches:"
                + " ['^zone\\.test\\.\\t0\\tIN\\tSOA\\tns1\\.zone\\.test\\. hostmaster\\.zone\\.test\\. 2024120701 7200"
                + " 3600 1209600 300$']}}}");
        assertThat(soa.result().success()).as(soa.result().message()).isTrue();
        assertThat(soa.result().answers())
                .containsExactly("ns1.zone.test hostmaster.zone.test 2024120701 7200 3600 1209600 300");
        assertThat(soa.attempt().facts()).containsEntry(Fact.DNS_SERIAL, 2024120701.0);

        Run nodata = run("{name: www.zone.test, type: SOA, expectAnswer: {minCount: 0}}");
        assertThat(nodata.attempt().facts())
                .as("the serial of the SOA in the authority section of an answer without records")
                .containsEntry(Fact.DNS_SERIAL, 2024120701.0)
                .containsEntry(Fact.DNS_AUTHORITY_RRS, 1.0);
    }

    /** blackbox_exporter passes an empty answer; here that takes minCount 0 (the default asks for a record). */
    @Test
    void anAnswerWithoutRecords() {
        passes("{name: www.zone.test, type: MX, expectAnswer: {minCount: 0}}");
        ProbeResult none = fails("{name: www.zone.test, type: MX}", FailureReason.BODY_MISMATCH);
        assertThat(none.message()).isEqualTo("MX www.zone.test: 0 records, expected at least 1");
    }

    @Test
    void overTcp() {
        int before = dns.tcpQueries();
        Run run = run("{name: www.zone.test, transport: tcp, expectAnswer: {minCount: 2}}");
        assertThat(run.result().success()).as(run.result().message()).isTrue();
        assertThat(dns.tcpQueries()).isEqualTo(before + 1);
        assertThat(run.result().timings().connect())
                .as("the connection is timed")
                .isNotNull();
        assertThat(run.result().timings().firstByte()).isNotNull();
        assertThat(run.attempt().explanation()).anyMatch(line -> line.contains("over tcp: A www.zone.test"));

        Run udp = run("{name: www.zone.test}");
        assertThat(udp.result().timings().connect())
                .as("nothing to connect over UDP")
                .isNull();
        assertThat(udp.result().timings().dns())
                .as("the server is an address: nothing to resolve")
                .isNull();
        assertThat(udp.result().timings().firstByte())
                .isNotNull()
                .isLessThanOrEqualTo(udp.result().timings().total());
    }

    @Test
    void aSilentServerTimesOutOverTcpToo() {
        dns.silent("quiet.zone.test", true);
        Run run = run("{name: quiet.zone.test, transport: tcp}");
        assertThat(run.result().reason()).isEqualTo(FailureReason.TIMEOUT);
        assertThat(run.result().message()).startsWith("no answer to A quiet.zone.test within 2000ms from [127.0.0.1:");
        assertThat(run.attempt().facts()).containsEntry(Fact.DNS_QUERY_SUCCEEDED, 0.0);
    }

    @Test
    void recursionDesiredIsSentUnlessTurnedOff() {
        passes("{name: www.zone.test}");
        assertThat(dns.lastQueryFlags() & 0x0100).as("RD set by default").isEqualTo(0x0100);
        passes("{name: www.zone.test, recursionDesired: false}");
        assertThat(dns.lastQueryFlags() & 0x0100).isZero();
    }

    @Test
    void theExplanationTellsTheQuestionServerResponseAndRecords() {
        Run run = run("{name: gone.zone.test, validate: {authority: {failIfMatches: ['SOA']}}}");
        assertThat(String.join("\n", run.attempt().explanation()))
                .contains("asking 127.0.0.1:" + dns.port() + " over udp: A gone.zone.test (recursion desired)")
                .contains("response: NXDOMAIN, 0 answer, 1 authority, 0 additional records")
                .contains("authority: zone.test.\t0\tIN\tSOA\tns1.zone.test. hostmaster.zone.test. 2024120701")
                .contains("response code NXDOMAIN is not NOERROR");
    }

    /** With no servers anywhere, the nameservers of resolv.conf are asked (here: none is readable, so none). */
    @Test
    void withoutAnyServerTheSystemsNameserversAreRead() throws Exception {
        assertThat(DnsProber.nameservers("# comment\nsearch example.com\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\n"
                        + "nameserver not-an-address\n  nameserver   192.0.2.1  # trailing\n"))
                .containsExactly(
                        new DnsSpec.Server("10.0.0.2", 53),
                        new DnsSpec.Server("fe80::1%eth0", 53),
                        new DnsSpec.Server("192.0.2.1", 53));
        Run unreadable = run(bare, "{name: www.zone.test, servers: []}", 2000);
        assertThat(unreadable.result().reason()).isEqualTo(FailureReason.DNS);
        assertThat(unreadable.result().message())
                .isEqualTo("no DNS server to ask: the probe names none, the agent's dns.servers is empty and "
                        + directory.resolve("resolv.conf") + " cannot be read");
        Files.writeString(directory.resolve("resolv.conf"), "# nothing\nsearch example.com\n");
        Run empty = run(bare, "{name: www.zone.test, servers: []}", 2000);
        assertThat(empty.result().reason()).isEqualTo(FailureReason.DNS);
        assertThat(empty.result().message()).endsWith(" lists no nameserver");
    }

    /** A server named by host name is resolved first, with the agent's resolver: the probe's dns phase. */
    @Test
    void aServerNamedByHostNameIsResolvedFirst() {
        dns.set("resolver.zone.test", "127.0.0.1");
        Run run = run("{name: www.zone.test, servers: ['resolver.zone.test:" + dns.port() + "']}");
        assertThat(run.result().success()).as(run.result().message()).isTrue();
        assertThat(run.result().timings().dns())
                .as("the server's name is resolved, and timed")
                .isNotNull();
        assertThat(run.attempt().explanation())
                .anyMatch(line -> line.contains("resolved DNS server resolver.zone.test to [127.0.0.1]"));

        Run agents = run("{name: www.zone.test, servers: []}");
        assertThat(agents.result().success())
                .as("no servers of its own: the agent's dns.servers, "
                        + agents.result().message())
                .isTrue();
    }
}
