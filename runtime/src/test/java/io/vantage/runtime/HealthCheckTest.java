package io.vantage.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container health check against real plain and TLS servers, the TLS one with a certificate for another name. */
class HealthCheckTest {
    static Vertx vertx;
    static TestPki pki;
    static TestPki.Leaf serving;
    static TestPki.Leaf other;
    static TestHttpServer tls;
    static TestHttpServer plain;

    @BeforeAll
    static void start(@TempDir Path directory) throws Exception {
        vertx = Vertx.vertx();
        pki = new TestPki(directory);
        serving = pki.issue("serving", 1, "vantage-aggregator-0.vantage-aggregator-headless.vantage.svc");
        other = pki.issue("other", 1, "vantage-aggregator-0.vantage-aggregator-headless.vantage.svc");
        tls = TestHttpServer.tls(vertx, serving);
        plain = TestHttpServer.plain(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void aTlsServerIsHealthyWhenItPresentsThePinnedCertificateWhateverNameItIsReachedBy() {
        assertThat(HealthCheck.check(new String[] {
                    tls.url("/ok"), "--pin-cert", serving.certFile().toString()
                }))
                .isNull();
    }

    @Test
    void anotherCertificateThanThePinnedOneFails() {
        assertThat(HealthCheck.check(new String[] {
                    tls.url("/ok"), "--pin-cert", other.certFile().toString()
                }))
                .contains("PKIX");
    }

    @Test
    void withoutAPinTheJvmTrustStoreAndTheHostNameAreChecked() {
        assertThat(HealthCheck.check(new String[] {tls.url("/ok")})).isNotNull();
    }

    @Test
    void plainHttpToATlsServerFails() {
        assertThat(HealthCheck.check(new String[] {tls.url("/ok").replace("https:", "http:")}))
                .isNotNull();
    }

    @Test
    void aStatusOtherThan200Fails() {
        assertThat(HealthCheck.check(new String[] {plain.url("/ok")})).isNull();
        assertThat(HealthCheck.check(new String[] {plain.url("/status/503")})).endsWith("answered 503");
        assertThat(HealthCheck.check(new String[] {plain.url("/ok"), "--pin-cert", "x.pem"}))
                .startsWith("--pin-cert needs an https URL");
        assertThat(HealthCheck.check(new String[] {})).startsWith("usage:");
    }
}
