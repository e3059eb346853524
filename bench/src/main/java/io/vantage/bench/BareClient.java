package io.vantage.bench;

import com.sun.management.OperatingSystemMXBean;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling: a bare Vert.x HTTP client sending the same requests at the same rate, one fresh connection
 * each, with no scheduling, timing or metrics. Prints completed requests and its own CPU seconds over the
 * measured window, after its JIT has settled ({@link JitWarmup}): {@code BareClient PORT TARGETS RATE MIN_WARMUP_SECONDS MEASURE_SECONDS [CA_FILE|- SERVER_NAME]}. With a CA
 * file it speaks HTTPS, verifying the server against SERVER_NAME, on the same TLS engine the agent uses
 * (OpenSSL where it loads) with no session cache, so every request is a full handshake.
 */
public final class BareClient {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int targets = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        long warmupMillis = Long.parseLong(args[3]) * 1000;
        long measureMillis = Long.parseLong(args[4]) * 1000;
        String caFile = args.length > 5 && !args[5].equals("-") ? args[5] : null;
        long started = System.nanoTime();
        Vertx vertx = Vertx.vertx();
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(false);
        if (caFile != null) {
            options.setSsl(true)
                    .setTrustOptions(new PemTrustOptions().addCertPath(caFile))
                    .setVerifyHost(true)
                    .setSslEngineOptions(
                            OpenSSLEngineOptions.isAvailable()
                                    ? new OpenSSLEngineOptions().setSessionCacheEnabled(false)
                                    : new JdkSSLEngineOptions());
        }
        String host = caFile != null ? args[6] : "127.0.0.1";
        HttpClientAgent client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(5000));
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long[] next = {0};
        int perTick = Math.max(1, rate / 100);
        long driver = vertx.setPeriodic(1000L * perTick / rate, tick -> {
            for (int i = 0; i < perTick; i++) {
                long target = next[0]++ % targets;
                client.request(new RequestOptions()
                                .setMethod(HttpMethod.GET)
                                .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
                                .setHost(host)
                                .setPort(port)
                                .setURI("/p" + target))
                        .compose(request -> request.send())
                        .compose(response -> response.body())
                        .onComplete(done -> (done.succeeded() ? completed : failed).incrementAndGet());
            }
        });
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Thread.sleep(warmupMillis);
        System.out.println(
                "warm-up: " + JitWarmup.settle(ProcessHandle.current().pid(), started));
        long cpu0 = os.getProcessCpuTime();
        long done0 = completed.get();
        long t0 = System.nanoTime();
        Thread.sleep(measureMillis);
        long cpu1 = os.getProcessCpuTime();
        long done1 = completed.get();
        long t1 = System.nanoTime();
        System.out.printf(
                "completed=%d seconds=%.3f cpu=%.3f failed=%d%n",
                done1 - done0, (t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9, failed.get());
        vertx.cancelTimer(driver);
        vertx.close().await();
    }
}
