package io.vantage.agent;

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
import io.vantage.agent.config.ConfigLoader;
import io.vantage.agent.config.LoadedConfig;
import io.vantage.wire.InvalidDocumentException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vantage-agent --config agent.yaml} and {@code vantage-agent validate-config FILE}. */
@Command(name = "vantage-agent", mixinStandardHelpOptions = true, version = "vantage-agent 0.1.0",
        description = "Probes HTTP(S), TCP and TLS endpoints, exposes Prometheus metrics, and pushes results to vantage aggregators.",
        subcommands = AgentCommand.ValidateConfig.class)
public final class AgentCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCommand.class);

    @Option(names = {"-c", "--config"}, description = "Agent config file (YAML).")
    Path config;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        if (config == null) {
            System.err.println("vantage-agent: --config FILE is required (or use validate-config FILE); see --help");
            return 2;
        }
        ConfigLoader loader = new ConfigLoader(System.getenv());
        LoadedConfig loaded;
        try {
            loaded = loader.load(config);
        } catch (InvalidDocumentException e) {
            System.err.println("vantage-agent: invalid config " + config + ": " + e.getMessage());
            return 2;
        }
        PrometheusMeterRegistry registry = newRegistry();
        Vertx vertx = newVertx(registry);
        return runUntilStopped(vertx, () -> vertx.deployVerticle(new Agent(loaded, config, loader, registry, Clock.systemUTC())).await());
    }

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
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            vertx.close().await();
            stopped.countDown();
        }, "vantage-shutdown"));
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
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                || id.getName().equals("system.cpu.count")));
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu.seconds", os, bean -> bean.getProcessCpuTime() / 1e9)
                    .description("CPU time used by this process").register(registry);
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
     * Vert.x with its metrics in {@code registry}, on Linux's epoll where the native transport loads (NIO otherwise). Net-client metrics are off: every probe is a net-client
     * connection, and per-connection accounting would cost more than the probes it describes.
     */
    public static Vertx newVertx(PrometheusMeterRegistry registry) {
        MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true)
                .setDisabledMetricsCategories(Set.of(MetricsDomain.NET_CLIENT.toCategory(), MetricsDomain.DATAGRAM_SOCKET.toCategory()));
        return Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(metrics))
                .withTransport(Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO)
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
    }

    @Command(name = "validate-config", mixinStandardHelpOptions = true,
            description = "Checks an agent config file and exits 0 if it is valid, 2 with the reason if not.")
    static final class ValidateConfig implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "Agent config file (YAML).")
        Path file;

        @Override
        public Integer call() {
            try {
                LoadedConfig loaded = new ConfigLoader(System.getenv()).load(file);
                System.out.println(file + ": valid; agent " + loaded.agentId() + " in " + loaded.region() + ", "
                        + loaded.config().targets().size() + " local targets, "
                        + (loaded.config().standalone() ? "standalone" : loaded.tokens().size() + " aggregators"));
                return 0;
            } catch (InvalidDocumentException e) {
                System.err.println(file + ": " + e.getMessage());
                return 2;
            }
        }
    }
}
