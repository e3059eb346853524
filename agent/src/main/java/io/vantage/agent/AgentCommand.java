package io.vantage.agent;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.agent.config.AgentConfig;
import io.vantage.agent.config.ConfigLoader;
import io.vantage.agent.config.LoadedConfig;
import io.vantage.runtime.Startup;
import io.vantage.wire.InvalidDocumentException;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vantage-agent --config agent.yaml} and {@code vantage-agent validate-config FILE}. */
@Command(
        name = "vantage-agent",
        mixinStandardHelpOptions = true,
        version = "vantage-agent 0.1.0",
        description =
                "Probes HTTP(S), TCP and TLS endpoints, exposes Prometheus metrics, and pushes results to vantage aggregators.",
        subcommands = AgentCommand.ValidateConfig.class)
public final class AgentCommand implements Callable<Integer> {
    @Option(
            names = {"-c", "--config"},
            description = "Agent config file (YAML).")
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
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry);
        return Startup.runUntilStopped(
                vertx,
                () -> vertx.deployVerticle(new Agent(loaded, config, loader, registry, Clock.systemUTC()))
                        .await());
    }

    @Command(
            name = "validate-config",
            mixinStandardHelpOptions = true,
            description =
                    "Checks an agent config file (not its tokens) and exits 0 if it is valid, 2 with the reason if not.")
    static final class ValidateConfig implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "Agent config file (YAML).")
        Path file;

        @Override
        public Integer call() {
            try {
                AgentConfig config = ConfigLoader.loadWithoutTokens(file);
                System.out.println(file + ": valid; " + config.targets().size() + " local targets, "
                        + (config.standalone()
                                ? "standalone"
                                : config.agent().aggregators().size()
                                        + " aggregators (their tokens are read when the agent starts)"));
                return 0;
            } catch (InvalidDocumentException e) {
                System.err.println(file + ": " + e.getMessage());
                return 2;
            }
        }
    }
}
