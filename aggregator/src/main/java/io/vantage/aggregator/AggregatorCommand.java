package io.vantage.aggregator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.config.LoadedAggregatorConfig;
import io.vantage.aggregator.model.Topology;
import io.vantage.runtime.Help;
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
    static final String PROGRAM = "vantage-aggregator";
    static final String USAGE = Help.of(
                    PROGRAM,
                    "Collects agents' probe results, decides per target by quorum, publishes verdicts to CloudWatch, "
                            + "serves status.")
            .usage("--config FILE")
            .usage("COMMAND --config FILE [OPTIONS]   (COMMAND --help for its options)")
            .command("validate-config", "checks a config file and what each target survives; exit 0 valid, 2 not")
            .command("plan", "shows how alarms and health checks differ from the config (--output text|json)")
            .command("apply", "makes the alarms and health checks the config describes (--output text|json)")
            .command("destroy", "detaches and deletes this deployment's health checks and alarms")
            .command("export", "prints the alarms and health checks as Terraform (--format terraform)")
            .command("simulate", "predicts each target's time to fail over and its cost (--scenario, --target)")
            .command("discover", "lists a record name's records as targets to paste (--hosted-zone-id, --record-name)")
            .command("drill", "fails a target over for a while (--target, --duration 10m | --end)")
            .option("-c, --config FILE", "the aggregator's config file (YAML); reloaded when it changes")
            .option("-h, --help", "prints this and exits")
            .option("-V, --version", "prints the version and exits")
            .environment("AWS_REGION, AWS_PROFILE, ...", "the AWS SDK's usual credentials and region")
            .environment("VANTAGE_LOG_LEVEL", "the log level (default INFO)")
            .example("--config examples/aggregator.yaml")
            .example("validate-config --config examples/aggregator.yaml")
            .example("simulate --config examples/aggregator.yaml --scenario region-lost")
            .example("plan --config aggregator.yaml --output json")
            .render();

    @Option(
            names = {"-c", "--config"},
            description = "Aggregator config file (YAML).")
    Path config;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with {@link #USAGE} as its help (the layout every vantage program shares). */
    public static CommandLine commandLine() {
        return vantageStyle(new CommandLine(new AggregatorCommand()), USAGE);
    }

    /**
     * {@code line} (the aggregator's or the demo's) with {@code usage} as its help, and with errors of one line that
     * name the bad option first: picocli reports a missing required option before an unknown one, so {@code simulate
     * --confg FILE} would say "Missing required option" about the option the user meant to give.
     */
    public static CommandLine vantageStyle(CommandLine line, String usage) {
        // This command's help only: each subcommand keeps picocli's own, listing its options.
        line.getCommandSpec()
                .usageMessage()
                .sectionKeys(List.of("usage"))
                .sectionMap()
                .put("usage", help -> usage);
        line.setParameterExceptionHandler((error, args) -> {
            CommandLine command = error.getCommandLine();
            List<String> unknown = command.getUnmatchedArguments();
            String name = command.getCommandSpec().qualifiedName();
            String problem = unknown.isEmpty()
                    ? error.getMessage()
                    : "unknown " + (unknown.get(0).startsWith("-") ? "option" : "argument") + " '" + unknown.get(0)
                            + "'";
            command.getErr().println(name + ": " + problem + "; see " + name + " --help");
            return 2;
        });
        return line;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (config == null) {
            System.err.println(
                    "vantage-aggregator: --config FILE is required (or a command: validate-config, plan, apply, destroy, "
                            + "export, simulate, discover, drill); see --help");
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

        @Option(
                names = {"-c", "--config"},
                description = "Aggregator config file (YAML).")
        Path config;

        /** The old spelling, {@code validate-config FILE}: still read, with a hint. */
        @Parameters(paramLabel = "FILE", arity = "0..1", hidden = true)
        Path positional;

        @Override
        public Integer call() {
            if (positional != null) {
                System.err.println(Help.oldSpelling(PROGRAM, "validate-config"));
                if (config != null) {
                    System.err.println(PROGRAM + " validate-config: give the file once, with --config FILE");
                    return 2;
                }
            }
            Path file = config != null ? config : positional;
            if (file == null) {
                System.err.println(PROGRAM + " validate-config: --config FILE is required; see validate-config --help");
                return 2;
            }
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
