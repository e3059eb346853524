package io.vantage.aggregator;

import io.vantage.aggregator.aws.AwsClients;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.model.Topology;
import io.vantage.aggregator.reconcile.AwsErrors;
import io.vantage.aggregator.reconcile.Difference;
import io.vantage.aggregator.reconcile.Discovery;
import io.vantage.aggregator.reconcile.Reconciliation;
import io.vantage.runtime.Startup;
import io.vantage.wire.Documents;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The commands that read or change AWS: {@code plan}, {@code apply}, {@code destroy}, {@code discover}. */
final class AwsCommands {
    private AwsCommands() {}

    @Command(
            name = "plan",
            mixinStandardHelpOptions = true,
            description =
                    "Shows how CloudWatch alarms and Route 53 health checks differ from the config. Changes nothing. "
                            + "Exit 0: nothing to do; 2: changes pending; 1: error.")
    static final class PlanCommand extends AggregatorCommand.ConfigAndOutput implements Callable<Integer> {

        @Option(
                names = "--destroy",
                description =
                        "Show what destroy would do instead: detach this deployment's checks, delete them and its alarms.")
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
    static final class ApplyCommand extends AggregatorCommand.ConfigAndOutput implements Callable<Integer> {

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
                            + "guard, then deletes them and its alarms (only those of the config's deployment). "
                            + "`plan --destroy` shows it first. Run it before `helm uninstall`: a check left attached keeps "
                            + "its last status, and a record last unhealthy would stay out of rotation.")
    static final class DestroyCommand extends AggregatorCommand.ConfigOption implements Callable<Integer> {

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
        URI endpoint;

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
            try (var route53 = AwsClients.route53(endpoint, Duration.ofSeconds(30), Startup.newRegistry())) {
                System.out.print(new Discovery(route53)
                        .targets(zoneId.replace("/hostedzone/", ""), recordName, scheme, path)
                        .join());
                return 0;
            } catch (CompletionException e) {
                System.err.println("vantage-aggregator discover: " + AwsErrors.describe(e.getCause()));
                return 1;
            }
        }
    }
    /** What {@code plan --output json} and {@code apply --output json} print: every change, the warnings, the IDs. */
    record PlanReport(
            boolean pending,
            int errors,
            List<Difference> changes,
            List<String> warnings,
            Map<String, String> healthChecks) {
        static PlanReport of(Reconciliation.Plan plan, List<String> topology, Map<String, String> applied) {
            List<String> warnings = new ArrayList<>(plan.warnings());
            warnings.addAll(topology);
            return new PlanReport(plan.pending(), plan.errors().size(), plan.changes(), warnings, applied);
        }
    }

    /** Loads the config, prints the plan, then lets {@code then} act on it; AWS errors become exit code 1 with one line. */
    private static int reconcile(String command, Path file, String output, boolean destroy, ThenWithPlan then)
            throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            System.err.println(
                    "vantage-aggregator " + command + ": --output must be text or json, got '" + output + "'");
            return 2;
        }
        AggregatorConfig loaded = AggregatorCommand.loadDeploymentOrNull(file, command);
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
}
