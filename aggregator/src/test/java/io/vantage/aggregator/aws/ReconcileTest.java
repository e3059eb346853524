package io.vantage.aggregator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.AggregatorCommand;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import io.vantage.testing.aws.LocalAws;
import io.vantage.testing.aws.LocalAwsBridge;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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

/**
 * {@code vantage-aggregator plan} and {@code apply}, run as commands, against moto through the bridge.
 * moto drops AlarmIdentifier and InsufficientDataHealthStatus from health checks, so those are asserted on
 * the requests the bridge saw.
 */
class ReconcileTest {
    static final Set<String> MUTATIONS = Set.of(
            "PutMetricAlarm",
            "DeleteAlarms",
            "POST /2013-04-01/healthcheck",
            "POST /2013-04-01/healthcheck/{id}",
            "DELETE /2013-04-01/healthcheck/{id}",
            "POST /2013-04-01/tags/healthcheck/{id}");
    static LocalAws aws;
    static LocalAwsBridge bridge;
    static CloudWatchAsyncClient cloudWatch;
    static Route53AsyncClient route53;

    @TempDir
    Path directory;

    @BeforeAll
    static void start() throws Exception {
        aws = LocalAws.start();
        bridge = aws.bridge();
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

    @BeforeEach
    void fresh() throws Exception {
        aws.reset();
        Files.writeString(directory.resolve("token"), "reconcile-test-token-0123456789");
    }

    record Run(int exit, String out) {}

    private Run run(String command, Map<String, Object> alarm, Map<String, Object> route53Settings, String... targets)
            throws Exception {
        AggregatorYaml yaml = AggregatorYaml.aggregator()
                .agent("a", "eu-west-1", "token")
                .agent("b", "us-east-1", "token-b")
                .deployment("test")
                .awsCloudWatch("eu-west-1", aws.endpoint())
                .section("alarm", alarm)
                .section("route53", route53Settings);
        for (String target : targets) {
            yaml.target(Target.tcp(target, "127.0.0.1", 9));
        }
        Path file = yaml.write(directory.resolve("aggregator.yaml"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = AggregatorCommand.commandLine().execute(command, "--config", file.toString());
            return new Run(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    private List<MetricAlarm> alarms() throws Exception {
        return cloudWatch.describeAlarms().get().metricAlarms();
    }

    private List<HealthCheck> healthChecks() throws Exception {
        return route53.listHealthChecks().get().healthChecks();
    }

    private long mutations() {
        return bridge.seen().stream()
                .filter(seen -> MUTATIONS.contains(seen.operation()))
                .count();
    }

    @Test
    void applyCreatesEverythingAndASecondApplyChangesNothing() throws Exception {
        Map<String, Object> alarm =
                Map.of("period", "60s", "evaluationPeriods", 3, "datapointsToAlarm", 2, "statistic", "Minimum");
        Map<String, Object> healthCheck = Map.of("insufficientDataHealthStatus", "LastKnownStatus");
        Run plan = run("plan", alarm, healthCheck, "api-eu", "api-us");
        assertThat(plan.exit()).as(plan.out()).isEqualTo(2);
        assertThat(plan.out())
                .contains("Plan: 4 to create, 0 to update, 0 to delete, 0 conflicts")
                .contains("+ alarm vantage-api-eu-unhealthy")
                .contains("+ health check api-us");
        assertThat(mutations()).as("plan changes nothing").isZero();

        Run apply = run("apply", alarm, healthCheck, "api-eu", "api-us");
        assertThat(apply.exit()).as(apply.out()).isZero();
        assertThat(apply.out())
                .containsPattern("health check api-eu = [0-9a-f-]{36}")
                .containsPattern("health check api-us = [0-9a-f-]{36}");

        MetricAlarm eu = alarms().stream()
                .filter(a -> a.alarmName().equals("vantage-api-eu-unhealthy"))
                .findFirst()
                .orElseThrow();
        assertThat(eu.namespace()).isEqualTo("Vantage");
        assertThat(eu.metricName()).isEqualTo("Healthy");
        assertThat(eu.dimensions())
                .singleElement()
                .satisfies(d -> assertThat(d.name() + "=" + d.value()).isEqualTo("Target=api-eu"));
        assertThat(eu.statisticAsString()).isEqualTo("Minimum");
        assertThat(eu.period()).isEqualTo(60);
        assertThat(eu.evaluationPeriods()).isEqualTo(3);
        assertThat(eu.datapointsToAlarm()).isEqualTo(2);
        assertThat(eu.threshold()).isEqualTo(1.0);
        assertThat(eu.comparisonOperatorAsString()).isEqualTo("LessThanThreshold");
        assertThat(eu.treatMissingData()).isEqualTo("missing");
        assertThat(cloudWatch
                        .listTagsForResource(r -> r.resourceARN(eu.alarmArn()))
                        .get()
                        .tags())
                .extracting(t -> t.key() + "=" + t.value())
                .contains("vantage:managed-by=vantage", "vantage:namespace=Vantage");

        assertThat(healthChecks())
                .hasSize(2)
                .allSatisfy(check ->
                        assertThat(check.healthCheckConfig().typeAsString()).isEqualTo("CLOUDWATCH_METRIC"));
        List<String> creates = bridge.seen("POST /2013-04-01/healthcheck").stream()
                .map(LocalAwsBridge.Seen::body)
                .toList();
        assertThat(creates)
                .hasSize(2)
                .allSatisfy(body -> assertThat(body)
                        .contains("<Type>CLOUDWATCH_METRIC</Type>")
                        .contains("<Region>eu-west-1</Region>")
                        .containsPattern("<Name>vantage-api-(eu|us)-unhealthy</Name>")
                        .contains("<InsufficientDataHealthStatus>LastKnownStatus</InsufficientDataHealthStatus>")
                        .containsPattern("<CallerReference>vantage-[0-9a-f]{16}-[0-9a-f]{12}</CallerReference>"));

        bridge.clear();
        Run again = run("apply", alarm, healthCheck, "api-eu", "api-us");
        assertThat(again.out())
                .contains("Plan: 0 to create, 0 to update, 0 to delete, 0 conflicts")
                .contains("Nothing to change.");
        assertThat(mutations()).as("a second apply makes no mutating call").isZero();
        assertThat(run("plan", alarm, healthCheck, "api-eu", "api-us").exit()).isZero();
    }

    @Test
    void changedSettingsAreUpdatedInPlace() throws Exception {
        run("apply", Map.of("period", "60s"), Map.of("insufficientDataHealthStatus", "LastKnownStatus"), "api");
        String id = healthChecks().get(0).id();
        bridge.clear();

        Run plan = run(
                "plan",
                Map.of("period", "120s", "evaluationPeriods", 2),
                Map.of("insufficientDataHealthStatus", "Healthy"),
                "api");
        assertThat(plan.out())
                .contains("~ alarm vantage-api-unhealthy: period 60 -> 120; evaluationPeriods 3 -> 2")
                .contains("~ health check api");

        run(
                "apply",
                Map.of("period", "120s", "evaluationPeriods", 2),
                Map.of("insufficientDataHealthStatus", "Healthy"),
                "api");
        assertThat(alarms()).singleElement().satisfies(a -> {
            assertThat(a.period()).isEqualTo(120);
            assertThat(a.evaluationPeriods()).isEqualTo(2);
        });
        assertThat(healthChecks())
                .singleElement()
                .satisfies(check ->
                        assertThat(check.id()).as("updated, not replaced").isEqualTo(id));
        assertThat(bridge.seen("POST /2013-04-01/healthcheck/{id}"))
                .singleElement()
                .satisfies(update -> assertThat(update.body())
                        .contains("<InsufficientDataHealthStatus>Healthy</InsufficientDataHealthStatus>")
                        .contains("<Name>vantage-api-unhealthy</Name>"));
    }

    @Test
    void onlyOwnedResourcesOfRemovedTargetsAreDeleted() throws Exception {
        run("apply", Map.of(), Map.of(), "keep", "gone");
        // Someone else's alarm under our prefix, and one with the very name vantage wants: neither is ours.
        cloudWatch
                .putMetricAlarm(r -> r.alarmName("vantage-manual-unhealthy")
                        .namespace("Other")
                        .metricName("X")
                        .statistic("Minimum")
                        .period(60)
                        .evaluationPeriods(1)
                        .threshold(1.0)
                        .comparisonOperator("LessThanThreshold"))
                .get();
        cloudWatch
                .putMetricAlarm(r -> r.alarmName("vantage-taken-unhealthy")
                        .namespace("Other")
                        .metricName("X")
                        .statistic("Minimum")
                        .period(60)
                        .evaluationPeriods(1)
                        .threshold(1.0)
                        .comparisonOperator("LessThanThreshold"))
                .get();
        route53.createHealthCheck(r -> r.callerReference("someone-else")
                        .healthCheckConfig(c -> c.type("CLOUDWATCH_METRIC")
                                .alarmIdentifier(a -> a.region("eu-west-1").name("vantage-manual-unhealthy"))
                                .insufficientDataHealthStatus("Healthy")))
                .get();

        Run plan = run("plan", Map.of(), Map.of(), "keep", "taken");
        assertThat(plan.out())
                .contains("- alarm vantage-gone-unhealthy")
                .contains("- health check gone")
                .contains("! alarm vantage-taken-unhealthy: exists without vantage's ownership tags; left alone")
                .doesNotContain("vantage-manual-unhealthy");

        run("apply", Map.of(), Map.of(), "keep", "taken");
        Set<String> names = alarms().stream().map(MetricAlarm::alarmName).collect(Collectors.toSet());
        assertThat(names)
                .containsExactlyInAnyOrder(
                        "vantage-keep-unhealthy", "vantage-manual-unhealthy", "vantage-taken-unhealthy");
        assertThat(alarms().stream()
                        .filter(a -> a.alarmName().equals("vantage-taken-unhealthy"))
                        .findFirst()
                        .orElseThrow()
                        .namespace())
                .as("the unowned alarm was not overwritten")
                .isEqualTo("Other");
        assertThat(healthChecks())
                .extracting(HealthCheck::callerReference)
                .contains("someone-else")
                .hasSize(3);
    }

    /** Route 53 refuses a caller reference that once belonged to a deleted health check: each creation needs its own. */
    @Test
    void aTargetRemovedAndAddedAgainGetsAHealthCheckWithANewCallerReference() throws Exception {
        run("apply", Map.of(), Map.of(), "api", "other");
        run("apply", Map.of(), Map.of(), "other");
        assertThat(healthChecks()).hasSize(1);
        assertThat(run("apply", Map.of(), Map.of(), "api", "other").exit()).isZero();

        List<String> references = bridge.seen("POST /2013-04-01/healthcheck").stream()
                .map(seen -> seen.body().replaceAll("(?s).*<CallerReference>([^<]*)</CallerReference>.*", "$1"))
                .filter(reference -> reference.startsWith("vantage-"))
                .toList();
        assertThat(references).hasSize(3).doesNotHaveDuplicates();
        assertThat(healthChecks()).hasSize(2);
    }

    /**
     * An account with 5,000 health checks that are not vantage's (alarm-based ones, the worst case): plan lists them
     * in pages of 1,000 and fetches tags only for checks vantage could have made. Prints how long plan took.
     */
    @Test
    void fiveThousandForeignHealthChecksCostPagesNotTagRequests() throws Exception {
        run("apply", Map.of(), Map.of(), "api");
        List<CompletableFuture<?>> creating = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            int n = i;
            creating.add(route53.createHealthCheck(r -> r.callerReference("someone-else-" + n)
                    .healthCheckConfig(c -> c.type("CLOUDWATCH_METRIC")
                            .alarmIdentifier(a -> a.region("eu-west-1").name("their-alarm-" + n))
                            .insufficientDataHealthStatus("Healthy"))));
            if (creating.size() == 50) {
                CompletableFuture.allOf(creating.toArray(CompletableFuture[]::new))
                        .get();
                creating.clear();
            }
        }
        CompletableFuture.allOf(creating.toArray(CompletableFuture[]::new)).get();
        bridge.clear();

        long started = System.nanoTime();
        Run plan = run("plan", Map.of(), Map.of(), "api");
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "plan with 5,000 foreign health checks: %.1f s, %d ListHealthChecks, %d ListTagsForResources%n",
                seconds,
                bridge.seen("GET /2013-04-01/healthcheck").size(),
                bridge.seen("POST /2013-04-01/tags/healthcheck").size());
        assertThat(plan.exit()).as(plan.out()).isZero();
        assertThat(bridge.seen("GET /2013-04-01/healthcheck"))
                .as("pages of 1,000")
                .hasSizeLessThanOrEqualTo(6);
        assertThat(bridge.seen("POST /2013-04-01/tags/healthcheck"))
                .as("tags fetched for vantage's one check only")
                .hasSize(1);
    }

    @Test
    void awsErrorsAreReportedNotThrown() throws Exception {
        bridge.fail("DescribeAlarms", 10, 400, "AccessDenied");
        Run plan = run("plan", Map.of(), Map.of(), "api");
        assertThat(plan.exit()).isEqualTo(1);
    }
}
