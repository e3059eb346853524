package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.testing.Probes;
import io.vantage.testing.TestDnsServer;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dns probe against a real DNS server on loopback that the test starts, breaks and changes. */
class DnsProbeTest {
    static Vertx vertx;
    static TestDnsServer dns;
    static TestDnsServer other;
    static Probes probes;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        dns = TestDnsServer.start(vertx)
                .add("api.test", "192.0.2.10")
                .add("api.test", "192.0.2.11")
                .txt("api.test", "v=spf1 -all", "site-verification=abc123");
        other = TestDnsServer.start(vertx).add("api.test", "192.0.2.99");
        probes = new Probes(vertx, List.of());
        // The first probe in this JVM loads the DNS codec's classes, which on a busy machine outlasts 500ms: not what
        // these tests look at.
        ProbeResult warm =
                probes.probe("name: d\ninterval: 1m\ntimeout: 30s\ndns: {name: api.test, servers: ['127.0.0.1:"
                        + dns.port() + "']}");
        assertThat(warm.success()).as(warm.message()).isTrue();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private String server() {
        return "127.0.0.1:" + dns.port();
    }

    private ProbeResult probe(String dnsYaml) {
        return probes.probe("name: d\ninterval: 2s\ntimeout: 500ms\ndns: " + dnsYaml);
    }

    @Test
    void answersThatMatchAreHealthy() {
        assertThat(probe("{name: api.test, servers: ['" + server() + "']}").success())
                .isTrue();
        assertThat(probe("{name: api.test, type: A, servers: ['" + server()
                                + "'], expectAnswer: {contains: 192.0.2.11, minCount: 2}}")
                        .success())
                .isTrue();
        assertThat(probe("{name: api.test, type: TXT, servers: ['" + server()
                                + "'], expectAnswer: {regex: '^site-verification=[a-z0-9]+$'}}")
                        .success())
                .isTrue();
        // A name that must not exist: NXDOMAIN is the healthy answer.
        assertThat(probe("{name: gone.test, servers: ['" + server() + "'], expectRcode: NXDOMAIN}")
                        .success())
                .isTrue();
        ProbeResult ok = probe("{name: api.test, servers: ['" + server() + "']}");
        assertThat(ok.timings().total()).isPositive().isLessThan(0.5);
        assertThat(ok.answers())
                .as("the records, reported for observed routing")
                .containsExactlyInAnyOrder("192.0.2.10", "192.0.2.11");
    }

    @Test
    void nxdomainServfailAndWrongAnswersFailWithTheirReason() {
        ProbeResult nxdomain = probe("{name: nope.test, servers: ['" + server() + "']}");
        assertThat(nxdomain.reason()).isEqualTo(FailureReason.DNS);
        assertThat(nxdomain.message()).isEqualTo("A nope.test: NXDOMAIN, expected NOERROR");

        dns.rcode("broken.test", 2).add("broken.test", "192.0.2.1");
        ProbeResult servfail = probe("{name: broken.test, servers: ['" + server() + "']}");
        assertThat(servfail.reason()).isEqualTo(FailureReason.DNS);
        assertThat(servfail.message()).isEqualTo("A broken.test: SERVFAIL, expected NOERROR");

        ProbeResult wrong =
                probe("{name: api.test, servers: ['" + server() + "'], expectAnswer: {contains: 198.51.100.7}}");
        assertThat(wrong.reason()).isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(wrong.message()).startsWith("A api.test: no record contains '198.51.100.7' in [192.0.2.1");

        dns.set("empty.test");
        ProbeResult empty = probe("{name: empty.test, servers: ['" + server() + "']}");
        assertThat(empty.reason()).isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(empty.message()).isEqualTo("A empty.test: 0 records, expected at least 1");
    }

    @Test
    void aServerThatNeverAnswersIsATimeoutAndTheNextServerIsAsked() {
        dns.silent("quiet.test", true).add("quiet.test", "192.0.2.5");
        other.add("quiet.test", "192.0.2.6");
        ProbeResult silent = probe("{name: quiet.test, servers: ['" + server() + "']}");
        assertThat(silent.reason()).isEqualTo(FailureReason.TIMEOUT);
        assertThat(silent.message())
                .contains("no answer to A quiet.test within 500ms from [127.0.0.1:" + dns.port() + "]");

        ProbeResult failover = probe("{name: quiet.test, servers: ['" + server() + "', '127.0.0.1:" + other.port()
                + "'], expectAnswer: {contains: 192.0.2.6}}");
        assertThat(failover.success()).as(String.valueOf(failover.message())).isTrue();
    }

    @Test
    void anAnswerThatChangesIsSeenAtTheNextProbe() {
        dns.set("moving.test", "192.0.2.20");
        String spec = "{name: moving.test, servers: ['" + server() + "'], expectAnswer: {contains: 192.0.2.20}}";
        assertThat(probe(spec).success()).isTrue();
        dns.set("moving.test", "192.0.2.21"); // failed over to the other region
        ProbeResult moved = probe(spec);
        assertThat(moved.reason()).isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(moved.message()).contains("[192.0.2.21]");
    }

    /** A name behind CNAMEs: the chain is followed to the final records, which the assertion sees; the chain is reported. */
    @Test
    void aCnameChainIsFollowedToTheRecordsOfTheAskedType() {
        dns.cname("www.chain.test", "api-us.chain.test")
                .cname("api-us.chain.test", "lb.chain.test")
                .set("lb.chain.test", "127.0.0.2");
        ProbeResult result =
                probe("{name: www.chain.test, servers: ['" + server() + "'], expectAnswer: {contains: 127.0.0.2}}");
        assertThat(result.success()).as(String.valueOf(result.message())).isTrue();
        assertThat(result.answers()).containsExactly("127.0.0.2");
        assertThat(result.cnames()).containsExactly("api-us.chain.test", "lb.chain.test");

        ProbeResult cname = probe(
                "{name: www.chain.test, type: CNAME, servers: ['" + server() + "'], expectAnswer: {contains: api-us}}");
        assertThat(cname.success()).as("asked for CNAME: the CNAME itself").isTrue();

        dns.cname("loop-a.test", "loop-b.test").cname("loop-b.test", "loop-a.test");
        ProbeResult loop = probe("{name: loop-a.test, servers: ['" + server() + "']}");
        assertThat(loop.reason()).as("a CNAME loop ends, with no records").isEqualTo(FailureReason.BODY_MISMATCH);
    }

    @Test
    void ipv6AnswersAreInCanonicalForm() {
        dns.set("v6.test", "2001:db8:0:0:0:0:0:1", "2001:db8:0:0:1:0:0:1");
        ProbeResult result = probe(
                "{name: v6.test, type: AAAA, servers: ['" + server() + "'], expectAnswer: {contains: '2001:db8::1'}}");
        assertThat(result.success()).as(String.valueOf(result.message())).isTrue();
        assertThat(result.answers()).containsExactlyInAnyOrder("2001:db8::1", "2001:db8::1:0:0:1");
    }

    /**
     * Records holding what a server may put in a TXT string (a tab, NUL, ESC, CR, LF, DEL, a record longer than one
     * string): the assertion judges them as sent, and what travels with the result is escaped and cut to the wire's
     * limit, so an odd answer is never refused as the probe's own failure.
     */
    @Test
    void controlCharactersInAnAnswerAreJudgedAsSentAndReportedEscaped() {
        dns.txt("odd.test", "v=1\tkey", "nul\0esc\u001bcr\rlf\ndel\u007f");
        ProbeResult tab = probe(
                "{name: odd.test, type: TXT, servers: ['" + server() + "'], expectAnswer: {contains: \"v=1\\tkey\"}}");
        assertThat(tab.success()).as(String.valueOf(tab.message())).isTrue();
        assertThat(tab.answers()).containsExactlyInAnyOrder("v=1\\tkey", "nul\\u0000esc\\u001bcr\\rlf\\ndel\\u007f");

        ProbeResult mismatch =
                probe("{name: odd.test, type: TXT, servers: ['" + server() + "'], expectAnswer: {regex: '^v=2'}}");
        assertThat(mismatch.reason())
                .as("the assertion is what fails: " + mismatch.message())
                .isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(mismatch.message()).contains("v=1\\tkey").doesNotContain("\t");

        String longRecord = "k=" + "\t".repeat(200) + "x".repeat(98); // 300 bytes: two strings on the wire
        dns.txt("long.test", longRecord);
        ProbeResult cut = probe(
                "{name: long.test, type: TXT, servers: ['" + server() + "'], expectAnswer: {contains: \"k=\\t\"}}");
        assertThat(cut.success()).as(String.valueOf(cut.message())).isTrue();
        assertThat(cut.answers())
                .isNotEmpty()
                .allSatisfy(answer -> assertThat(answer)
                        .hasSizeLessThanOrEqualTo(255)
                        .doesNotContain("\t")
                        .doesNotEndWith("\\"));
        assertThat(cut.answers().get(0)).startsWith("k=\\t\\t");
    }

    /** A dns probe that names no servers asks the agent's own (dns.servers), not the operating system's. */
    @Test
    void anAnswerTooLongForUdpIsAskedAgainOverTcp() {
        String[] many =
                IntStream.rangeClosed(1, 60).mapToObj(i -> "192.0.2." + i).toArray(String[]::new);
        dns.set("many.test", many);
        int tcpBefore = dns.tcpQueries();
        ProbeResult result = probe("{name: many.test, servers: ['" + server() + "'], expectAnswer: {minCount: 60}}");
        assertThat(result.success())
                .as("all 60 records counted: " + result.message())
                .isTrue();
        assertThat(result.answers())
                .as("the first ProbeResult.MAX_ANSWERS travel with the result")
                .hasSize(ProbeResult.MAX_ANSWERS)
                .isSubsetOf(many);
        assertThat(dns.tcpQueries())
                .as("the truncated answer was asked again over TCP")
                .isGreaterThan(tcpBefore);
    }

    @Test
    void aProbeWithoutServersAsksTheAgentsResolver() {
        Probes throughOther = new Probes(vertx, List.of(SocketAddress.inetSocketAddress(other.port(), "127.0.0.1")));
        int before = other.queries();
        ProbeResult result = throughOther.probe(
                "name: d\ninterval: 2s\ntimeout: 500ms\ndns: {name: api.test, expectAnswer: {contains: 192.0.2.99}}");
        assertThat(result.success()).as(String.valueOf(result.message())).isTrue();
        assertThat(other.queries()).isGreaterThan(before);
    }
}
