package io.vantage.aggregator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.config.LoadedAggregatorConfig;
import io.vantage.aggregator.model.Topology;
import io.vantage.runtime.Startup;
import io.vantage.wire.InvalidDocumentException;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vantage-aggregator --config FILE}, and the commands {@code validate-config}, {@code plan}, {@code apply},
 * {@code destroy}, {@code export}, {@code simulate}, {@code discover} and {@code drill}.
 */
@Command(
        name = "vantage-aggregator",
        mixinStandardHelpOptions = true,
        version = "vantage-aggregator 0.1.0",
        description =
                "Collects agents' probe results, decides per target by quorum, publishes verdicts, serves status.",
        subcommands = {
            AggregatorCommand.ValidateConfig.class,
            AwsCommands.PlanCommand.class,
            AwsCommands.ApplyCommand.class,
            AwsCommands.DestroyCommand.class,
            ConfigCommands.ExportCommand.class,
            ConfigCommands.SimulateCommand.class,
            AwsCommands.DiscoverCommand.class,
            ConfigCommands.DrillCommand.class
        })
public final class AggregatorCommand implements Callable<Integer> {
    @Option(
            names = {"-c", "--config"},
            description = "Aggregator config file (YAML).")
    Path config;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AggregatorCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        if (config == null) {
            System.err.println(
                    "vantage-aggregator: --config FILE is required (or: validate-config, plan, apply, destroy, export, "
                            + "simulate, discover, drill); see --help");
            return 2;
        }
        AggregatorConfigLoader loader = new AggregatorConfigLoader(System.getenv());
        LoadedAggregatorConfig loaded;
        try {
            loaded = loader.load(config);
        } catch (InvalidDocumentException e) {
            System.err.println("vantage-aggregator: invalid config " + config + ": " + e.getMessage());
            return 2;
        }
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry);
        return Startup.runUntilStopped(
                vertx,
                () -> vertx.deployVerticle(
                                new Aggregator(loaded, config, loader, registry, Clock.systemUTC(), Optional.empty()))
                        .await());
    }

    /** The {@code --config FILE} of the commands that read the config (picocli takes options from the superclass). */
    abstract static class ConfigOption {
        @Option(
                names = {"-c", "--config"},
                required = true,
                description = "Aggregator config file (YAML).")
        Path config;
    }

    /** {@code --config} and {@code --output text|json}: plan and apply. */
    abstract static class ConfigAndOutput extends ConfigOption {
        @Option(
                names = "--output",
                defaultValue = "text",
                description = "text or json (for pipelines; default ${DEFAULT-VALUE}).")
        String output;
    }

    @Command(
            name = "validate-config",
            mixinStandardHelpOptions = true,
            description = "Checks an aggregator config file and exits 0 if it is valid, 2 with the reason if not.")
    static final class ValidateConfig implements Callable<Integer> {
        private static final int SURVIVAL_LINES = 50;

        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            try {
                AggregatorConfig loaded = AggregatorConfigLoader.loadWithoutTokens(file);
                System.out.println(file + ": valid; " + loaded.targets().size() + " targets, "
                        + loaded.agents().size() + " agents (their tokens are read when the aggregator starts)");
                Topology topology = Topology.of(loaded);
                System.out.println(
                        "What each target survives (from the quorum, the agents' regions and the targets'):");
                List<TargetSpec> targets = loaded.targets();
                targets.stream()
                        .limit(SURVIVAL_LINES)
                        .forEach(target ->
                                System.out.println("  " + topology.of(target).describe()));
                if (targets.size() > SURVIVAL_LINES) {
                    System.out.println("  ... and " + (targets.size() - SURVIVAL_LINES) + " more targets");
                }
                topology.warnings(loaded).forEach(warning -> System.out.println("warning: " + warning));
                return 0;
            } catch (InvalidDocumentException e) {
                System.err.println(file + ": " + e.getMessage());
                return 2;
            }
        }
    }

    static AggregatorConfig loadOrNull(Path file) {
        try {
            return AggregatorConfigLoader.loadWithoutTokens(file);
        } catch (InvalidDocumentException e) {
            System.err.println("vantage-aggregator: invalid config " + file + ": " + e.getMessage());
            return null;
        }
    }

    /** The config for {@code command}, which makes or reads resources in AWS: it must name its deployment. */
    static AggregatorConfig loadDeploymentOrNull(Path file, String command) {
        AggregatorConfig config = loadOrNull(file);
        if (config != null && config.deployment() == null) {
            System.err.println("vantage-aggregator " + command + ": " + file + " has no deployment: "
                    + AggregatorConfig.DEPLOYMENT_NEEDED);
            return null;
        }
        return config;
    }
}
