package io.vantage.aggregator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.config.DrillFile;
import io.vantage.aggregator.config.LoadedAggregatorConfig;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.model.Topology;
import io.vantage.aggregator.reconcile.AwsErrors;
import io.vantage.aggregator.reconcile.Change;
import io.vantage.aggregator.reconcile.Reconciliation;
import io.vantage.runtime.Startup;
import io.vantage.wire.Documents;
import io.vantage.wire.InvalidDocumentException;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
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
            AggregatorCommand.PlanCommand.class,
            AggregatorCommand.ApplyCommand.class,
            AggregatorCommand.DestroyCommand.class,
            AggregatorCommand.ExportCommand.class,
            AggregatorCommand.SimulateCommand.class,
            AggregatorCommand.DiscoverCommand.class,
            AggregatorCommand.DrillCommand.class
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
                List<io.vantage.wire.target.TargetSpec> targets = loaded.targets();
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

    @Command(
            name = "plan",
            mixinStandardHelpOptions = true,
            description =
                    "Shows how CloudWatch alarms and Route 53 health checks differ from the config. Changes nothing. "
                            + "Exit 0: nothing to do; 2: changes pending; 1: error.")
    static final class PlanCommand extends ConfigAndOutput implements Callable<Integer> {

        @Option(
                names = "--destroy",
                description =
                        "Show what destroy would do instead: detach vantage's checks, delete them and its alarms.")
        boolean destroy;

        @Override
        public Integer call() throws Exception {
            return reconcile("plan", config, output, destroy, (reconciliation, plan, topology) -> {
                if (output.equals("json")) {
                    System.out.println(new String(
                            Documents.writeJson(PlanReport.of(plan, topology, null)), StandardCharsets.UTF_8));
                }
                return !plan.errors().isEmpty() ? 1 : plan.pending() ? 2 : 0;
            });
        }
    }

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description =
                    "Creates, updates and deletes vantage's CloudWatch alarms and Route 53 health checks to match the config, "
                            + "then prints each target's health check ID. A second apply changes nothing.")
    static final class ApplyCommand extends ConfigAndOutput implements Callable<Integer> {

        @Override
        public Integer call() throws Exception {
            return reconcile("apply", config, output, false, (reconciliation, plan, topology) -> {
                boolean json = output.equals("json");
                if (!plan.errors().isEmpty()) {
                    if (json) {
                        System.out.println(new String(
                                Documents.writeJson(PlanReport.of(plan, topology, null)), StandardCharsets.UTF_8));
                    }
                    System.err.println("vantage-aggregator apply: the plan has errors (marked x); nothing was changed");
                    return 1;
                }
                Map<String, String> ids = reconciliation.apply(plan).join();
                if (json) {
                    System.out.println(new String(
                            Documents.writeJson(PlanReport.of(plan, topology, ids)), StandardCharsets.UTF_8));
                    return 0;
                }
                System.out.println(plan.pending() ? "Applied." : "Nothing to change.");
                ids.forEach((target, id) -> System.out.println("health check " + target + " = " + id));
                return 0;
            });
        }
    }

    @Command(
            name = "destroy",
            mixinStandardHelpOptions = true,
            description =
                    "Removes vantage from Route 53 and CloudWatch: detaches its health checks from the records they "
                            + "guard, then deletes them and its alarms (only those vantage owns in the config's namespace). "
                            + "`plan --destroy` shows it first. Run it before `helm uninstall`: a check left attached keeps "
                            + "its last status, and a record last unhealthy would stay out of rotation.")
    static final class DestroyCommand extends ConfigOption implements Callable<Integer> {

        @Override
        public Integer call() throws Exception {
            return reconcile("destroy", config, "text", true, (reconciliation, plan, topology) -> {
                if (!plan.errors().isEmpty()) {
                    System.err.println(
                            "vantage-aggregator destroy: the plan has errors (marked x); nothing was changed");
                    return 1;
                }
                reconciliation.apply(plan).join();
                System.out.println(plan.pending() ? "Destroyed." : "Nothing of vantage's is left.");
                return 0;
            });
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description =
                    "Prints the alarms and Route 53 health checks apply would make as Terraform resources, and the "
                            + "health_check_id each bound record needs, for infrastructure as code to own. Reads no AWS.")
    static final class ExportCommand extends ConfigOption implements Callable<Integer> {

        @Option(names = "--format", defaultValue = "terraform", description = "terraform (default ${DEFAULT-VALUE}).")
        String format;

        @Override
        public Integer call() {
            if (!format.equals("terraform")) {
                System.err.println("vantage-aggregator export: --format must be terraform, got '" + format + "'");
                return 2;
            }
            AggregatorConfig loaded = loadOrNull(config);
            if (loaded == null) {
                return 1;
            }
            System.out.print(io.vantage.aggregator.reconcile.TerraformExport.of(loaded));
            return 0;
        }
    }

    @Command(
            name = "simulate",
            mixinStandardHelpOptions = true,
            description =
                    "Predicts, from the config alone, how long each target takes to fail over (best / typical / worst), what it "
                            + "costs per month next to a Route 53 endpoint check, and prints a scenario as a timeline.")
    static final class SimulateCommand extends ConfigOption implements Callable<Integer> {

        @Option(
                names = "--scenario",
                defaultValue = "endpoint-down",
                description =
                        "endpoint-down, endpoint-hang, region-partition, region-lost, agent-blind or fleet-blind (default ${DEFAULT-VALUE}).")
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
            AggregatorConfig loaded = loadOrNull(config);
            if (loaded == null) {
                return 1;
            }
            FailoverModel.Scenario chosen;
            try {
                chosen = FailoverModel.Scenario.valueOf(
                        scenario.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                System.err.println(
                        "vantage-aggregator simulate: unknown scenario '" + scenario
                                + "'; use endpoint-down, endpoint-hang, region-partition, region-lost, agent-blind or fleet-blind");
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
            name = "discover",
            mixinStandardHelpOptions = true,
            description =
                    "Lists the records of one name that have a set identifier (latency, failover, weighted, geo) and "
                            + "prints targets bound to them, ready to paste into the config. Reads Route 53; writes nothing.")
    static final class DiscoverCommand implements Callable<Integer> {
        @Option(names = "--hosted-zone-id", required = true, description = "The hosted zone, e.g. Z0123456789ABC.")
        String zoneId;

        @Option(names = "--record-name", required = true, description = "The record name, e.g. api.example.com.")
        String recordName;

        @Option(names = "--path", defaultValue = "/health", description = "Path to probe (default ${DEFAULT-VALUE}).")
        String path;

        @Option(names = "--scheme", defaultValue = "https", description = "http or https (default ${DEFAULT-VALUE}).")
        String scheme;

        @Option(names = "--endpoint", description = "Route 53 API endpoint (a local emulator); default: AWS.")
        java.net.URI endpoint;

        @Override
        public Integer call() {
            if (!scheme.equals("http") && !scheme.equals("https")) {
                System.err.println("vantage-aggregator discover: --scheme must be http or https, got '" + scheme + "'");
                return 2;
            }
            if (!path.startsWith("/")) {
                System.err.println("vantage-aggregator discover: --path must start with /, got '" + path + "'");
                return 2;
            }
            try (var route53 = io.vantage.aggregator.aws.AwsClients.route53(
                    endpoint, java.time.Duration.ofSeconds(30), Startup.newRegistry())) {
                System.out.print(new io.vantage.aggregator.reconcile.Discovery(route53)
                        .targets(zoneId.replace("/hostedzone/", ""), recordName, scheme, path)
                        .join());
                return 0;
            } catch (CompletionException e) {
                System.err.println("vantage-aggregator discover: " + AwsErrors.describe(e.getCause()));
                return 1;
            }
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
            java.time.Instant now = java.time.Instant.now();
            try {
                if (end) {
                    DrillFile.end(config, target, now);
                    System.out.println("Drill of " + target + " ended in " + config
                            + ": every aggregator reading it publishes its verdict again.");
                    return 0;
                }
                java.time.Duration length;
                try {
                    length = io.vantage.wire.Durations.parse(duration);
                } catch (IllegalArgumentException e) {
                    System.err.println("vantage-aggregator drill: --duration " + e.getMessage());
                    return 2;
                }
                if (length.isNegative() || length.isZero() || length.compareTo(AggregatorConfig.Drill.MAX) > 0) {
                    System.err.println(
                            "vantage-aggregator drill: --duration must be more than 0 and at most 1h, got " + duration);
                    return 2;
                }
                String who = by != null ? by : System.getProperty("user.name", "unknown");
                java.time.Instant until = now.plus(length).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
                DrillFile.start(config, new AggregatorConfig.Drill(target, until.toString(), who), now);
                System.out.println("Drill of " + target + " until " + until + " by " + who + " written to " + config
                        + ": every aggregator reading it publishes Healthy=0 for " + target
                        + " until then, and reverts by itself (drill --end ends it sooner).");
                return 0;
            } catch (DrillFile.Refused e) {
                System.err.println("vantage-aggregator drill: " + e.getMessage());
                return 1;
            }
        }
    }

    /** Loads the config, prints the plan, then lets {@code then} act on it; AWS errors become exit code 1 with one line. */
    /** What {@code plan --output json} and {@code apply --output json} print: every change, the warnings, the IDs. */
    record PlanReport(
            boolean pending,
            int errors,
            List<Change> changes,
            List<String> warnings,
            Map<String, String> healthChecks) {
        static PlanReport of(Reconciliation.Plan plan, List<String> topology, Map<String, String> applied) {
            List<String> warnings = new java.util.ArrayList<>(plan.warnings());
            warnings.addAll(topology);
            return new PlanReport(plan.pending(), plan.errors().size(), plan.changes(), warnings, applied);
        }
    }

    private static int reconcile(String command, Path file, String output, boolean destroy, ThenWithPlan then)
            throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            System.err.println(
                    "vantage-aggregator " + command + ": --output must be text or json, got '" + output + "'");
            return 2;
        }
        AggregatorConfig loaded = loadOrNull(file);
        if (loaded == null) {
            return 1;
        }
        try (Reconciliation reconciliation = Reconciliation.create(loaded, Startup.newRegistry())) {
            Reconciliation.Plan plan = (destroy ? reconciliation.destroyPlan() : reconciliation.plan()).join();
            List<String> topology = destroy ? List.of() : Topology.of(loaded).warnings(loaded);
            if (output.equals("text")) {
                System.out.print(plan.describe());
                topology.forEach(warning -> System.out.println("  warning: " + warning));
            }
            return then.apply(reconciliation, plan, topology);
        } catch (CompletionException e) {
            System.err.println("vantage-aggregator " + command + ": " + AwsErrors.describe(e.getCause()));
            return 1;
        }
    }

    /** What a command does with the plan, and the config's topology warnings. */
    private interface ThenWithPlan {
        Integer apply(Reconciliation reconciliation, Reconciliation.Plan plan, List<String> topology);
    }

    private static AggregatorConfig loadOrNull(Path file) {
        try {
            return AggregatorConfigLoader.loadWithoutTokens(file);
        } catch (InvalidDocumentException e) {
            System.err.println("vantage-aggregator: invalid config " + file + ": " + e.getMessage());
            return null;
        }
    }
}
