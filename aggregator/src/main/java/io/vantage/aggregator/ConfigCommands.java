package io.vantage.aggregator;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.DrillFile;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.reconcile.TerraformExport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The commands that work from the config alone: {@code export}, {@code simulate}, {@code drill}. */
final class ConfigCommands {
    private ConfigCommands() {}

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description =
                    "Prints the alarms and Route 53 health checks apply would make as Terraform resources, and the "
                            + "health_check_id each bound record needs, for infrastructure as code to own. Reads no AWS.")
    static final class ExportCommand extends AggregatorCommand.ConfigOption implements Callable<Integer> {

        @Option(names = "--format", defaultValue = "terraform", description = "terraform (default ${DEFAULT-VALUE}).")
        String format;

        @Override
        public Integer call() {
            if (!format.equals("terraform")) {
                System.err.println("vantage-aggregator export: --format must be terraform, got '" + format + "'");
                return 2;
            }
            AggregatorConfig loaded = AggregatorCommand.loadDeploymentOrNull(config, "export");
            if (loaded == null) {
                return 1;
            }
            System.out.print(TerraformExport.of(loaded));
            return 0;
        }
    }

    @Command(
            name = "simulate",
            mixinStandardHelpOptions = true,
            description =
                    "Predicts, from the config alone, how long each target takes to fail over (best / typical / worst), what it "
                            + "costs per month next to a Route 53 endpoint check, and prints a scenario as a timeline.")
    static final class SimulateCommand extends AggregatorCommand.ConfigOption implements Callable<Integer> {

        @Option(
                names = "--scenario",
                defaultValue = "endpoint-down",
                description =
                        "endpoint-down, endpoint-hang, region-partition, region-lost, agent-blind, fleet-blind or endpoint-recovers (the failback) (default ${DEFAULT-VALUE}).")
        String scenario;

        @Option(names = "--target", description = "Only this target (default: every target).")
        String target;

        @Option(
                names = "--seed",
                defaultValue = "1",
                description = "Seed of the timeline's random phases (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            AggregatorConfig loaded = AggregatorCommand.loadOrNull(config);
            if (loaded == null) {
                return 1;
            }
            FailoverModel.Scenario chosen;
            try {
                chosen = FailoverModel.Scenario.valueOf(
                        scenario.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                System.err.println(
                        "vantage-aggregator simulate: unknown scenario '" + scenario
                                + "'; use endpoint-down, endpoint-hang, region-partition, region-lost, agent-blind, fleet-blind or endpoint-recovers (the failback)");
                return 2;
            }
            var targets = loaded.targets().stream()
                    .filter(t -> target == null || t.name().equals(target))
                    .toList();
            if (targets.isEmpty()) {
                System.err.println("vantage-aggregator simulate: "
                        + (target == null ? "the config has no targets" : "no target named '" + target + "'"));
                return 2;
            }
            Predictions predictions = new Predictions(loaded);
            targets.forEach(t -> System.out.println(predictions.report(t, chosen, seed)));
            return 0;
        }
    }

    @Command(
            name = "drill",
            mixinStandardHelpOptions = true,
            description =
                    "Starts a failover drill: writes it into the config file, and every aggregator reading that file publishes "
                            + "Healthy=0 for the target until the drill ends, then reverts by itself (after a restart too). Refuses "
                            + "a drill that would leave the target's record group without another target outside a drill, and "
                            + "durations over 1h. --end ends the target's drill now.")
    static final class DrillCommand implements Callable<Integer> {
        @Option(
                names = {"-c", "--config"},
                required = true,
                description = "Aggregator config file (YAML); it is rewritten.")
        Path config;

        @Option(names = "--target", required = true, description = "The target to fail over.")
        String target;

        @Option(names = "--duration", description = "How long, e.g. 10m (at most 1h).")
        String duration;

        @Option(names = "--end", description = "End the target's running drill now.")
        boolean end;

        @Option(names = "--by", description = "Who starts it (default: the user name).")
        String by;

        @Override
        public Integer call() {
            if (end == (duration != null)) {
                System.err.println("vantage-aggregator drill: give either --duration (to start a drill) or --end");
                return 2;
            }
            Instant now = Instant.now();
            try {
                if (end) {
                    DrillFile.end(config, target, now);
                    System.out.println("Drill of " + target + " ended in " + config
                            + ": every aggregator reading it publishes its verdict again.");
                    return 0;
                }
                Duration length;
                try {
                    length = AggregatorConfig.Drill.length(duration);
                } catch (IllegalArgumentException e) {
                    System.err.println("vantage-aggregator drill: --duration " + e.getMessage());
                    return 2;
                }
                String who = by != null ? by : System.getProperty("user.name", "unknown");
                AggregatorConfig.Drill drill = AggregatorConfig.Drill.lasting(target, now, length, who);
                DrillFile.start(config, drill, now);
                System.out.println(
                        "Drill of " + target + " until " + drill.until() + " by " + who + " written to " + config
                                + ": every aggregator reading it publishes Healthy=0 for " + target
                                + " until then, and reverts by itself (drill --end ends it sooner).");
                return 0;
            } catch (DrillFile.Refused e) {
                System.err.println("vantage-aggregator drill: " + e.getMessage());
                return 1;
            }
        }
    }
}
