package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.Unpooled;
import io.vantage.agent.testing.Probes;
import io.vantage.testing.Ports;
import io.vantage.testing.RawServer;
import io.vantage.testing.TestDnsServer;
import io.vantage.testing.TestPki;
import io.vantage.wire.Documents;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.GrpcSpec;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * gRPC health probes against grpc-java servers on loopback with grpc-java's own health service ({@link
 * HealthStatusManager}): every verdict, TLS on both engines, phases and facts.
 */
class GrpcProbeTest {
    @TempDir
    static Path certificates;

    static Vertx vertx;
    static TestPki pki;
    static TestPki.Leaf leaf;
    static TestDnsServer dns;
    static List<SocketAddress> resolver;
    static Probes probes;
    static HealthStatusManager health;
    static Server plain;
    static Server secure;
    static final Map<TlsEngine, Probes> probesByEngine = new EnumMap<>(TlsEngine.class);

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        pki = new TestPki(certificates);
        leaf = pki.issue("grpc", 90, "grpc.test");
        dns = TestDnsServer.start(vertx).add("grpc.test", "127.0.0.1");
        resolver = List.of(SocketAddress.inetSocketAddress(dns.port(), "127.0.0.1"));
        probes = new Probes(vertx, resolver);
        for (TlsEngine engine : TlsEngine.values()) {
            probesByEngine.put(engine, new Probes(vertx, resolver, engine));
        }
        health = new HealthStatusManager();
        health.setStatus("vantage.Serving", ServingStatus.SERVING);
        health.setStatus("vantage.Down", ServingStatus.NOT_SERVING);
        plain = server(null, health.getHealthService());
        secure = server(
                TlsServerCredentials.create(
                        leaf.certFile().toFile(), leaf.keyFile().toFile()),
                health.getHealthService());
    }

    /** A grpc-java server on 127.0.0.1 with {@code services}; plaintext when {@code credentials} is null. */
    static Server server(ServerCredentials credentials, BindableService... services) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        NettyServerBuilder builder = credentials == null
                ? NettyServerBuilder.forAddress(loopback)
                : NettyServerBuilder.forAddress(loopback, credentials);
        for (BindableService service : services) {
            builder.addService(service);
        }
        return builder.build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        secure.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        vertx.close().await();
    }

    private static String target(String host, int port, String service, String extra) {
        return "name: t\ntimeout: 2s\ngrpc:\n  host: " + host + "\n  port: " + port + "\n  service: '" + service + "'\n"
                + extra;
    }

    @Test
    void aServingServerPassesWithItsPhases() {
        ProbeResult whole = probes.probe(target("grpc.test", plain.getPort(), "", ""));
        ProbeResult service = probes.probe(target("127.0.0.1", plain.getPort(), "vantage.Serving", ""));

        assertThat(whole.success()).as(whole.toString()).isTrue();
        assertThat(whole.address()).isEqualTo("127.0.0.1");
        assertThat(whole.timings().dns()).as("grpc.test was resolved").isNotNull();
        assertThat(whole.timings().connect()).isPositive();
        assertThat(whole.timings().tls()).as("plaintext has no TLS").isNull();
        assertThat(whole.timings().firstByte())
                .isGreaterThanOrEqualTo(whole.timings().connect());
        assertThat(whole.timings().total())
                .isGreaterThanOrEqualTo(whole.timings().firstByte());
        assertThat(service.success()).as(service.toString()).isTrue();
        assertThat(service.timings().dns()).as("an address needs no DNS").isNull();
    }

    @Test
    void notServingFailsNamingBothStatuses() {
        ProbeResult result = probes.probe(target("127.0.0.1", plain.getPort(), "vantage.Down", ""));

        assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.NOT_SERVING);
        assertThat(result.message()).contains("vantage.Down", "NOT_SERVING", "gRPC status OK");
        assertThat(result.timings().firstByte()).as("it answered").isNotNull();
    }

    @Test
    void aServiceTheHealthServiceDoesNotKnowIsNotFound() {
        ProbeResult result = probes.probe(target("127.0.0.1", plain.getPort(), "vantage.Unknown", ""));

        assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.GRPC_STATUS);
        assertThat(result.message()).contains("NOT_FOUND", "vantage.Unknown", "no serving status");
    }

    @Test
    void aServerWithoutAHealthServiceIsUnimplemented() throws Exception {
        Server bare = server(null);
        try {
            ProbeResult result = probes.probe(target("127.0.0.1", bare.getPort(), "", ""));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.GRPC_STATUS);
            assertThat(result.message()).contains("UNIMPLEMENTED", "no grpc.health.v1.Health service");
        } finally {
            bare.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void noServerIsRefused() throws Exception {
        ProbeResult result = probes.probe(target("127.0.0.1", Ports.free(), "", ""));

        assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.REFUSED);
    }

    @Test
    void aHealthServiceThatNeverAnswersTimesOut() throws Exception {
        Server silent = server(null, new HealthGrpc.HealthImplBase() {
            @Override
            public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
                // never answers: the call's deadline (the probe's grpc-timeout) ends it
            }
        });
        try {
            String yaml = target("127.0.0.1", silent.getPort(), "", "").replace("timeout: 2s", "timeout: 300ms");
            probes.probe(yaml); // the first loads the HTTP/2 classes on the loop, which would make it late
            ProbeResult result = probes.probe(yaml);

            // On a loaded machine the loop may still run late: then the same timeout is the agent's no vote.
            assertThat(result.reason())
                    .as(result.toString())
                    .isIn(FailureReason.TIMEOUT, FailureReason.AGENT_OVERLOADED);
            assertThat(result.message()).contains("no answer within 300ms: timed out waiting for the response");
            assertThat(result.timings().firstByte()).as("no response headers").isNull();
            assertThat(result.timings().total()).isGreaterThanOrEqualTo(0.3);
        } finally {
            silent.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServerThatDoesNotSpeakHttp2IsAProtocolFailure() {
        try (RawServer garbage = RawServer.start(vertx, RawServer.Behaviour.GARBAGE)) {
            ProbeResult result = probes.probe(target("127.0.0.1", garbage.port(), "", ""));

            assertThat(result.reason()).as(result.toString()).isEqualTo(FailureReason.PROTOCOL);
            assertThat(result.message()).contains("HTTP/2 error");
        }
    }

    @ParameterizedTest
    @EnumSource(TlsEngine.class)
    void tlsIsVerifiedAgainstCaFileAndServerName(TlsEngine engine) {
        Probes on = probesByEngine.get(engine);
        String ca = "  tls: true\n  caFile: " + pki.caFile() + "\n";

        ProbeResult verified =
                on.probe(target("127.0.0.1", secure.getPort(), "vantage.Serving", ca + "  serverName: grpc.test\n"));
        ProbeResult byHost = on.probe(target("grpc.test", secure.getPort(), "", ca));
        ProbeResult wrongName = on.probe(target("127.0.0.1", secure.getPort(), "", ca + "  serverName: other.test\n"));
        ProbeResult untrusted = on.probe(target("grpc.test", secure.getPort(), "", "  tls: true\n"));
        ProbeResult lab = on.probe(target(
                "127.0.0.1",
                secure.getPort(),
                "",
                "  tls: true\n  insecureSkipVerify: true\n  serverName: other.test\n"));
        ProbeResult plaintextToTls = on.probe(target("127.0.0.1", secure.getPort(), "", ""));

        assertThat(verified.success()).as(verified.toString()).isTrue();
        assertThat(verified.timings().tls()).isPositive();
        assertThat(verified.tlsNotAfter())
                .isEqualTo(leaf.certificate().getNotAfter().toInstant().getEpochSecond());
        assertThat(byHost.success())
                .as("the host is the default name: %s", byHost)
                .isTrue();
        assertThat(wrongName.reason()).as(wrongName.toString()).isEqualTo(FailureReason.TLS_HANDSHAKE);
        assertThat(untrusted.reason()).as(untrusted.toString()).isEqualTo(FailureReason.TLS_HANDSHAKE);
        assertThat(lab.success()).as("insecureSkipVerify: %s", lab).isTrue();
        assertThat(plaintextToTls.success()).as(plaintextToTls.toString()).isFalse();
    }

    @Test
    void theProberRecordsTheGrpcFactsAndExplainsItself() {
        Attempt serving =
                attempt(new GrpcSpec("127.0.0.1", plain.getPort(), "vantage.Serving", null, null, null, null));
        Attempt down = attempt(new GrpcSpec("127.0.0.1", plain.getPort(), "vantage.Down", null, null, null, null));
        Attempt unknown =
                attempt(new GrpcSpec("127.0.0.1", plain.getPort(), "vantage.Unknown", null, null, null, null));
        Attempt tls = attempt(new GrpcSpec(
                "127.0.0.1",
                secure.getPort(),
                "",
                true,
                "grpc.test",
                pki.caFile().toString(),
                null));

        assertThat(serving.facts())
                .containsEntry(Fact.GRPC_STATUS_CODE, 0.0)
                .containsEntry(Fact.GRPC_SERVING_STATUS, 1.0)
                .containsEntry(Fact.SSL, 0.0);
        assertThat(down.facts()).containsEntry(Fact.GRPC_STATUS_CODE, 0.0).containsEntry(Fact.GRPC_SERVING_STATUS, 2.0);
        assertThat(unknown.facts())
                .containsEntry(Fact.GRPC_STATUS_CODE, 5.0)
                .doesNotContainKey(Fact.GRPC_SERVING_STATUS);
        assertThat(tls.facts()).containsEntry(Fact.SSL, 1.0).containsEntry(Fact.GRPC_SERVING_STATUS, 1.0);
        assertThat(String.join("\n", serving.explanation()))
                .contains("connected to", "/grpc.health.v1.Health/Check", "serving status SERVING");
        assertThat(String.join("\n", tls.explanation())).contains("ALPN h2");
    }

    /** Runs the prober itself on a context, explaining, and returns the finished attempt. */
    private static Attempt attempt(GrpcSpec spec) {
        Context context = vertx.getOrCreateContext();
        Promise<Attempt> done = Promise.promise();
        context.runOnContext(v -> {
            Dialer dialer = new Dialer(vertx, TlsEngine.detect(), new Resolver(vertx, resolver, Duration.ofSeconds(2)));
            Attempt attempt = new Attempt("t", System.currentTimeMillis(), System.nanoTime());
            attempt.explaining();
            new GrpcProber(dialer).probe(spec, attempt, 2000).onComplete(result -> done.complete(attempt));
        });
        return done.future().await();
    }

    @Test
    void theMessagesAreEncodedAndReadAsProtobufWritesThem() {
        assertThat(GrpcProber.request("")).isEmpty();
        assertThat(GrpcProber.request("a.B")).containsExactly(0x0a, 3, 'a', '.', 'B');
        assertThat(GrpcProber.request("x".repeat(200))).startsWith(0x0a, 0xc8, 0x01);
        byte[] response = HealthCheckResponse.newBuilder()
                .setStatus(ServingStatus.NOT_SERVING)
                .build()
                .toByteArray();
        assertThat(GrpcProber.servingStatus(Unpooled.wrappedBuffer(response))).isEqualTo(2);
        assertThat(GrpcProber.servingStatus(Unpooled.EMPTY_BUFFER))
                .as("proto3 leaves out the default, UNKNOWN")
                .isZero();
        assertThat(GrpcProber.servingStatus(Unpooled.wrappedBuffer(new byte[] {0x08})))
                .as("cut short")
                .isEqualTo(-1);
        assertThat(HealthCheckRequest.newBuilder().setService("a.B").build().toByteArray())
                .containsExactly(GrpcProber.request("a.B"));
        assertThat(GrpcProber.decodeMessage("unknown%20service %E2%9C%93")).isEqualTo("unknown service ✓");
    }

    @Test
    void aGrpcTargetReadsWithItsDefaultsAndRefusesTlsSettingsWithoutTls() {
        GrpcSpec spec = Documents.readYaml("name: t\ngrpc: {host: h, port: 50051}\n", TargetSpec.class)
                .grpc();

        assertThat(spec.service()).isEmpty();
        assertThat(spec.tls()).isFalse();
        assertThat(spec.insecureSkipVerify()).isFalse();
        assertThat(spec.effectiveServerName()).isEqualTo("h");
        assertThatThrownBy(() -> new GrpcSpec("h", 1, "", false, null, "/ca.pem", null))
                .hasMessage("caFile: applies only with tls: true");
        assertThatThrownBy(() -> new GrpcSpec("h", 1, "", true, null, "/ca.pem", true))
                .hasMessage("insecureSkipVerify: cannot be combined with caFile");
    }
}
