package io.vantage.runtime;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a vantage process starts: its metrics registry, its Vert.x, and running until it is asked to stop. */
public final class Startup {
    private static final Logger LOG = LoggerFactory.getLogger(Startup.class);

    private Startup() {}

    /** Starts, then blocks until the process is asked to stop (SIGTERM, Ctrl-C), closing Vert.x cleanly. Returns the exit code. */
    public static int runUntilStopped(Vertx vertx, Runnable start) throws InterruptedException {
        try {
            start.run();
        } catch (Exception e) {
            LOG.error("failed to start: {}", e.getMessage());
            vertx.close().await();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("shutting down");
                            vertx.close().await();
                            stopped.countDown();
                        },
                        "vantage-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * A Prometheus registry with JVM and process metrics bound. Two of Micrometer's standard meters fail
     * promtool's naming lint ({@code process_cpu_time_ns_total}, {@code system_cpu_count}); the first is
     * replaced by the conventional {@code process_cpu_seconds_total}, the second dropped.
     */
    public static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config()
                .meterFilter(MeterFilter.deny(id ->
                        id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu.seconds", os, bean -> bean.getProcessCpuTime() / 1e9)
                    .description("CPU time used by this process")
                    .register(registry);
        }
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Vert.x with its metrics in {@code registry}, on Linux's epoll where the native transport loads (NIO otherwise).
     * Net-client metrics are off: every probe is a net-client connection, and per-connection accounting would cost
     * more than the probes it describes.
     */
    public static Vertx newVertx(PrometheusMeterRegistry registry) {
        return newVertx(registry, new VertxOptions());
    }

    /** As {@link #newVertx(PrometheusMeterRegistry)}, from {@code options} (a test's stricter blocked-thread limit). */
    public static Vertx newVertx(PrometheusMeterRegistry registry, VertxOptions options) {
        MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
                .setEnabled(true)
                .setDisabledMetricsCategories(
                        Set.of(MetricsDomain.NET_CLIENT.toCategory(), MetricsDomain.DATAGRAM_SOCKET.toCategory()));
        return Vertx.builder()
                .with(new VertxOptions(options).setMetricsOptions(metrics))
                .withTransport(Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO)
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
    }
}
