package io.vantage.aggregator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.AggregatorCommand;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import io.vantage.testing.aws.LocalAws;
import io.vantage.testing.aws.MotoZone;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.route53.Route53AsyncClient;
import software.amazon.awssdk.services.route53.model.HealthCheck;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.TagResourceType;

/**
 * Staging and production in one account and one namespace (the default), against one moto: each names its deployment,
 * and neither plans, changes nor deletes what the other made; what an earlier release made (no deployment tag) is
 * adopted only by the deployment that lists its target.
 */
class TwoDeploymentsTest {
    static LocalAws aws;
    static CloudWatchAsyncClient cloudWatch;
    static Route53AsyncClient route53;

    @TempDir
    Path directory;

    String zoneId;

    @BeforeAll
    static void start() throws Exception {
        aws = LocalAws.start();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        cloudWatch = AwsClients.cloudWatch("eu-west-1", URI.create(aws.endpoint()), Duration.ofSeconds(10), registry);
        route53 = AwsClients.route53(URI.create(aws.endpoint()), Duration.ofSeconds(10), registry);
    }

    @AfterAll
    static void stop() throws Exception {
        cloudWatch.close();
        route53.close();
        aws.close();
    }

    /** One name with a weighted record per environment: each deployment guards its own. */
    @BeforeEach
    void zone() throws Exception {
        aws.reset();
        Files.writeString(directory.resolve("token"), "two-deployments-token-0123456789");
        zoneId = MotoZone.create(route53, "example.com")
                .weighted("api.example.com", "production", "192.0.2.9")
                .weighted("api.example.com", "staging", "192.0.2.9")
                .id();
    }

    /** A target, bound to the record of {@code environment} when that is not null. */
    record Guarded(String name, String environment) {}

    record Run(int exit, String out) {}

    private Run run(String deployment, List<Guarded> targets, String... command) throws Exception {
        AggregatorYaml config = AggregatorYaml.aggregator()
                .agent("a", "eu-west-1", "token")
                .deployment(deployment)
                .awsCloudWatch("eu-west-1", aws.endpoint());
        for (Guarded guarded : targets) {
            Target target = Target.tcp(guarded.name(), "127.0.0.1", 9).quorum(1, 1);
            if (guarded.environment() != null) {
                target.route53(zoneId, "api.example.com", "A", guarded.environment());
            }
            config.target(target);
        }
        Path file = config.write(directory.resolve(deployment + ".yaml"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--config", file.toString()));
            int exit = AggregatorCommand.commandLine().execute(args.toArray(String[]::new));
            String text = out.toString(StandardCharsets.UTF_8);
            original.println("$ vantage-aggregator " + String.join(" ", command) + "  # " + deployment + " (exit "
                    + exit + ")\n" + text);
            return new Run(exit, text);
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
    }

    /** Everything in the account: each alarm with its settings and tags, each check with its tags, each record. */
    private String account() throws Exception {
        Map<String, String> state = new TreeMap<>();
        for (MetricAlarm alarm : cloudWatch.describeAlarms().get().metricAlarms()) {
            state.put(
                    "alarm " + alarm.alarmName(),
                    alarm.toBuilder()
                                    .alarmConfigurationUpdatedTimestamp(null)
                                    .stateUpdatedTimestamp(null)
                                    .build()
                            + " "
                            + cloudWatch
                                    .listTagsForResource(r -> r.resourceARN(alarm.alarmArn()))
                                    .get()
                                    .tags());
        }
        for (HealthCheck check : route53.listHealthChecks().get().healthChecks()) {
            state.put("check " + check.id(), String.valueOf(checkTags(check.id())));
        }
        for (ResourceRecordSet record : route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId))
                .get()
                .resourceRecordSets()) {
            state.put("record " + record.name() + " " + record.setIdentifier(), record.toString());
        }
        return state.entrySet().stream()
                .map(e -> e.getKey() + " = " + e.getValue())
                .collect(Collectors.joining("\n"));
    }

    private Map<String, String> checkTags(String id) throws Exception {
        return new TreeMap<>(route53
                .listTagsForResource(
                        r -> r.resourceType(TagResourceType.HEALTHCHECK).resourceId(id))
                .get()
                .resourceTagSet()
                .tags()
                .stream()
                .collect(Collectors.toMap(t -> t.key(), t -> t.value())));
    }

    /** The lines of {@code text} that name what production made. */
    private static List<String> mentionsOfProduction(String text, Map<String, String> productionIds) {
        return text.lines()
                .filter(line ->
                        line.contains("prod") || productionIds.values().stream().anyMatch(line::contains))
                .toList();
    }

    private static Map<String, String> checkIds(String applyOutput) {
        return applyOutput
                .lines()
                .filter(l -> l.startsWith("health check "))
                .map(l -> l.substring("health check ".length()).split(" = "))
                .collect(Collectors.toMap(parts -> parts[0], parts -> parts[1]));
    }

    static final List<Guarded> PRODUCTION =
            List.of(new Guarded("api-prod", "production"), new Guarded("web-prod", null));
    static final List<Guarded> STAGING = List.of(new Guarded("api-staging", "staging"));

    @Test
    void stagingNeverPlansChangesOrDeletesProductionsResources() throws Exception {
        Run production = run("production", PRODUCTION, "apply");
        assertThat(production.exit()).as(production.out()).isZero();
        Map<String, String> productionIds = checkIds(production.out());
        String productionAlone = account();

        Run plan = run("staging", STAGING, "plan");
        assertThat(plan.exit()).as(plan.out()).isEqualTo(2);
        assertThat(plan.out()).contains("Plan: 2 to create, 1 to update, 0 to delete, 0 conflicts, 0 errors");
        assertThat(mentionsOfProduction(plan.out(), productionIds))
                .as("staging's plan")
                .isEmpty();

        Run apply = run("staging", STAGING, "apply");
        assertThat(apply.exit()).as(apply.out()).isZero();
        String stagingId = checkIds(apply.out()).get("api-staging");
        assertThat(checkTags(stagingId))
                .containsEntry("vantage:deployment", "staging")
                .containsEntry("vantage:namespace", "Vantage")
                .containsEntry("Name", "vantage staging api-staging");
        assertThat(cloudWatch
                        .listTagsForResource(r -> r.resourceARN(cloudWatch
                                .describeAlarms(d -> d.alarmNames("vantage-api-staging-unhealthy"))
                                .join()
                                .metricAlarms()
                                .get(0)
                                .alarmArn()))
                        .get()
                        .tags())
                .extracting(t -> t.key() + "=" + t.value())
                .contains("vantage:deployment=staging", "vantage:target=api-staging");
        assertThat(run("staging", STAGING, "plan").exit())
                .as("a second staging plan")
                .isZero();
        assertThat(run("production", PRODUCTION, "plan").exit())
                .as("production finds its own as it left them")
                .isZero();

        Run destroyPlan = run("staging", STAGING, "plan", "--destroy");
        assertThat(destroyPlan.out())
                .contains("- health check api-staging")
                .contains("detach health check " + stagingId);
        assertThat(mentionsOfProduction(destroyPlan.out(), productionIds))
                .as("staging's plan --destroy")
                .isEmpty();
        Run destroy = run("staging", STAGING, "destroy");
        assertThat(destroy.exit()).as(destroy.out()).isZero();
        assertThat(account())
                .as("after staging's destroy, the account holds what production made, as it was")
                .isEqualTo(productionAlone);
    }

    /**
     * An earlier release made alarms and checks for both environments' targets in the one namespace, with no deployment
     * tag. Each deployment adopts those of the targets it lists, and only those; the others are counted in a warning.
     */
    @Test
    void resourcesOfAnEarlierReleaseAreAdoptedOnlyByTheDeploymentThatListsTheirTarget() throws Exception {
        List<Guarded> both = List.of(new Guarded("api-prod", "production"), new Guarded("api-staging", "staging"));
        Run earlier = run("earlier", both, "apply");
        assertThat(earlier.exit()).as(earlier.out()).isZero();
        Map<String, String> ids = checkIds(earlier.out());
        makeEarlierRelease(ids);
        String productionIds = ids.get("api-prod");

        Run plan = run("staging", STAGING, "plan");
        assertThat(plan.out())
                .contains("~ alarm vantage-api-staging-unhealthy: made by an earlier release, before deployments were"
                        + " named: adopted by deployment staging")
                .contains("~ health check api-staging: made by an earlier release")
                .contains("warning: 1 alarm(s) and 1 health check(s) made by an earlier release in namespace Vantage"
                        + " (no vantage:deployment tag) are for targets this deployment does not list: left alone");
        assertThat(mentionsOfProduction(plan.out(), Map.of("api-prod", productionIds)))
                .as("staging's plan")
                .isEmpty();
        Map<String, String> productionTags = checkTags(productionIds);

        assertThat(run("staging", STAGING, "apply").exit()).isZero();
        assertThat(checkTags(ids.get("api-staging"))).containsEntry("vantage:deployment", "staging");
        assertThat(run("staging", STAGING, "plan").exit())
                .as("adopted: nothing left to do")
                .isZero();

        // destroy detaches the adopted check, whose record tag is an earlier release's, before deleting it.
        Run destroy = run("staging", STAGING, "destroy");
        assertThat(destroy.out()).contains("detach health check " + ids.get("api-staging"));
        assertThat(route53.listHealthChecks().get().healthChecks())
                .extracting(HealthCheck::id)
                .containsExactly(productionIds);
        assertThat(checkTags(productionIds)).as("production's, untouched").isEqualTo(productionTags);
        Map<String, String> recordChecks = new TreeMap<>();
        route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId)).get().resourceRecordSets().stream()
                .filter(r -> r.setIdentifier() != null)
                .forEach(r -> recordChecks.put(r.setIdentifier(), String.valueOf(r.healthCheckId())));
        assertThat(recordChecks).containsEntry("production", productionIds).containsEntry("staging", "null");

        Run production = run("production", List.of(new Guarded("api-prod", "production")), "plan");
        assertThat(production.out())
                .contains("~ health check api-prod: made by an earlier release, before deployments were named:"
                        + " adopted by deployment production")
                .doesNotContain("warning: 1 alarm");
    }

    /** The resources as the release before deployments left them: no deployment tag, the record tag space-joined. */
    private void makeEarlierRelease(Map<String, String> ids) throws Exception {
        for (MetricAlarm alarm : cloudWatch.describeAlarms().get().metricAlarms()) {
            cloudWatch
                    .untagResource(r -> r.resourceARN(alarm.alarmArn()).tagKeys("vantage:deployment"))
                    .get();
        }
        for (Map.Entry<String, String> check : ids.entrySet()) {
            String environment = check.getKey().substring("api-".length()).equals("prod") ? "production" : "staging";
            route53.changeTagsForResource(r -> r.resourceType(TagResourceType.HEALTHCHECK)
                            .resourceId(check.getValue())
                            .removeTagKeys("vantage:deployment")
                            .addTags(t -> t.key("vantage:record").value(zoneId + " api.example.com. A " + environment)))
                    .get();
        }
    }

    /**
     * One namespace, one target name: the alarm name (and the Healthy metric) would be shared. The second deployment's
     * plan says whose it is, and its apply changes nothing.
     */
    @Test
    void twoDeploymentsCannotShareAnAlarm() throws Exception {
        List<Guarded> api = List.of(new Guarded("api", "production"));
        assertThat(run("production", api, "apply").exit()).isZero();
        String productionAlone = account();

        Run plan = run("staging", List.of(new Guarded("api", "staging")), "plan");
        assertThat(plan.exit()).as(plan.out()).isEqualTo(1);
        assertThat(plan.out())
                .contains("x alarm vantage-api-unhealthy: belongs to deployment production (namespace Vantage); two"
                        + " deployments cannot share an alarm, nor (with one namespace and target name) the Healthy"
                        + " metric it watches: give this deployment its own cloudwatch.namespace and alarm.namePrefix");
        Run apply = run("staging", List.of(new Guarded("api", "staging")), "apply");
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(account()).as("staging's apply changed nothing").isEqualTo(productionAlone);
    }

    @Test
    void commandsThatActOnAwsNeedADeployment() throws Exception {
        aws.bridge().clear();
        Path file = Files.writeString(
                directory.resolve("dry-run.yaml"),
                "agents: [{id: a, region: eu-west-1, tokenFile: token}]\n" + "cloudwatch: {mode: dry-run, endpoint: '"
                        + aws.endpoint() + "'}\ntargets: []\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            for (String command : List.of("plan", "apply", "destroy", "export")) {
                assertThat(AggregatorCommand.commandLine().execute(command, "--config", file.toString()))
                        .as(command)
                        .isEqualTo(1);
            }
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("vantage-aggregator plan: " + file + " has no deployment: name this deployment")
                .contains("vantage-aggregator export: " + file + " has no deployment");
        assertThat(aws.bridge().seen()).as("nothing asked of AWS").isEmpty();
    }
}
