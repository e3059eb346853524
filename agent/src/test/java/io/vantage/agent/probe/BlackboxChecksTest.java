package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vantage.agent.check.Checks;
import io.vantage.testing.TestPki;
import io.vantage.wire.Documents;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.HttpSpec;
import io.vantage.wire.target.ProbeSpec;
import io.vantage.wire.target.TargetSpec;
import io.vantage.wire.target.TcpSpec;
import io.vantage.wire.target.TlsSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.parsetools.RecordParser;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks blackbox_exporter's http and tcp modules ask for, each against a real server on loopback that this test
 * starts: response headers, body regular expressions, TLS and version expectations, the body limit, redirects, the
 * request body, and tcp/tls dialogues with STARTTLS. The facts {@code /probe} renders are asserted with them.
 */
class BlackboxChecksTest {
    @TempDir
    static Path certificates;

    static Vertx vertx;
    static TestPki pki;
    static TestPki.Leaf localhost;
    static HttpServer http;
    static HttpServer https;
    static NetServer http10;
    static Context context;
    static Dialer dialer;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        pki = new TestPki(certificates);
        localhost = pki.issue("localhost", 90, "localhost");
        http = vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(BlackboxChecksTest::route);
        http.listen().await();
        https = vertx.createHttpServer(new HttpServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(0)
                        .setSsl(true)
                        .setKeyCertOptions(keys(localhost)))
                .requestHandler(BlackboxChecksTest::route);
        https.listen().await();
        http10 = vertx.createNetServer(
                        new NetServerOptions().setHost("127.0.0.1").setPort(0))
                .connectHandler(socket -> socket.handler(
                        request -> socket.end(Buffer.buffer("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"))));
        http10.listen().await();
        context = vertx.getOrCreateContext();
        Promise<Dialer> made = Promise.promise();
        context.runOnContext(v -> made.complete(
                new Dialer(vertx, TlsEngine.detect(), new Resolver(vertx, List.of(), Duration.ofSeconds(2)))));
        dialer = made.future().await();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static PemKeyCertOptions keys(TestPki.Leaf leaf) {
        return new PemKeyCertOptions()
                .addKeyPath(leaf.keyFile().toString())
                .addCertPath(leaf.certFile().toString());
    }

    private static void route(io.vertx.core.http.HttpServerRequest request) {
        var response = request.response();
        switch (request.path()) {
            case "/headers" ->
                response.putHeader("Set-Cookie", (Iterable<String>) List.of("a=1", "b=2"))
                        .putHeader("Access-Control-Allow-Origin", "example.com")
                        .putHeader("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")
                        .end("Download the latest version here");
            case "/echo" ->
                request.body()
                        .onSuccess(body -> response.end(request.method() + " ua="
                                + request.getHeader("User-Agent") + " type=" + request.getHeader("Content-Type")
                                + " length="
                                + request.getHeader("Content-Length") + " body=" + body));
            case "/chain" -> {
                int left = Integer.parseInt(request.getParam("n"));
                if (left == 0) {
                    response.end("arrived");
                } else {
                    response.setStatusCode(302)
                            .putHeader("Location", "/chain?n=" + (left - 1))
                            .end();
                }
            }
            case "/see-other" ->
                response.setStatusCode(Integer.parseInt(request.getParam("status")))
                        .putHeader("Location", "/echo")
                        .end();
            case "/big" -> response.end("x".repeat(100));
            default -> response.setStatusCode(404).end();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + http.actualPort() + path;
    }

    record Run(ProbeResult result, Attempt attempt) {}

    private static Run run(String yaml) {
        TargetSpec target = Documents.readYaml("name: t\ntimeout: 3s\n" + yaml, TargetSpec.class);
        ProbeSpec spec = target.probe();
        Attempt attempt = new Attempt("t", System.currentTimeMillis(), System.nanoTime());
        attempt.explaining();
        Promise<ProbeResult> result = Promise.promise();
        Checks checks = new Checks();
        context.runOnContext(v -> {
            // The deadline, as the probe runner keeps it.
            long timer = vertx.setTimer(3000, fired -> result.tryComplete(attempt.timeOut(3000)));
            result.future().onComplete(done -> vertx.cancelTimer(timer));
            Future<ProbeResult> probed;
            if (spec instanceof HttpSpec httpSpec) {
                probed = new HttpProber(dialer, checks).probe(httpSpec, attempt, 3000);
            } else if (spec instanceof TcpSpec tcp) {
                probed = new TcpProber(dialer, checks).probe(tcp, attempt, 3000);
            } else {
                probed = new TlsProber(dialer, Clock.systemUTC(), checks).probe((TlsSpec) spec, attempt, 3000);
            }
            probed.recover(error -> Future.succeededFuture(
                            attempt.fail(Failures.classify(error, attempt.phase()), Failures.describe(error))))
                    .onSuccess(result::tryComplete);
        });
        return new Run(result.future().await(), attempt);
    }

    private static Run http(String url, String extra) {
        return run("http:\n  url: " + url + "\n" + extra);
    }

    @Test
    void headerExpectationsAsBlackboxJudgesThem() {
        Run passes = http(url("/headers"), """
                  expectHeaders:
                  - {name: access-control-allow-origin, regex: '(\\*|example\\.com)'}
                  - {name: X-Absent, regex: '.*', mustNotMatch: true, allowMissing: true}
                  - {name: Set-Cookie, regex: 'b=2'}
                """);
        assertThat(passes.result().success()).as(passes.result().toString()).isTrue();
        assertThat(passes.attempt().facts()).containsEntry(Fact.FAILED_DUE_TO_REGEX, 0.0);

        Run cookie = http(url("/headers"), "  expectHeaders: [{name: Set-Cookie, regex: '.*', mustNotMatch: true}]\n");
        assertThat(cookie.result().reason()).isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(cookie.result().message()).contains("header Set-Cookie", "and 1 more values", "matches /.*/");
        assertThat(cookie.attempt().facts()).containsEntry(Fact.FAILED_DUE_TO_REGEX, 1.0);

        Run missing = http(url("/headers"), "  expectHeaders: [{name: X-Absent, regex: '.*', mustNotMatch: true}]\n");
        assertThat(missing.result().message()).isEqualTo("header X-Absent is missing");
    }

    @Test
    void bodyRegexesAllMustMatchAndNoneOfTheRejectedMay() {
        Run passes = http(
                url("/headers"),
                "  expectBodyRegex: ['latest version', '^Download']\n  rejectBodyRegex: ['Could not connect']\n");
        assertThat(passes.result().success()).as(passes.result().toString()).isTrue();
        assertThat(passes.attempt().facts())
                .containsEntry(Fact.FAILED_DUE_TO_REGEX, 0.0)
                .containsEntry(Fact.HTTP_LAST_MODIFIED, 1445412480.0)
                .containsEntry(Fact.HTTP_VERSION, 1.1)
                .containsEntry(Fact.SSL, 0.0)
                .containsEntry(Fact.HTTP_REDIRECTS, 0.0)
                .containsEntry(Fact.HTTP_BODY_LENGTH, 32.0)
                .containsEntry(Fact.HTTP_CONTENT_LENGTH, 32.0);

        Run rejected = http(url("/headers"), "  rejectBodyRegex: ['latest\\s+version']\n");
        assertThat(rejected.result().reason()).isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(rejected.result().message()).contains("rejectBodyRegex");
        assertThat(rejected.attempt().facts()).containsEntry(Fact.FAILED_DUE_TO_REGEX, 1.0);

        Run absent = http(url("/headers"), "  expectBodyRegex: ['latest version', 'nowhere']\n");
        assertThat(absent.result().message()).isEqualTo("body does not match /nowhere/ (expectBodyRegex)");
        assertThat(absent.attempt().explanation()).anyMatch(line -> line.contains("failed: body does not match"));
    }

    @Test
    void theBodyLimitCutsOrFails() {
        Run cut = http(url("/big"), "  maxBodyBytes: 10\n  expectBodyRegex: ['^x{10}$']\n");
        assertThat(cut.result().success()).as(cut.result().toString()).isTrue();

        Run over = http(url("/big"), "  maxBodyBytes: 10\n  failOverBodyLimit: true\n");
        assertThat(over.result().reason()).isEqualTo(FailureReason.BODY_MISMATCH);
        assertThat(over.result().message()).isEqualTo("body is longer than maxBodyBytes (10)");

        Run fits = http(url("/big"), "  maxBodyBytes: 100\n  failOverBodyLimit: true\n");
        assertThat(fits.result().success()).as(fits.result().toString()).isTrue();
    }

    @Test
    void theRequestBodyAndConfiguredHeadersReplaceTheDefaults() {
        Run posted = http(url("/echo"), """
                  method: POST
                  headers: {Content-Type: application/json, user-agent: Blackbox Exporter/0.23}
                  body: '{"é": 1}'
                """);
        assertThat(posted.result().success()).as(posted.result().toString()).isTrue();
        assertThat(posted.attempt().explanation())
                .anyMatch(line -> line.contains("POST " + url("/echo") + " with a body"));
        // The echo is the body the server read; the regex proves it, with the one User-Agent sent.
        Run echoed = http(url("/echo"), """
                  method: POST
                  headers: {Content-Type: application/json, user-agent: Blackbox Exporter/0.23}
                  body: '{"é": 1}'
                  expectBodyRegex: ['^POST ua=Blackbox Exporter/0\\.23 type=application/json length=9 body=\\{"é": 1\\}$']
                """);
        assertThat(echoed.result().success()).as(echoed.result().toString()).isTrue();
    }

    @Test
    void redirectsAreCountedAndCappedByMaxRedirects() {
        Run followed = http(url("/chain?n=3"), "  followRedirects: true\n  expectBodyRegex: [arrived]\n");
        assertThat(followed.result().success()).as(followed.result().toString()).isTrue();
        assertThat(followed.attempt().facts()).containsEntry(Fact.HTTP_REDIRECTS, 3.0);

        Run capped = http(url("/chain?n=3"), "  followRedirects: true\n  maxRedirects: 2\n");
        assertThat(capped.result().reason()).isEqualTo(FailureReason.HTTP_STATUS);
        assertThat(capped.result().message()).isEqualTo("more than 2 redirects");

        Run ten = http(url("/chain?n=10"), "  followRedirects: true\n  maxRedirects: 10\n");
        assertThat(ten.result().success()).as(ten.result().toString()).isTrue();
    }

    @Test
    void aSeeOtherRedirectTurnsAPostIntoAGetWithoutBodyAndA307RepeatsIt() {
        String post = "  method: POST\n  body: hello\n  followRedirects: true\n";
        Run seeOther = http(url("/see-other?status=303"), post + "  expectBodyRegex: ['^GET .* body=$']\n");
        assertThat(seeOther.result().success()).as(seeOther.result().toString()).isTrue();

        Run temporary = http(url("/see-other?status=307"), post + "  expectBodyRegex: ['^POST .* body=hello$']\n");
        assertThat(temporary.result().success())
                .as(temporary.result().toString())
                .isTrue();
    }

    @Test
    void versionsAreCheckedAgainstTheStatusLine() {
        String old = "http://127.0.0.1:" + http10.actualPort() + "/";
        Run accepted = http(old, "  expectVersions: [HTTP/1.0, HTTP/1.1]\n");
        assertThat(accepted.result().success()).as(accepted.result().toString()).isTrue();
        assertThat(accepted.attempt().facts()).containsEntry(Fact.HTTP_VERSION, 1.0);

        Run refused = http(old, "  expectVersions: [HTTP/1.1, HTTP/2.0]\n");
        assertThat(refused.result().reason()).isEqualTo(FailureReason.PROTOCOL);
        assertThat(refused.result().message()).contains("answered in HTTP/1.0");
    }

    @Test
    void serverNameAloneSetsTheTlsNameAndExpectTlsJudgesTheScheme() {
        String secure = "https://127.0.0.1:" + https.actualPort() + "/headers";
        String ca = "  tls: {caFile: '" + pki.caFile() + "'}\n";
        Run otherName = http(secure, ca + "  serverName: other.test\n");
        assertThat(otherName.result().reason())
                .as("the certificate names localhost (and 127.0.0.1), not other.test")
                .isEqualTo(FailureReason.TLS_HANDSHAKE);
        Run overHost = http(secure, ca + "  hostHeader: other.test\n  serverName: localhost\n");
        assertThat(overHost.result().success())
                .as("serverName, not the Host header, is the TLS name: %s", overHost.result())
                .isTrue();

        Run named = http(secure, ca + "  serverName: localhost\n  expectTls: true\n");
        assertThat(named.result().success()).as(named.result().toString()).isTrue();
        assertThat(named.attempt().facts()).containsEntry(Fact.SSL, 1.0);

        Run notWanted = http(secure, ca + "  serverName: localhost\n  expectTls: false\n");
        assertThat(notWanted.result().reason()).isEqualTo(FailureReason.PROTOCOL);

        Run plain = http(url("/headers"), "  expectTls: true\n");
        assertThat(plain.result().message()).contains("did not come over TLS");
    }

    /** A line-based server: {@code answer} gets each line the client sends (without its newline) and the socket. */
    private static NetServer lineServer(String greeting, BiConsumer<String, NetSocket> answer) {
        NetServer server = vertx.createNetServer(
                        new NetServerOptions().setHost("127.0.0.1").setPort(0))
                .connectHandler(socket -> {
                    socket.handler(RecordParser.newDelimited(
                            "\n", line -> answer.accept(line.toString().replace("\r", ""), socket)));
                    if (greeting != null) {
                        socket.write(greeting);
                    }
                });
        server.listen().await();
        return server;
    }

    @Test
    void smtpStartTlsAsBlackboxExampleRunsIt() throws Exception {
        SslContext serverTls = SslContextBuilder.forServer(
                        localhost.certFile().toFile(), localhost.keyFile().toFile())
                .build();
        NetServer smtp = lineServer("220 mail.test ESMTP ready\r\n", (line, socket) -> {
            if (line.startsWith("EHLO") && !socket.isSsl()) {
                socket.write("250-mail.test\r\n250-STARTTLS\r\n250 OK\r\n");
            } else if (line.equals("STARTTLS")) {
                // Upgraded at once, on the event loop, before the client's hello can arrive.
                socket.write("220 go ahead\r\n");
                // Netty's handler, added on the event loop before the client's hello can arrive (Vert.x's upgradeToSsl
                // loads its keys asynchronously first, and would miss it).
                ChannelHandlerContext channel = ((NetSocketInternal) socket).channelHandlerContext();
                channel.pipeline().addFirst(serverTls.newHandler(channel.alloc()));
            } else if (line.startsWith("EHLO")) {
                socket.write("250-mail.test\r\n250-AUTH PLAIN\r\n250 OK\r\n");
            } else if (line.equals("QUIT")) {
                socket.end(Buffer.buffer("221 bye\r\n"));
            }
        });
        String steps = """
                  queryResponse:
                  - expect: '^220 ([^ ]+) ESMTP (.+)$'
                  - send: "EHLO prober\\r"
                  - expect: '^250-STARTTLS'
                  - send: "STARTTLS\\r"
                  - expect: '^220'
                  - startTls: true
                  - send: "EHLO prober\\r"
                  - expect: '^250-AUTH'
                  - send: "QUIT\\r"
                """;
        try {
            String where = "tcp:\n  host: 127.0.0.1\n  port: " + smtp.actualPort() + "\n";
            Run ok = run(where + steps + "  serverName: localhost\n  tls: {caFile: '" + pki.caFile() + "'}\n");
            assertThat(ok.result().success())
                    .as(ok.result() + "\n" + ok.attempt().explanation())
                    .isTrue();
            assertThat(ok.attempt().facts()).containsEntry(Fact.FAILED_DUE_TO_REGEX, 0.0);
            assertThat(ok.result().timings().tls())
                    .as("the STARTTLS handshake is timed")
                    .isPositive();
            assertThat(ok.attempt().explanation()).anyMatch(line -> line.contains("starting TLS as localhost"));

            Run untrusted = run(where + steps);
            assertThat(untrusted.result().reason())
                    .as("verified as 127.0.0.1 against the JVM's trust store")
                    .isEqualTo(FailureReason.TLS_HANDSHAKE);
        } finally {
            smtp.close().await();
        }
    }

    @Test
    void anExpectThatNoLineMatchesFailsWhenThePeerCloses() {
        NetServer banner = vertx.createNetServer(
                        new NetServerOptions().setHost("127.0.0.1").setPort(0))
                .connectHandler(socket -> socket.end(Buffer.buffer("SSH-2.0-OpenSSH_9.2\r\nlast line, unterminated")));
        banner.listen().await();
        try {
            String where = "tcp:\n  host: 127.0.0.1\n  port: " + banner.actualPort() + "\n";
            Run matched = run(where + "  queryResponse: [{expect: '^SSH-2.0-'}]\n");
            assertThat(matched.result().success())
                    .as(matched.result().toString())
                    .isTrue();

            Run lastLine = run(where + "  queryResponse: [{expect: 'unterminated$'}]\n");
            assertThat(lastLine.result().success())
                    .as("the bytes left at close are the last line")
                    .isTrue();

            Run missed = run(where + "  queryResponse: [{expect: '^HELLO'}]\n");
            assertThat(missed.result().reason()).isEqualTo(FailureReason.BODY_MISMATCH);
            assertThat(missed.result().message())
                    .isEqualTo("step 1: no line matched /^HELLO/ before the connection closed");
            assertThat(missed.attempt().facts()).containsEntry(Fact.FAILED_DUE_TO_REGEX, 1.0);
        } finally {
            banner.close().await();
        }
    }

    @Test
    void sendExpandsTheGroupsOfTheLineExpectMatched() {
        NetServer irc = lineServer(null, (line, socket) -> {
            if (line.startsWith("USER")) {
                socket.write("NOTICE hello\r\nPING :abc123\r\n");
            } else if (line.equals("PONG abc123")) {
                socket.write(":irc.test 001 prober :welcome\r\n");
            } else if (line.startsWith("PONG")) {
                socket.end(Buffer.buffer("ERROR wrong pong\r\n"));
            }
        });
        try {
            Run ok = run("tcp:\n  host: 127.0.0.1\n  port: " + irc.actualPort() + "\n" + """
                      queryResponse:
                      - send: "NICK prober"
                      - send: "USER prober prober prober :prober"
                      - expect: "PING :([^ ]+)"
                        send: "PONG ${1}"
                      - expect: "^:[^ ]+ 001"
                    """);
            assertThat(ok.result().success())
                    .as(ok.result() + "\n" + ok.attempt().explanation())
                    .isTrue();
        } finally {
            irc.close().await();
        }
    }

    @Test
    void expansionFollowsGoRegexpExpand() {
        Matcher match = Pattern.compile("(?P<word>[a-z]+)-(\\d+)").matcher("xx abc-42");
        assertThat(match.find()).isTrue();
        assertThat(Dialogue.expand("$1 ${2} ${word} $word $$ $3 ${nope} $", match))
                .isEqualTo("abc 42 abc abc $   $");
        assertThat(Dialogue.expand("PONG ${1}x", match)).isEqualTo("PONG abcx");
        assertThat(Dialogue.expand("$1x", match))
                .as("Go reads $1x as the group named 1x")
                .isEqualTo("");
    }

    @Test
    void aTlsProbeRunsItsDialogueOverTls() {
        NetServer pop3s = vertx.createNetServer(new NetServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(0)
                        .setSsl(true)
                        .setKeyCertOptions(keys(localhost)))
                .connectHandler(socket -> socket.end(Buffer.buffer("+OK POP3 ready\r\n")));
        pop3s.listen().await();
        try {
            String where = "tls:\n  host: 127.0.0.1\n  port: " + pop3s.actualPort() + "\n  serverName: localhost\n"
                    + "  minDaysRemaining: 0\n";
            Run ok = run(where + "  caFile: '" + pki.caFile() + "'\n  queryResponse: [{expect: '^\\+OK'}]\n");
            assertThat(ok.result().success()).as(ok.result().toString()).isTrue();

            Run insecure = run(where + "  insecureSkipVerify: true\n  queryResponse: [{expect: '^-ERR'}]\n");
            assertThat(insecure.result().reason())
                    .as("verification skipped, so the dialogue ran and failed")
                    .isEqualTo(FailureReason.BODY_MISMATCH);
        } finally {
            pop3s.close().await();
        }
    }

    @Test
    void specsRefuseWhatCannotWork() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Documents.readYaml(
                        "name: t\ntls: {host: h, port: 1, queryResponse: [{startTls: true}]}", TargetSpec.class)))
                .hasMessageContaining("startTls");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Documents.readYaml(
                        "name: t\nhttp: {url: 'http://h/', expectVersions: [HTTP/2]}", TargetSpec.class)))
                .hasMessageContaining("'HTTP/2' is not one of");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Documents.readYaml(
                        "name: t\nhttp: {url: 'http://h/', expectBodyRegex: ['(?=x)']}", TargetSpec.class)))
                .hasMessageContaining("expectBodyRegex");
    }
}
