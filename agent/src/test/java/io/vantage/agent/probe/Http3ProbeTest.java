package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.check.Checks;
import io.vantage.agent.testing.Probes;
import io.vantage.testing.TestDnsServer;
import io.vantage.testing.TestHttp3Server;
import io.vantage.testing.TestPki;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/3 probes ({@code version: "3"}) against real HTTP/3 servers on loopback that this test starts: the same
 * assertions as HTTP/1.1, certificate verification on by default, and the phases QUIC has. The QUIC native library
 * must load: where it does not, these tests fail (never skip).
 */
class Http3ProbeTest {
    @TempDir
    static Path certificates;

    static Vertx vertx;
    static TestPki pki;
    static TestDnsServer dns;
    static Probes probes;
    static TestHttp3Server server;
    static TestHttp3Server selfSigned;
    static TestHttp3Server expired;
    static TestHttp3Server silent;
    static List<SocketAddress> resolver;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        pki = new TestPki(certificates);
        dns = TestDnsServer.start(vertx).add("h3.test", "127.0.0.1").add("other.test", "127.0.0.1");
        resolver = List.of(SocketAddress.inetSocketAddress(dns.port(), "127.0.0.1"));
        probes = new Probes(vertx, resolver);
        server = TestHttp3Server.start(pki.issue("h3", 30, "h3.test"));
        selfSigned = TestHttp3Server.start(pki.selfSigned("self", "h3.test"));
        Instant now = Instant.now();
        expired = TestHttp3Server.start(
                pki.issue("expired", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), "h3.test"));
        silent = TestHttp3Server.silent();
    }

    @AfterAll
    static void stop() {
        for (TestHttp3Server each : new TestHttp3Server[] {server, selfSigned, expired, silent}) {
            if (each != null) {
                each.close();
            }
        }
        vertx.close().await();
    }

    private static String target(TestHttp3Server on, String extra) {
        // A generous deadline: these machines are shared, and no figure is asserted here.
        return "{name: h3, interval: 30s, timeout: 15s, http: {url: '" + on.url("h3.test", "/health?full=1")
                + "', version: '3', tls: " + "{caFile: '" + pki.caFile() + "'}" + extra + "}}";
    }

    @Test
    void aHealthyServerPassesWithTheQuicHandshakeAsItsTlsPhase() {
        server.respond(200, "all good");
        ProbeResult result = probes.probe(target(server, ", headers: {X-Probe: vantage}"));

        assertThat(result.success()).as(result.toString()).isTrue();
        assertThat(result.statusCode()).isEqualTo(200);
        assertThat(result.address()).isEqualTo("127.0.0.1");
        assertThat(result.answers()).containsExactly("127.0.0.1");
        assertThat(result.timings().dns()).isNotNull().isPositive();
        assertThat(result.timings().connect())
                .as("QUIC has no connect of its own")
                .isNull();
        assertThat(result.timings().tls()).isNotNull().isPositive();
        assertThat(result.timings().firstByte())
                .isNotNull()
                .isGreaterThan(result.timings().tls());
        assertThat(result.timings().total())
                .isGreaterThanOrEqualTo(result.timings().firstByte());
        assertThat(result.tlsNotAfter()).isNotNull();
        Map<String, String> request = server.lastRequest();
        assertThat(request)
                .containsEntry(":method", "GET")
                .containsEntry(":scheme", "https")
                .containsEntry(":authority", "h3.test:" + server.port())
                .containsEntry(":path", "/health?full=1")
                .containsEntry("x-probe", "vantage")
                .containsEntry("user-agent", "vantage-agent/1");
    }

    @Test
    void aStatusOutsideExpectStatusFails() {
        server.respond(500, "boom");
        try {
            ProbeResult result = probes.probe(target(server, ""));
            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.HTTP_STATUS);
            assertThat(result.statusCode()).isEqualTo(500);
            assertThat(result.message()).isEqualTo("status 500 is not in [200-399]");

            ProbeResult expected = probes.probe(target(server, ", expectStatus: ['500']"));
            assertThat(expected.success()).as(expected.toString()).isTrue();
        } finally {
            server.respond(200, "ok");
        }
    }

    @Test
    void theBodyIsJudgedAsForHttp11UpToMaxBodyBytes() {
        server.respond(200, "{\"status\": \"UP\", \"padding\": \"" + "x".repeat(5000) + "\"}");
        try {
            ProbeResult up = probes.probe(target(server, ", expectBody: {jsonPointer: {path: /status, equals: UP}}"));
            assertThat(up.success()).as(up.toString()).isTrue();
            ProbeResult down = probes.probe(target(server, ", expectBody: {contains: DOWN}"));
            assertThat(down.reason()).as(down.toString()).isEqualTo(FailureReason.BODY_MISMATCH);
            ProbeResult capped = probes.probe(target(server, ", maxBodyBytes: 10, expectBody: {contains: UP}"));
            assertThat(capped.reason()).as("only 10 bytes are read: " + capped).isEqualTo(FailureReason.BODY_MISMATCH);
        } finally {
            server.respond(200, "ok");
        }
    }

    @Test
    void factsAndTheExplanationSayWhatHappened() {
        server.respond(200, "0123456789abcdef");
        Dialer dialer = new Dialer(vertx, TlsEngine.detect(), new Resolver(vertx, resolver, Duration.ofSeconds(2)));
        Http3Prober prober = new Http3Prober(vertx, dialer, new HttpProber(dialer, new Checks()));
        TargetSpec spec = Probes.target(target(server, ", maxBodyBytes: 10"));
        Attempt attempt = new Attempt("h3", System.currentTimeMillis(), System.nanoTime());
        attempt.explaining();
        Context context = vertx.getOrCreateContext();
        Promise<ProbeResult> done = Promise.promise();
        context.runOnContext(v -> prober.probe(spec.http(), attempt, 15_000).onComplete(done));
        ProbeResult result = done.future().await();
        try {
            assertThat(result.success()).as(result.toString()).isTrue();
            assertThat(attempt.facts())
                    .containsEntry(Fact.HTTP_VERSION, 3.0)
                    .containsEntry(Fact.SSL, 1.0)
                    .containsEntry(Fact.HTTP_CONTENT_LENGTH, 16.0)
                    .containsEntry(Fact.HTTP_BODY_LENGTH, 10.0)
                    .containsEntry(Fact.IP_PROTOCOL, 4.0);
            assertThat(String.join("\n", attempt.explanation()))
                    .contains("QUIC handshake with 127.0.0.1 port " + server.port() + " (UDP) for h3.test")
                    .contains("QUIC handshake done: TLSv1.3")
                    .contains("sent GET /health?full=1 HTTP/3 to h3.test:" + server.port())
                    .contains("received HTTP/3 status 200, content-length 16")
                    .contains("read 10 bytes of body (maxBodyBytes reached)");
        } finally {
            server.respond(200, "ok");
        }
    }

    @Test
    void aProbeRunsOnTheEpollTransportAsTheAgentUsesIt() {
        // The agent runs on epoll where it loads (Startup.newVertx): the QUIC socket is then an epoll datagram channel.
        Vertx epoll = Vertx.builder().withTransport(Transport.EPOLL).build();
        try {
            assertThat(epoll.isNativeTransportEnabled()).isTrue();
            ProbeResult result = new Probes(epoll, resolver).probe(target(server, ""));
            assertThat(result.success()).as(result.toString()).isTrue();
            assertThat(result.timings().tls()).isNotNull();
        } finally {
            epoll.close().await();
        }
    }

    @Test
    void anUntrustedCertificateFailsTheHandshake() {
        int before = selfSigned.requests();
        ProbeResult result = probes.probe(target(selfSigned, ""));
        assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.TLS_HANDSHAKE);
        assertThat(result.message()).startsWith("certificate refused:");
        assertThat(selfSigned.requests()).as("no request is sent").isEqualTo(before);
    }

    @Test
    void aCertificateForAnotherNameFailsTheHandshake() {
        // The same chain from the same server has just passed for its own name: a remembered chain is not enough.
        ProbeResult own = probes.probe(target(server, ""));
        assertThat(own.success()).as(own.toString()).isTrue();
        ProbeResult result = probes.probe(target(server, ", hostHeader: other.test"));
        assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.TLS_HANDSHAKE);
        assertThat(result.message()).startsWith("certificate refused:").contains("other.test");
    }

    @Test
    void anExpiredCertificateIsTlsExpired() {
        ProbeResult result = probes.probe(target(expired, ""));
        assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.TLS_EXPIRED);
    }

    @Test
    void insecureSkipVerifyAcceptsAnyCertificate() {
        String url = selfSigned.url("h3.test", "/");
        ProbeResult result = probes.probe("{name: h3, interval: 30s, timeout: 15s, http: {url: '" + url
                + "', version: '3', tls: {insecureSkipVerify: true}}}");
        assertThat(result.success()).as(result.toString()).isTrue();
        assertThat(selfSigned.requests()).isPositive();
    }

    @Test
    void aServerThatNeverAnswersTimesOutInTheTlsPhase() {
        ProbeResult result = probes.probe("{name: h3, timeout: 500ms, http: {url: '" + silent.url("127.0.0.1", "/")
                + "', version: '3', tls: {caFile: '" + pki.caFile() + "'}}}");
        assertThat(result.reason()).as(result.toString()).isIn(FailureReason.TIMEOUT, FailureReason.AGENT_OVERLOADED);
        assertThat(result.message()).contains("timed out in the TLS handshake");
        assertThat(result.timings().connect()).isNull();
        assertThat(result.timings().dns()).as("an address: no dns phase").isNull();
    }
}
