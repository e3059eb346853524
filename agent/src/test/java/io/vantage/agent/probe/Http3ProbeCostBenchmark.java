package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.testing.Probes;
import io.vantage.testing.TestHttp3Server;
import io.vantage.testing.TestHttpServer;
import io.vantage.testing.TestPki;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an HTTP/3 probe costs beside an HTTPS (HTTP/1.1) probe: probes per CPU-second of the probe loop's thread, each
 * probe a full handshake with certificate verification against a server on loopback (the servers run on threads of
 * their own, not counted). Prints its figures and asserts none; run on demand only (the name is not a test's):
 * {@code ./mvnw -B -o -q -pl agent -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=Http3ProbeCostBenchmark
 * -Dvantage.aot.skip=true}; the figures are printed (and kept in its surefire XML report).
 */
class Http3ProbeCostBenchmark {
    // -Dbench.warmup=N -Dbench.measured=N for a shorter run (a profile).
    private static final int WARMUP = Integer.getInteger("bench.warmup", 1500);
    private static final int MEASURED = Integer.getInteger("bench.measured", 3000);

    @TempDir
    Path certificates;

    @Test
    void probesPerCpuSecond() throws Exception {
        TestPki pki = new TestPki(certificates);
        TestPki.Leaf leaf = pki.issue("bench", 30, "bench.test");
        Vertx servers = Vertx.vertx();
        Vertx agent = Vertx.vertx();
        try (TestHttp3Server h3 = TestHttp3Server.start(leaf).respond(200, "all ok");
                TestHttpServer h1 = TestHttpServer.tls(servers, leaf)) {
            Probes probes = new Probes(agent, List.of());
            String tls = ", hostHeader: bench.test, tls: {caFile: '" + pki.caFile() + "'}";
            TargetSpec http3 = Probes.target("{name: h3, interval: 30s, timeout: 10s, http: {url: 'https://127.0.0.1:"
                    + h3.port() + "/ok', version: '3'" + tls + "}}");
            TargetSpec http11 = Probes.target("{name: h1, interval: 30s, timeout: 10s, http: {url: 'https://127.0.0.1:"
                    + h1.port() + "/ok'" + tls + "}}");
            // Alternating rounds, so that a change in the machine's load falls on both alike.
            double[] h3Figures = new double[2];
            double[] h1Figures = new double[2];
            for (int round = 0; round < 2; round++) {
                h1Figures[round] = measure("HTTP/1.1 over TLS (TCP)", probes, http11, round == 0);
                h3Figures[round] = measure("HTTP/3 over QUIC (UDP)", probes, http3, round == 0);
            }
            System.out.printf(
                    "HTTP/3 / HTTPS cost per probe: %.2f (last round), load average now %.2f on %d cores%n",
                    h1Figures[1] / h3Figures[1],
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            agent.close().await();
            servers.close().await();
        }
    }

    /** Probes per CPU-second of the probe loop's thread over {@link #MEASURED} sequential probes, after a warm-up. */
    private static double measure(String label, Probes probes, TargetSpec target, boolean warmUp) throws Exception {
        if (warmUp) {
            for (int i = 0; i < WARMUP; i++) {
                probes.probe(target);
            }
        }
        long thread = probeLoopThread(probes);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long cpuBefore = threads.getThreadCpuTime(thread);
        long wallBefore = System.nanoTime();
        int failed = 0;
        for (int i = 0; i < MEASURED; i++) {
            ProbeResult result = probes.probe(target);
            if (!result.success()) {
                failed++;
            }
        }
        double cpuSeconds = (threads.getThreadCpuTime(thread) - cpuBefore) / 1e9;
        double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;
        double perCpuSecond = MEASURED / cpuSeconds;
        System.out.printf(
                "%-24s %d probes (%d failed): %.3f CPU s on the probe loop, %.1f probes per CPU-second, %.0f µs CPU"
                        + " per probe, %.1f s wall; load average %.2f before%n",
                label, MEASURED, failed, cpuSeconds, perCpuSecond, cpuSeconds * 1e6 / MEASURED, wallSeconds, load);
        assertThat(failed)
                .as(label + ": every probe must pass, or the figure means nothing")
                .isZero();
        return perCpuSecond;
    }

    /** The id of the thread that runs the probes (one Vert.x event loop). */
    private static long probeLoopThread(Probes probes) {
        Promise<Long> id = Promise.promise();
        probes.context().runOnContext(v -> id.complete(Thread.currentThread().getId()));
        return id.future().await();
    }
}
