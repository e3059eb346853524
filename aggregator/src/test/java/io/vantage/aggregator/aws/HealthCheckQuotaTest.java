package io.vantage.aggregator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.AggregatorCommand;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import io.vantage.testing.aws.LocalAws;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.route53.Route53AsyncClient;

/**
 * An account that cannot hold the plan's health checks: plan says so before anything is created, and apply creates
 * nothing. moto does not implement Route 53's GetAccountLimit, so the bridge answers that one call: the limit the test
 * sets (Route 53's default, 200, unless it sets one) and, as the count, the health checks moto holds.
 */
class HealthCheckQuotaTest {
    static final Set<String> MUTATIONS = Set.of(
            "PutMetricAlarm",
            "DeleteAlarms",
            "TagResource",
            "POST /2013-04-01/healthcheck",
            "POST /2013-04-01/healthcheck/{id}",
            "DELETE /2013-04-01/healthcheck/{id}",
            "POST /2013-04-01/tags/healthcheck/{id}");
    static final String LIMIT = "GET /2013-04-01/accountlimit/MAX_HEALTH_CHECKS_BY_OWNER";

    static LocalAws aws;
    static CloudWatchAsyncClient cloudWatch;
    static Route53AsyncClient route53;

    @TempDir
    Path directory;

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

    @BeforeEach
    void fresh() throws Exception {
        aws.reset();
        Files.writeString(directory.resolve("token"), "quota-test-token-0123456789");
    }

    record Run(int exit, String out) {}

    private Run run(String command, int targets) throws Exception {
        AggregatorYaml yaml = AggregatorYaml.aggregator()
                .agent("a", "eu-west-1", "token")
                .deployment("test")
                .awsCloudWatch("eu-west-1", aws.endpoint());
        for (int i = 0; i < targets; i++) {
            yaml.target(Target.tcp("t" + i, "127.0.0.1", 9).quorum(1, 1));
        }
        Path file = yaml.write(directory.resolve("aggregator.yaml"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = AggregatorCommand.commandLine().execute(command, "--config", file.toString());
            String text = out.toString(StandardCharsets.UTF_8);
            // The plan's lines, without those of each target.
            original.println("$ vantage-aggregator " + command + "  (exit " + exit + ")\n"
                    + String.join(
                            "\n",
                            text.lines()
                                    .filter(line -> !line.matches(".*\\bt[0-9]+\\b.*"))
                                    .toList()));
            return new Run(exit, text);
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
    }

    private long mutations() {
        return aws.bridge().seen().stream()
                .filter(seen -> MUTATIONS.contains(seen.operation()))
                .count();
    }

    private void foreignChecks(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            int n = i;
            route53.createHealthCheck(r -> r.callerReference("someone-else-" + n)
                            .healthCheckConfig(c -> c.type("HTTPS")
                                    .fullyQualifiedDomainName("www.example.com")
                                    .resourcePath("/")))
                    .get();
        }
    }

    /** The account: Route 53's default of 200 health checks, and 460 targets. */
    @Test
    void planSaysBeforeAnythingIsCreatedThatTheAccountCannotHoldIt() throws Exception {
        long started = System.nanoTime();
        Run plan = run("plan", 460);
        System.out.printf(Locale.ROOT, "plan of 460 targets: %.1f s%n", (System.nanoTime() - started) / 1e9);
        assertThat(plan.exit()).as("an error, not changes pending").isEqualTo(1);
        assertThat(plan.out())
                .contains("Plan: 920 to create, 0 to update, 0 to delete, 0 conflicts, 1 errors")
                .contains("x health check quota: the account holds 200 health checks at most (Route 53's"
                        + " MAX_HEALTH_CHECKS_BY_OWNER); 0 exist; this plan creates 460: 260 over");

        Run apply = run("apply", 460);
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.out()).contains("nothing was changed");
        assertThat(mutations()).as("apply started nothing").isZero();
        assertThat(cloudWatch.describeAlarms().get().metricAlarms()).isEmpty();
        assertThat(route53.listHealthChecks().get().healthChecks()).isEmpty();
    }

    /** Checks that exist (vantage's or not) count against the limit; a plan that fits is applied. */
    @Test
    void theChecksThatExistCountAndAPlanThatFitsIsApplied() throws Exception {
        aws.bridge().healthCheckLimit(5);
        foreignChecks(3);

        Run plan = run("plan", 3);
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.out())
                .contains("the account holds 5 health checks at most (Route 53's MAX_HEALTH_CHECKS_BY_OWNER); 3 exist;"
                        + " this plan creates 3: 1 over");
        aws.bridge().clear();
        aws.bridge().healthCheckLimit(5);
        assertThat(run("apply", 3).exit()).isEqualTo(1);
        assertThat(mutations()).isZero();
        assertThat(route53.listHealthChecks().get().healthChecks()).hasSize(3);

        Run fits = run("apply", 2);
        assertThat(fits.exit()).as(fits.out()).isZero();
        assertThat(route53.listHealthChecks().get().healthChecks()).hasSize(5);
        aws.bridge().clear();
        aws.bridge().healthCheckLimit(5);
        assertThat(run("plan", 2).exit()).isZero();
        assertThat(aws.bridge().seen(LIMIT))
                .as("a plan that creates no check does not ask for the limit")
                .isEmpty();
    }

    /** Without the limit (no permission for GetAccountLimit), apply does not guess: it refuses, and says why. */
    @Test
    void aLimitThatCannotBeReadStopsApply() throws Exception {
        aws.bridge().fail(LIMIT, 10, 403, "AccessDenied");
        Run plan = run("plan", 1);
        assertThat(plan.exit()).isEqualTo(1);
        assertThat(plan.out())
                .contains("x health check quota: could not read the account's limit of health checks (")
                .contains("AccessDenied");
        assertThat(run("apply", 1).exit()).isEqualTo(1);
        assertThat(mutations()).isZero();
    }
}
