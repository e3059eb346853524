package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vantage.agent.testing.Probes;
import io.vantage.testing.BlockedThreadWarnings;
import io.vantage.testing.Ports;
import io.vantage.testing.RawServer;
import io.vantage.testing.TestDnsServer;
import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every probe outcome against real servers on loopback that this test starts and breaks; the TLS cases on
 * both TLS engines.
 */
class ProbeTest {
    @TempDir
    static Path certificates;

    static Vertx vertx;
    static TestPki pki;
    static TestHttpServer http;
    static TestDnsServer dns;
    static Probes probes;
    static final Map<TlsEngine, Probes> probesByEngine = new EnumMap<>(TlsEngine.class);

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        pki = new TestPki(certificates);
        http = TestHttpServer.plain(vertx);
        dns = TestDnsServer.start(vertx).add("api.test", "127.0.0.1");
        List<SocketAddress> resolver = List.of(SocketAddress.inetSocketAddress(dns.port(), "127.0.0.1"));
        probes = new Probes(vertx, resolver);
        for (TlsEngine engine : TlsEngine.values()) {
            probesByEngine.put(engine, new Probes(vertx, resolver, engine));
        }
    }

    private static Probes probesOn(TlsEngine engine) {
        return probesByEngine.get(engine);
    }

    @Test
    void openSslLoadsHereAndIsTheEngineTheProbesGet() throws Exception {
        assertThat(TlsEngine.detect())
                .as("the shipped BoringSSL must load on linux-x86_64: %s", TlsEngine.unavailableCause())
                .isEqualTo(TlsEngine.OPENSSL);
        TestPki.Leaf leaf = pki.issue("engine", 90, "localhost");
        try (TestHttpServer https = TestHttpServer.tls(vertx, leaf)) {
            for (TlsEngine engine : TlsEngine.values()) {
                Promise<String> handshake = Promise.promise();
                vertx.getOrCreateContext()
                        .runOnContext(v -> vertx.createNetClient(Dialer.clientOptions())
                                .connect(https.port(), "127.0.0.1")
                                .compose(socket -> {
                                    try {
                                        return Dialer.upgrade(socket, FullHandshakes.client(engine, null), "localhost")
                                                .map(session ->
                                                        session.getClass().getName())
                                                .eventually(socket::close);
                                    } catch (SSLException e) {
                                        return Future.failedFuture(e);
                                    }
                                })
                                .onComplete(handshake));
                String session = handshake.future().await();
                assertThat(session.contains("OpenSsl"))
                        .as("%s engine gave session %s", engine, session)
                        .isEqualTo(engine == TlsEngine.OPENSSL);
            }
        }
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static String httpTarget(String url, String extra) {
        return "name: t\ntimeout: 1s\nhttp:\n  url: " + url + "\n" + extra;
    }

    @Test
    void healthyEndpointSucceedsWithPhaseTimings() {
        ProbeResult result = probes.probe(httpTarget(http.url("/ok"), "  expectBody: {contains: 'all ok'}"));

        assertThat(result.success()).as(result.toString()).isTrue();
        assertThat(result.statusCode()).isEqualTo(200);
        assertThat(result.timings().dns()).as("an address needs no DNS").isNull();
        assertThat(result.timings().tls()).as("plain HTTP has no TLS").isNull();
        assertThat(result.timings().connect()).isPositive();
        assertThat(result.timings().firstByte())
                .isGreaterThanOrEqualTo(result.timings().connect());
        assertThat(result.timings().total())
                .isGreaterThanOrEqualTo(result.timings().firstByte());
    }

    @Test
    void refusedPort() throws Exception {
        int port = Ports.free();
        ProbeResult result = probes.probe(httpTarget("http://127.0.0.1:" + port + "/", ""));

        assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.REFUSED);
    }

    @Test
    void connectionThatNeverAnswersTimesOut() {
        try (RawServer server = RawServer.start(vertx, RawServer.Behaviour.SILENT)) {
            ProbeResult result = probes.probe(
                    httpTarget("http://127.0.0.1:" + server.port() + "/", "").replace("1s", "300ms"));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.TIMEOUT);
            assertThat(result.message()).contains("waiting for the response");
            assertThat(result.timings().firstByte()).isNull();
            assertThat(result.timings().total()).isGreaterThanOrEqualTo(0.3);
        }
    }

    @Test
    void headersSlowerThanTheTimeout() {
        try (RawServer server = RawServer.start(vertx, RawServer.Behaviour.STALL_HEADERS)) {
            ProbeResult result = probes.probe(
                    httpTarget("http://127.0.0.1:" + server.port() + "/", "").replace("1s", "300ms"));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.TIMEOUT);
            assertThat(result.timings().firstByte())
                    .as("the first bytes did arrive")
                    .isNotNull();
        }
    }

    @Test
    void bodyThatStalls() {
        try (RawServer server = RawServer.start(vertx, RawServer.Behaviour.STALL_BODY)) {
            ProbeResult result = probes.probe(
                    httpTarget("http://127.0.0.1:" + server.port() + "/", "").replace("1s", "300ms"));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.TIMEOUT);
            assertThat(result.message()).contains("reading the response body");
            assertThat(result.statusCode()).isNull();
        }
    }

    @Test
    void resetMidResponse() {
        try (RawServer server = RawServer.start(vertx, RawServer.Behaviour.RESET_MID_RESPONSE)) {
            ProbeResult result = probes.probe(httpTarget("http://127.0.0.1:" + server.port() + "/", ""));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.RESET);
        }
    }

    @Test
    void somethingThatIsNotHttp() {
        try (RawServer server = RawServer.start(vertx, RawServer.Behaviour.GARBAGE)) {
            ProbeResult result = probes.probe(httpTarget("http://127.0.0.1:" + server.port() + "/", ""));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.PROTOCOL);
            assertThat(result.message()).contains("SSH-2.0");
        }
    }

    @Test
    void serverErrorsFailWithTheirStatus() {
        for (int status : new int[] {500, 503}) {
            ProbeResult result = probes.probe(httpTarget(http.url("/status/" + status), ""));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.HTTP_STATUS);
            assertThat(result.statusCode()).isEqualTo(status);
        }
    }

    @Test
    void expectedStatusListsAndRanges() {
        assertThat(probes.probe(httpTarget(http.url("/status/503"), "  expectStatus: ['200-299', '503']"))
                        .success())
                .isTrue();
        assertThat(probes.probe(httpTarget(http.url("/status/404"), "  expectStatus: ['200-299', '503']"))
                        .reason())
                .isEqualTo(FailureReason.HTTP_STATUS);
    }

    @Test
    void wrongBody() {
        ProbeResult result = probes.probe(httpTarget(http.url("/ok"), "  expectBody: {contains: 'healthy'}"));

        assertThat(result.reason()).isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(result.message()).isEqualTo("body does not contain 'healthy'");
    }

    @Test
    void regexBody() {
        assertThat(probes.probe(httpTarget(http.url("/ok"), "  expectBody: {regex: '^all\\s+ok$'}"))
                        .success())
                .isTrue();
        assertThat(probes.probe(httpTarget(http.url("/ok"), "  expectBody: {regex: '^ok'}"))
                        .reason())
                .isEqualTo(FailureReason.BODY_MISMATCH);
    }

    /**
     * A pattern that backtracks exponentially in java.util.regex ((.*a){10}!x against 34 a's and a '!' froze the
     * only event loop for over 20 s per probe) is matched by RE2/J in linear time: the probe ends with its
     * verdict and no event loop is ever reported blocked.
     */
    @Test
    void aCatastrophicRegexCannotFreezeTheLoop() {
        try (BlockedThreadWarnings blocked = new BlockedThreadWarnings()) {
            ProbeResult result = probes.probe(
                    httpTarget(http.url("/echo?body=" + "a".repeat(34) + "!"), "  expectBody: {regex: '(.*a){10}!x'}"));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.BODY_MISMATCH);
            assertThat(blocked.warnings()).isEmpty();
        }
    }

    @Test
    void jsonPointer() {
        assertThat(probes.probe(httpTarget(
                                http.url("/json"), "  expectBody: {jsonPointer: {path: /status, equals: UP}}"))
                        .success())
                .isTrue();
        assertThat(probes.probe(httpTarget(
                                http.url("/json"),
                                "  expectBody: {jsonPointer: {path: /checks/replicas, equals: '3'}}"))
                        .success())
                .isTrue();

        ProbeResult mismatch = probes.probe(
                httpTarget(http.url("/json"), "  expectBody: {jsonPointer: {path: /checks/db, equals: 'false'}}"));
        assertThat(mismatch.reason()).isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(mismatch.message()).isEqualTo("JSON /checks/db is 'true', expected 'false'");

        ProbeResult missing = probes.probe(
                httpTarget(http.url("/json"), "  expectBody: {jsonPointer: {path: /version, equals: '2'}}"));
        assertThat(missing.message()).isEqualTo("JSON body has nothing at /version");
    }

    /**
     * Text the server chose (a JSON value, a Location header) is quoted in the message with its control characters
     * escaped: a newline in a probed body cannot forge a line in the agent's log or the status page.
     */
    @Test
    void controlCharactersTheServerSentAreEscapedInTheMessage() {
        String body = URLEncoder.encode("{\"status\":\"DOWN\\nforged\\u0007\"}", StandardCharsets.UTF_8);
        ProbeResult value = probes.probe(
                httpTarget(http.url("/echo?body=" + body), "  expectBody: {jsonPointer: {path: /status, equals: UP}}"));
        assertThat(value.reason()).isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(value.message()).isEqualTo("JSON /status is 'DOWN\\nforged\\u0007', expected 'UP'");

        ProbeResult location =
                probes.probe(httpTarget(http.url("/redirect-to?location=/a%09b"), "  followRedirects: true"));
        assertThat(location.reason()).isEqualTo(FailureReason.PROTOCOL);
        assertThat(location.message()).isEqualTo("redirect to an invalid location '/a\\tb'");
    }

    @Test
    void redirectsAreNotFollowedUnlessAsked() {
        ProbeResult notFollowed = probes.probe(httpTarget(http.url("/redirect"), "  expectStatus: ['200']"));
        assertThat(notFollowed.reason()).isEqualTo(FailureReason.HTTP_STATUS);
        assertThat(notFollowed.statusCode()).isEqualTo(302);

        ProbeResult followed = probes.probe(httpTarget(
                http.url("/redirect"),
                "  expectStatus: ['200']\n  followRedirects: true\n  expectBody: {contains: 'all ok'}"));
        assertThat(followed.success()).as(followed.toString()).isTrue();
        assertThat(followed.statusCode()).isEqualTo(200);

        ProbeResult followedToError =
                probes.probe(httpTarget(http.url("/redirect-to-error"), "  followRedirects: true"));
        assertThat(followedToError.statusCode()).isEqualTo(500);
    }

    /** Credentials never follow a redirect to another origin; to the same origin they, and the host header, do. */
    @Test
    void secretsAndTheHostHeaderFollowOnlySameOriginRedirects() {
        String secrets = "  followRedirects: true\n  headers: {Authorization: 'Bearer s3cret', X-Api-Key: k3y}\n";
        ProbeResult sameOrigin = probes.probe(httpTarget(
                http.url("/redirect-to?location=/secrets"),
                secrets + "  hostHeader: api.example.com\n"
                        + "  expectBody: {contains: 'secrets=authorization,x-api-key host=api.example.com'}"));
        assertThat(sameOrigin.success()).as(sameOrigin.toString()).isTrue();

        // api.test resolves to the same server, but it is another origin.
        String elsewhere = "http://api.test:" + http.port() + "/secrets";
        ProbeResult crossOrigin = probes.probe(httpTarget(
                http.url("/redirect-to?location=" + elsewhere),
                secrets + "  hostHeader: api.example.com\n  expectBody: {contains: 'secrets=none host=api.test'}"));
        assertThat(crossOrigin.success()).as(crossOrigin.toString()).isTrue();

        ProbeResult notAUrl = probes.probe(
                httpTarget(http.url("/redirect-to?location=file:///etc/passwd"), "  followRedirects: true"));
        assertThat(notAUrl.reason()).isEqualTo(FailureReason.HTTP_STATUS);
        assertThat(notAUrl.message()).isEqualTo("redirect to 'file:///etc/passwd' is not an http:// or https:// URL");
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void anHttpsRedirectKeepsItsNameAndIsNeverDowngradedUnlessAllowed(TlsEngine engine) throws Exception {
        Probes probes = probesOn(engine);
        TestPki.Leaf api = pki.issue("api-redirect", 90, "api.example.com");
        TestPki.Leaf other = pki.issue("other-redirect", 90, "other.example.com");
        try (TestHttpServer https = TestHttpServer.tls(vertx, other, api)) { // two: the server reads SNI
            String tls = "  tls: {caFile: " + pki.caFile() + "}\n  followRedirects: true\n";
            ProbeResult relative = probes.probe(httpTarget(
                    https.url("/redirect-to?location=/vhost"),
                    tls + "  hostHeader: api.example.com\n"
                            + "  expectBody: {contains: 'host=api.example.com sni=api.example.com'}"));
            assertThat(relative.success())
                    .as("SNI and Host kept on the same-origin hop: " + relative)
                    .isTrue();

            String plain = http.url("/ok");
            ProbeResult downgraded = probes.probe(
                    httpTarget(https.url("/redirect-to?location=" + plain), tls + "  hostHeader: api.example.com\n"));
            assertThat(downgraded.reason()).isEqualTo(FailureReason.HTTP_STATUS);
            assertThat(downgraded.message())
                    .isEqualTo("redirect from HTTPS to HTTP (" + plain
                            + ") refused: set allowInsecureRedirects to follow it");

            ProbeResult allowed = probes.probe(httpTarget(
                    https.url("/redirect-to?location=" + plain),
                    tls + "  hostHeader: api.example.com\n  allowInsecureRedirects: true\n"
                            + "  expectBody: {contains: 'all ok'}"));
            assertThat(allowed.success()).as(allowed.toString()).isTrue();
        }
    }

    @Test
    void maxLatencyExceeded() {
        ProbeResult result = probes.probe(httpTarget(http.url("/slow?ms=250"), "  maxLatency: 100ms"));

        assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.TOO_SLOW);
        assertThat(result.statusCode()).isEqualTo(200);
        assertThat(probes.probe(httpTarget(http.url("/slow?ms=10"), "  maxLatency: 500ms"))
                        .success())
                .isTrue();
    }

    @Test
    void bodyIsReadOnlyUpToTheCap() {
        ProbeResult capped = probes.probe(httpTarget(http.url("/big"), "  expectBody: {contains: needle}"));
        assertThat(capped.reason())
                .as("the needle sits after the default 64 KiB")
                .isEqualTo(FailureReason.BODY_MISMATCH);

        ProbeResult whole =
                probes.probe(httpTarget(http.url("/big"), "  maxBodyBytes: 2000000\n  expectBody: {contains: needle}"));
        assertThat(whole.success()).as(whole.toString()).isTrue();
    }

    @Test
    void chunkedBody() {
        assertThat(probes.probe(httpTarget(http.url("/chunked"), "  expectBody: {contains: 'part one, part two'}"))
                        .success())
                .isTrue();
    }

    @Test
    void freshConnectionPerProbeUnlessKeepAlive() {
        try (TestHttpServer server = TestHttpServer.plain(vertx)) {
            probes.probe(httpTarget(server.url("/ok"), ""));
            probes.probe(httpTarget(server.url("/ok"), ""));
            assertThat(server.connections()).isEqualTo(2);

            ProbeResult first = probes.probe(httpTarget(server.url("/ok"), "  keepAlive: true"));
            ProbeResult second = probes.probe(httpTarget(server.url("/ok"), "  keepAlive: true"));
            assertThat(first.success() && second.success()).isTrue();
            assertThat(server.connections())
                    .as("the second keep-alive probe reuses the connection")
                    .isEqualTo(3);
            assertThat(second.timings().connect()).isNull();
        }
    }

    @Test
    void nameResolvedThroughTheConfiguredResolver() {
        ProbeResult result = probes.probe(
                httpTarget("http://api.test:" + http.port() + "/vhost", "  expectBody: {contains: 'host=api.test'}"));

        assertThat(result.success()).as(result.toString()).isTrue();
        assertThat(result.timings().dns()).isNotNull();
    }

    /** A name with several addresses is dialled address by address while each refuses, as clients do. */
    @Test
    void aNameWithSeveralAddressesFallsBackPastOnesThatRefuse() {
        dns.set("several.test", "127.0.0.2", "127.0.0.3", "127.0.0.1"); // only 127.0.0.1 listens on the port
        ProbeResult result = probes.probe(httpTarget("http://several.test:" + http.port() + "/ok", ""));
        assertThat(result.success()).as(result.toString()).isTrue();
        assertThat(result.address()).isEqualTo("127.0.0.1");
        assertThat(result.answers())
                .as("what the dns phase answered")
                .containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.1");

        dns.set("refusing.test", "127.0.0.2", "127.0.0.3");
        ProbeResult refused = probes.probe(httpTarget("http://refusing.test:" + http.port() + "/ok", ""));
        assertThat(refused.reason()).isEqualTo(FailureReason.REFUSED);
        assertThat(refused.address()).as("the last one tried").isEqualTo("127.0.0.3");
    }

    /** More addresses than a UDP answer carries: the resolver asks again over TCP and dials the first. */
    @Test
    void aNameWithMoreAddressesThanUdpCarriesIsResolvedOverTcp() {
        String[] many =
                IntStream.rangeClosed(1, 60).mapToObj(i -> "127.0.0." + i).toArray(String[]::new);
        dns.set("crowded.test", many);
        int tcpBefore = dns.tcpQueries();
        ProbeResult result = probes.probe(httpTarget("http://crowded.test:" + http.port() + "/ok", ""));
        assertThat(result.success()).as(result.toString()).isTrue();
        assertThat(result.address()).isEqualTo("127.0.0.1");
        assertThat(result.answers()).hasSize(ProbeResult.MAX_ANSWERS).startsWith("127.0.0.1", "127.0.0.2");
        assertThat(dns.tcpQueries())
                .as("the truncated answer was asked again over TCP")
                .isGreaterThan(tcpBefore);
    }

    private static boolean refuses(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (SocketException e) {
            return false; // reset by a listener still closing
        }
    }

    /**
     * {@code addresses: every} probes each address of the name in the same round: healthy only while every one serves,
     * and a failure names the address. Three real listeners on three loopback addresses, one port.
     */
    @Test
    void everyAddressIsProbedAndOneFailingAddressFailsTheProbe() {
        NetServer one = vertx.createNetServer().connectHandler(socket -> socket.close());
        one.listen(0, "127.0.0.1").await();
        int port = one.actualPort();
        AtomicInteger thirdConnections = new AtomicInteger();
        NetServer two = vertx.createNetServer().connectHandler(socket -> socket.close());
        NetServer three = vertx.createNetServer().connectHandler(socket -> {
            thirdConnections.incrementAndGet();
            socket.close();
        });
        two.listen(port, "127.0.0.2").await();
        three.listen(port, "127.0.0.3").await();
        try {
            dns.set("pool.test", "127.0.0.1", "127.0.0.2", "127.0.0.3");
            String every = "name: pool\ntimeout: 1s\naddresses: every\ntcp: {host: pool.test, port: " + port + "}";
            ProbeResult healthy = probes.probe(every);
            assertThat(healthy.success()).as(healthy.toString()).isTrue();
            // The probe succeeds at connect; the server's handler may run a moment later.
            await("the third address was dialled too")
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> thirdConnections.get() == 1);
            assertThat(healthy.answers()).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");

            three.close().await();
            // The listener's close completes on its event loop: a connection that reaches it meanwhile is accepted
            // and then reset. Wait until the address refuses, so the probe meets a closed port.
            await("127.0.0.3 refuses").atMost(Duration.ofSeconds(5)).until(() -> refuses("127.0.0.3", port));
            ProbeResult broken = probes.probe(every);
            assertThat(broken.reason()).as(broken.toString()).isEqualTo(FailureReason.REFUSED);
            assertThat(broken.address()).isEqualTo("127.0.0.3");
            assertThat(broken.message()).startsWith("address 127.0.0.3 (1 of 3 addresses failing): ");

            ProbeResult asAClient = probes.probe("name: pool\ntimeout: 1s\ntcp: {host: pool.test, port: " + port + "}");
            assertThat(asAClient.success())
                    .as("addresses: any (the default) is served by the first")
                    .isTrue();
        } finally {
            one.close().await();
            two.close().await();
        }
    }

    /** The result says which address it connected to: how the aggregator learns what a host name stands for. */
    @Test
    void theAddressConnectedToTravelsWithTheResultAlsoBehindACname() {
        dns.cname("alias.test", "api.test");
        ProbeResult result = probes.probe(httpTarget(
                "http://alias.test:" + http.port() + "/vhost", "  expectBody: {contains: 'host=alias.test'}"));
        assertThat(result.success()).as(result.toString()).isTrue();
        assertThat(result.address()).isEqualTo("127.0.0.1");

        ProbeResult refused = probes.probe(httpTarget("http://api.test:1/ok", ""));
        assertThat(refused.reason()).isEqualTo(FailureReason.REFUSED);
        assertThat(refused.address())
                .as("known once resolved, whatever happens next")
                .isEqualTo("127.0.0.1");
    }

    @Test
    void dnsFailure() {
        int before = dns.queries();
        ProbeResult result = probes.probe(httpTarget("http://missing.test:" + http.port() + "/ok", ""));

        assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.DNS);
        assertThat(result.message()).contains("missing.test");
        assertThat(dns.queries()).as("the test resolver was asked").isGreaterThan(before);
    }

    @Test
    void hostHeaderReachesTheRightVirtualHost() {
        ProbeResult result = probes.probe(httpTarget(
                http.url("/vhost"), "  hostHeader: api.example.com\n  expectBody: {contains: 'host=api.example.com'}"));

        assertThat(result.success()).as(result.toString()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void sniOverrideSelectsAndVerifiesTheVirtualHostCertificate(TlsEngine engine) throws Exception {
        Probes probes = probesOn(engine);
        TestPki.Leaf api = pki.issue("api", 90, "api.example.com");
        TestPki.Leaf other = pki.issue("other", 90, "other.example.com");
        try (TestHttpServer https = TestHttpServer.tls(vertx, api, other)) {
            String tls = "  tls: {caFile: " + pki.caFile() + "}\n";
            ProbeResult toOther = probes.probe(
                    httpTarget(
                            https.url("/vhost"),
                            tls
                                    + "  hostHeader: other.example.com\n  expectBody: {contains: 'host=other.example.com sni=other.example.com'}"));
            assertThat(toOther.success()).as(toOther.toString()).isTrue();
            assertThat(toOther.tlsNotAfter())
                    .isEqualTo(other.certificate().getNotAfter().toInstant().getEpochSecond());
            assertThat(toOther.timings().tls()).isPositive();

            ProbeResult wrongName =
                    probes.probe(httpTarget(https.url("/vhost"), tls + "  hostHeader: www.example.org\n"));
            assertThat(wrongName.reason()).as("no certificate for that name").isEqualTo(FailureReason.TLS_HANDSHAKE);
        }
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void aSingleLabelNameIsStillSentAsSni(TlsEngine engine) throws Exception {
        // The engines send a dotted peer name as SNI on their own and leave a single label out; the agent hands the
        // latter over itself (FullHandshakes.handler).
        Probes probes = probesOn(engine);
        TestPki.Leaf other = pki.issue("other", 90, "other.example.com");
        TestPki.Leaf backend = pki.issue("backend", 90, "backend");
        try (TestHttpServer https = TestHttpServer.tls(vertx, other, backend)) {
            ProbeResult result = probes.probe(httpTarget(
                    https.url("/vhost"),
                    "  tls: {caFile: " + pki.caFile() + "}\n"
                            + "  hostHeader: backend\n  expectBody: {contains: 'host=backend sni=backend'}"));
            assertThat(result.success()).as(result.toString()).isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource({"OPENSSL, TLSv1.2", "OPENSSL, TLSv1.3", "JDK, TLSv1.2", "JDK, TLSv1.3"})
    void everyProbeIsAFullHandshakeEvenWhereTheServerWouldResume(TlsEngine engine, String protocol) throws Exception {
        // The server keeps sessions and issues tickets; a resumed handshake skips the certificate (and the server's
        // choice of one, which the server counts). Probes must not resume: one full handshake per probe.
        Probes probes = probesOn(engine);
        TestPki.Leaf leaf = pki.issue("resume", 90, "resume.example.com");
        dns.add("resume.example.com", "127.0.0.1");
        try (TestHttpServer https = TestHttpServer.resumable(vertx, protocol, leaf)) {
            String target = httpTarget(
                    "https://resume.example.com:" + https.port() + "/ok", "  tls: {caFile: " + pki.caFile() + "}");
            for (int i = 0; i < 3; i++) {
                ProbeResult result = probes.probe(target);
                assertThat(result.success()).as(result.toString()).isTrue();
                assertThat(result.tlsNotAfter())
                        .isEqualTo(leaf.certificate().getNotAfter().toInstant().getEpochSecond());
            }
            assertThat(https.fullHandshakes())
                    .as("%s over %s: full handshakes in 3 probes", engine, protocol)
                    .isEqualTo(3);
        }
    }

    @Test
    void anUnreadableCaFileFailsTheProbeAndIsReadAgainOnceFixed() throws Exception {
        Probes probes = probesOn(TlsEngine.values()[0]);
        TestPki.Leaf leaf = pki.issue("leaf", 90, "localhost");
        Path caFile = Files.writeString(certificates.resolve("unreadable-ca.pem"), "not a certificate\n");
        try (TestHttpServer https = TestHttpServer.tls(vertx, leaf)) {
            String url = "https://localhost:" + https.port() + "/ok";
            dns.add("localhost", "127.0.0.1");
            ProbeResult unreadable = probes.probe(httpTarget(url, "  tls: {caFile: " + caFile + "}"));
            assertThat(unreadable.success()).as(unreadable.toString()).isFalse();
            assertThat(unreadable.message()).contains("caFile " + caFile + " could not be loaded");

            Files.copy(pki.caFile(), caFile, StandardCopyOption.REPLACE_EXISTING);
            ProbeResult fixed = probes.probe(httpTarget(url, "  tls: {caFile: " + caFile + "}"));
            assertThat(fixed.success())
                    .as("a failed read is not remembered: " + fixed)
                    .isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void untrustedCertificateFailsUnlessItsCaIsConfigured(TlsEngine engine) throws Exception {
        Probes probes = probesOn(engine);
        TestPki.Leaf leaf = pki.issue("leaf", 90, "localhost");
        try (TestHttpServer https = TestHttpServer.tls(vertx, leaf)) {
            String url = "https://localhost:" + https.port() + "/ok";
            TestDnsServer local = dns.add("localhost", "127.0.0.1");
            ProbeResult untrusted = probes.probe(httpTarget(url, ""));
            assertThat(untrusted.reason()).as(untrusted.toString()).isEqualTo(FailureReason.TLS_HANDSHAKE);

            ProbeResult trusted = probes.probe(httpTarget(url, "  tls: {caFile: " + pki.caFile() + "}"));
            assertThat(trusted.success()).as(trusted.toString()).isTrue();
            assertThat(local.queries()).isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void selfSignedCertificate(TlsEngine engine) throws Exception {
        Probes probes = probesOn(engine);
        TestPki.Leaf self = pki.selfSigned("self", "localhost");
        try (TestHttpServer https = TestHttpServer.tls(vertx, self)) {
            String url = "https://127.0.0.1:" + https.port() + "/ok";
            ProbeResult verified = probes.probe(httpTarget(url, "  hostHeader: localhost"));
            assertThat(verified.reason()).as(verified.toString()).isEqualTo(FailureReason.TLS_HANDSHAKE);

            ProbeResult pinned =
                    probes.probe(httpTarget(url, "  hostHeader: localhost\n  tls: {caFile: " + self.certFile() + "}"));
            assertThat(pinned.success()).as(pinned.toString()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void expiredCertificate(TlsEngine engine) throws Exception {
        Probes probes = probesOn(engine);
        Instant now = Instant.now();
        TestPki.Leaf expired =
                pki.issue("expired", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), "localhost");
        try (TestHttpServer https = TestHttpServer.tls(vertx, expired)) {
            ProbeResult result = probes.probe(httpTarget(
                    "https://127.0.0.1:" + https.port() + "/ok",
                    "  hostHeader: localhost\n  tls: {caFile: " + pki.caFile() + "}"));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.TLS_EXPIRED);
        }
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void tlsProbeFailsUnderTheExpiryThreshold(TlsEngine engine) throws Exception {
        Probes probes = probesOn(engine);
        TestPki.Leaf soon = pki.issue("soon", 5, "localhost");
        try (TestHttpServer https = TestHttpServer.tls(vertx, soon)) {
            String target = "name: cert\ntimeout: 1s\ntls: {host: 127.0.0.1, port: " + https.port()
                    + ", serverName: localhost, caFile: " + pki.caFile() + ", minDaysRemaining: %d}";
            ProbeResult expiring = probes.probe(String.format(target, 14));
            assertThat(expiring.reason()).as(expiring.toString()).isEqualTo(FailureReason.TLS_EXPIRING);
            assertThat(expiring.message()).contains("expires in 5.0 days");
            assertThat(expiring.tlsNotAfter())
                    .isEqualTo(soon.certificate().getNotAfter().toInstant().getEpochSecond());

            assertThat(probes.probe(String.format(target, 3)).success()).isTrue();
        }
    }

    @Test
    void tcpProbe() throws Exception {
        assertThat(probes.probe("name: tcp\ntimeout: 1s\ntcp: {host: 127.0.0.1, port: " + http.port() + "}")
                        .success())
                .isTrue();
        int port = Ports.free();
        assertThat(probes.probe("name: tcp\ntimeout: 1s\ntcp: {host: 127.0.0.1, port: " + port + "}")
                        .reason())
                .isEqualTo(FailureReason.REFUSED);
    }
}
