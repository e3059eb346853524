package io.vantage.bench;

import com.sun.management.OperatingSystemMXBean;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling: a bare Vert.x HTTP client sending the same requests at the same rate, one fresh connection
 * each, with no scheduling, timing or metrics. Prints completed requests and its own CPU seconds over the
 * measured window: {@code BareClient PORT TARGETS RATE WARMUP_SECONDS MEASURE_SECONDS}.
 */
public final class BareClient {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int targets = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        long warmupMillis = Long.parseLong(args[3]) * 1000;
        long measureMillis = Long.parseLong(args[4]) * 1000;
        Vertx vertx = Vertx.vertx();
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(5000));
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long[] next = {0};
        int perTick = Math.max(1, rate / 100);
        long driver = vertx.setPeriodic(1000L * perTick / rate, tick -> {
            for (int i = 0; i < perTick; i++) {
                long target = next[0]++ % targets;
                client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI("/p" + target))
                        .compose(request -> request.send())
                        .compose(response -> response.body())
                        .onComplete(done -> (done.succeeded() ? completed : failed).incrementAndGet());
            }
        });
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Thread.sleep(warmupMillis);
        long cpu0 = os.getProcessCpuTime();
        long done0 = completed.get();
        long t0 = System.nanoTime();
        Thread.sleep(measureMillis);
        long cpu1 = os.getProcessCpuTime();
        long done1 = completed.get();
        long t1 = System.nanoTime();
        System.out.printf("completed=%d seconds=%.3f cpu=%.3f failed=%d%n", done1 - done0, (t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9, failed.get());
        vertx.cancelTimer(driver);
        vertx.close().await();
    }
}
