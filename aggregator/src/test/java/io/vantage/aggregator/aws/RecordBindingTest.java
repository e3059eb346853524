package io.vantage.aggregator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.AggregatorCommand;
import io.vantage.aggregator.config.AggregatorConfigLoader;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.route53.Route53AsyncClient;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.HealthCheckType;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.ResourceRecordSetRegion;

/**
 * Targets bound to the latency records they guard, against moto through the bridge: {@code apply} attaches vantage's
 * checks to the records, leaves a record guarded by someone else's check alone, changes nothing else of any record,
 * and detaches before it deletes when a target goes.
 */
class RecordBindingTest {
    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");
    static LocalAws aws;
    static Route53AsyncClient route53;

    @TempDir
    Path directory;

    MotoZone zone;
    String zoneId;
    String foreignCheck;

    @BeforeAll
    static void start() throws Exception {
        aws = LocalAws.start();
        route53 = AwsClients.route53(
                URI.create(aws.endpoint()),
                Duration.ofSeconds(10),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @AfterAll
    static void stop() throws Exception {
        route53.close();
        aws.close();
    }

    /** A zone with a latency record per region, the last one already guarded by a check that is not vantage's. */
    @BeforeEach
    void zone() throws Exception {
        aws.reset();
        Files.writeString(directory.resolve("token"), "record-binding-token-0123456789");
        zone = MotoZone.create(route53, "example.com");
        zoneId = zone.id();
        foreignCheck = route53.createHealthCheck(r -> r.callerReference("someone-else-" + System.nanoTime())
                        .healthCheckConfig(c -> c.type(HealthCheckType.HTTPS)
                                .fullyQualifiedDomainName("api-ap-southeast-2.example.com")
                                .resourcePath("/health")))
                .get()
                .healthCheck()
                .id();
        for (int i = 0; i < REGIONS.size(); i++) {
            String region = REGIONS.get(i);
            String value = "192.0.2." + (10 + i);
            ResourceRecordSet.Builder record = ResourceRecordSet.builder()
                    .name("api.example.com")
                    .type(RRType.A)
                    .setIdentifier(region)
                    .region(ResourceRecordSetRegion.fromValue(region))
                    .ttl(30L + i)
                    .resourceRecords(v -> v.value(value));
            if (region.equals("ap-southeast-2")) {
                record.healthCheckId(foreignCheck);
            }
            zone.add(record.build());
        }
    }

    record Run(int exit, String out) {}

    /** Two vantage points and CloudWatch in moto; the targets are the test's. */
    private AggregatorYaml config() {
        return AggregatorYaml.aggregator()
                .agent("a", "eu-west-1", "token")
                .agent("b", "us-east-1", "token-b")
                .deployment("test")
                .awsCloudWatch("eu-west-1", aws.endpoint());
    }

    private Run run(String command, List<String> regions, String... options) throws Exception {
        AggregatorYaml config = config();
        for (String region : regions) {
            config.target(
                    Target.http("api-" + region, "https://api-" + region + ".example.com/health", "api.example.com")
                            .route53(zoneId, "api.example.com", "A", region));
        }
        Path file = config.write(directory.resolve("aggregator.yaml"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            List<String> args = new ArrayList<>(List.of(command, "--config", file.toString()));
            args.addAll(List.of(options));
            int exit = AggregatorCommand.commandLine().execute(args.toArray(String[]::new));
            String text = out.toString(StandardCharsets.UTF_8);
            original.println("$ vantage-aggregator " + command + "  (exit " + exit + ")\n" + text);
            return new Run(exit, text);
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
    }

    private Map<String, ResourceRecordSet> records() throws Exception {
        Map<String, ResourceRecordSet> bySet = new HashMap<>();
        route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId)).get().resourceRecordSets().stream()
                .filter(r -> r.setIdentifier() != null)
                .forEach(r -> bySet.put(r.setIdentifier(), r));
        return bySet;
    }

    private Map<String, String> checkIds(String applyOutput) {
        Map<String, String> ids = new HashMap<>();
        applyOutput.lines().filter(l -> l.startsWith("health check ")).forEach(l -> {
            String[] parts = l.substring("health check ".length()).split(" = ");
            ids.put(parts[0], parts[1]);
        });
        return ids;
    }

    @Test
    void applyAttachesTheChecksLeavesTheForeignOneAndChangesNothingElse() throws Exception {
        Map<String, ResourceRecordSet> before = records();

        Run plan = run("plan", REGIONS);
        assertThat(plan.exit()).as(plan.out()).isEqualTo(2);
        assertThat(plan.out())
                .contains("~ record zone " + zoneId
                        + ": api.example.com. A us-east-1: health check none -> the one created for api-us-east-1")
                .contains("~ record zone " + zoneId + ": api.example.com. A eu-west-1")
                .contains("! record zone " + zoneId + ": api.example.com. A ap-southeast-2: guarded by health check "
                        + foreignCheck + ", which is not this deployment's");

        Run apply = run("apply", REGIONS);
        assertThat(apply.exit()).as(apply.out()).isZero();
        Map<String, String> ids = checkIds(apply.out());
        Map<String, ResourceRecordSet> after = records();
        for (String region : List.of("us-east-1", "eu-west-1")) {
            assertThat(after.get(region).healthCheckId())
                    .as(region)
                    .isEqualTo(ids.get("api-" + region))
                    .isNotNull();
            // Only the health check changed: value, TTL and the latency region are as they were.
            assertThat(after.get(region).toBuilder().healthCheckId(null).build())
                    .isEqualTo(before.get(region));
        }
        assertThat(after.get("ap-southeast-2"))
                .as("the foreign check's record")
                .isEqualTo(before.get("ap-southeast-2"));

        Run again = run("plan", REGIONS);
        assertThat(again.exit())
                .as("plan right after apply: only the conflict remains\n" + again.out())
                .isZero();

        // Remove a target: its check is detached from the record first, then deleted; the record stays.
        Run removal = run("plan", List.of("us-east-1", "ap-southeast-2"));
        assertThat(removal.out())
                .contains("~ record zone " + zoneId + ": api.example.com. A eu-west-1: detach health check "
                        + ids.get("api-eu-west-1"))
                .contains("- health check api-eu-west-1");
        assertThat(run("apply", List.of("us-east-1", "ap-southeast-2")).exit()).isZero();
        Map<String, ResourceRecordSet> detached = records();
        assertThat(detached.get("eu-west-1").healthCheckId()).isNull();
        assertThat(detached.get("eu-west-1")).isEqualTo(before.get("eu-west-1"));
        assertThat(route53.listHealthChecks().get().healthChecks())
                .extracting(h -> h.id())
                .doesNotContain(ids.get("api-eu-west-1"))
                .contains(ids.get("api-us-east-1"), foreignCheck);
        assertThat(run("plan", List.of("us-east-1", "ap-southeast-2")).exit()).isZero();
    }

    /**
     * Uninstalling: {@code plan --destroy} shows it, {@code destroy} detaches vantage's checks from the records, then
     * deletes them and vantage's alarms; the records, the foreign check and an alarm vantage does not own stay as they
     * were, and a second destroy has nothing left to do.
     */
    @Test
    void destroyDetachesThenDeletesOnlyWhatVantageOwns() throws Exception {
        Map<String, ResourceRecordSet> before = records();
        Run apply = run("apply", REGIONS);
        assertThat(apply.exit()).as(apply.out()).isZero();
        Map<String, String> ids = checkIds(apply.out());
        try (var cloudWatch = AwsClients.cloudWatch(
                "eu-west-1",
                URI.create(aws.endpoint()),
                Duration.ofSeconds(10),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            cloudWatch
                    .putMetricAlarm(r -> r.alarmName("vantage-someone-elses")
                            .namespace("Other")
                            .metricName("Errors")
                            .statistic("Sum")
                            .period(60)
                            .evaluationPeriods(1)
                            .threshold(1.0)
                            .comparisonOperator("GreaterThanThreshold"))
                    .get();

            Run plan = run("plan", REGIONS, "--destroy");
            assertThat(plan.exit()).as(plan.out()).isEqualTo(2);
            assertThat(plan.out())
                    .contains("~ record zone " + zoneId + ": api.example.com. A us-east-1: detach health check "
                            + ids.get("api-us-east-1"))
                    .contains("- health check api-eu-west-1")
                    .contains("- alarm ")
                    .doesNotContain(foreignCheck + ", which")
                    .doesNotContain("vantage-someone-elses");
            assertThat(records()).as("plan --destroy changes nothing").isEqualTo(after(before, ids));

            Run destroy = run("destroy", REGIONS);
            assertThat(destroy.exit()).as(destroy.out()).isZero();
            assertThat(destroy.out()).contains("Destroyed.");
            assertThat(records()).as("every record as it was before vantage").isEqualTo(before);
            assertThat(route53.listHealthChecks().get().healthChecks())
                    .extracting(h -> h.id())
                    .containsExactly(foreignCheck);
            assertThat(cloudWatch.describeAlarms().get().metricAlarms())
                    .extracting(a -> a.alarmName())
                    .containsExactly("vantage-someone-elses");

            Run again = run("destroy", REGIONS);
            assertThat(again.exit()).as(again.out()).isZero();
            assertThat(again.out()).contains("Nothing of vantage's is left.");
        }
    }

    /** The records as apply left them: {@code before} with each bound region's check attached. */
    private static Map<String, ResourceRecordSet> after(
            Map<String, ResourceRecordSet> before, Map<String, String> ids) {
        Map<String, ResourceRecordSet> attached = new HashMap<>(before);
        for (String region : List.of("us-east-1", "eu-west-1")) {
            attached.put(
                    region,
                    before.get(region).toBuilder()
                            .healthCheckId(ids.get("api-" + region))
                            .build());
        }
        return attached;
    }

    @Test
    void aMissingRecordIsAnErrorAndApplyChangesNothing() throws Exception {
        Run plan = run("plan", List.of("us-east-1", "sa-east-1"));
        assertThat(plan.exit()).as(plan.out()).isEqualTo(1);
        assertThat(plan.out())
                .contains("x record zone " + zoneId
                        + ": api.example.com. A sa-east-1: no such record (target api-sa-east-1 is bound to it)")
                .contains("[us-east-1, eu-west-1, ap-southeast-2]");
        Run apply = run("apply", List.of("us-east-1", "sa-east-1"));
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.out()).contains("nothing was changed");
        assertThat(route53.listHealthChecks().get().healthChecks())
                .as("only the foreign check")
                .hasSize(1);
        assertThat(records().get("us-east-1").healthCheckId()).isNull();
    }

    @Test
    void discoveryPrintsBoundTargetsThatValidate() throws Exception {
        String discovered = discover("api.example.com");
        System.out.println("$ vantage-aggregator discover --hosted-zone-id " + zoneId
                + " --record-name api.example.com\n" + discovered);
        assertThat(discovered)
                .contains("  - name: api-eu-west-1\n    region: eu-west-1\n"
                        + "    http: {url: 'https://192.0.2.11/health', hostHeader: api.example.com}\n"
                        + "    route53: {hostedZoneId: " + zoneId
                        + ", recordName: api.example.com, recordType: A, setIdentifier: 'eu-west-1'}");
        // Pasted into a config, it is valid, and plan finds every record it names.
        Path file = Files.writeString(
                directory.resolve("discovered.yaml"),
                "agents: [{id: a, region: eu-west-1, tokenFile: token}, {id: b, region: us-east-1, tokenFile: token-b}]\n"
                        + "deployment: test\ncloudwatch: {mode: aws, region: eu-west-1, namespace: Vantage, endpoint: '"
                        + aws.endpoint()
                        + "'}\n" + discovered);
        var config = AggregatorConfigLoader.loadWithoutTokens(file);
        assertThat(config.targets())
                .extracting(t -> t.route53().setIdentifier())
                .containsExactlyInAnyOrder("us-east-1", "eu-west-1", "ap-southeast-2");
        assertThat(config.targets())
                .as("each from its latency record's region")
                .extracting(t -> t.name() + "@" + t.region())
                .containsExactlyInAnyOrder(
                        "api-us-east-1@us-east-1", "api-eu-west-1@eu-west-1", "api-ap-southeast-2@ap-southeast-2");
        assertThat(AggregatorCommand.commandLine().execute("validate-config", "--config", file.toString()))
                .isZero();
        assertThat(AggregatorCommand.commandLine().execute("plan", "--config", file.toString()))
                .as("plan: changes pending, no errors")
                .isEqualTo(2);
        assertThat(route53.listHealthChecks().get().healthChecks())
                .as("discover and plan wrote nothing")
                .hasSize(1);
    }

    /** What {@code discover} prints for {@code recordName} in the test's zone; it must exit 0. */
    private String discover(String recordName) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = AggregatorCommand.commandLine()
                    .execute(
                            "discover",
                            "--hosted-zone-id",
                            zoneId,
                            "--record-name",
                            recordName,
                            "--endpoint",
                            aws.endpoint());
        } finally {
            System.setOut(original);
        }
        String discovered = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(discovered).isZero();
        return discovered;
    }

    /** A record with several values: discover probes the first and says the record has the others. */
    @Test
    void discoveryNamesEveryValueOfAMultiValueRecord() throws Exception {
        route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId)
                        .changeBatch(b -> b.changes(c -> c.action(ChangeAction.CREATE)
                                .resourceRecordSet(rr -> rr.name("multi.example.com")
                                        .type(RRType.A)
                                        .setIdentifier("us-east-1")
                                        .region("us-east-1")
                                        .ttl(60L)
                                        .resourceRecords(v -> v.value("192.0.2.61"), v -> v.value("192.0.2.62"))))))
                .get();
        String discovered = discover("multi.example.com");
        assertThat(discovered)
                .contains("# this record has 2 values (192.0.2.61, 192.0.2.62); the target probes the first")
                .contains("http: {url: 'https://192.0.2.61/health'");
    }

    @Test
    void planAndApplySpeakJsonForPipelines() throws Exception {
        Run plan = run("plan", REGIONS, "--output", "json");
        assertThat(plan.exit()).isEqualTo(2);
        var report = new ObjectMapper().readTree(plan.out());
        assertThat(report.get("pending").asBoolean()).isTrue();
        assertThat(report.get("errors").asInt()).isZero();
        assertThat(report.get("changes").findValuesAsText("resource")).contains("ALARM", "HEALTH_CHECK", "RECORD");
        assertThat(report.get("changes").findValuesAsText("action")).contains("CREATE", "UPDATE", "CONFLICT");

        Run apply = run("apply", REGIONS, "--output", "json");
        assertThat(apply.exit()).isZero();
        var applied = new ObjectMapper().readTree(apply.out());
        assertThat(applied.get("healthChecks").fieldNames())
                .toIterable()
                .containsExactlyInAnyOrder("api-us-east-1", "api-eu-west-1", "api-ap-southeast-2");
        Run unknown = run("plan", REGIONS, "--output", "yaml");
        assertThat(unknown.out()).contains("--output must be text or json, got 'yaml'");
    }

    @Test
    void plansWarnWhereRoute53CannotFailOver() throws Exception {
        zone.latency("www.example.com", "us-east-1", "192.0.2.50")
                .latency("www.example.com", "eu-west-1", "192.0.2.50")
                .latency("solo.example.com", "us-east-1", "192.0.2.50");
        AggregatorYaml config = config();
        for (String[] target : new String[][] {
            {"www-us", "www", "us-east-1"}, {"www-eu", "www", "eu-west-1"}, {"solo", "solo", "us-east-1"}
        }) {
            config.target(
                    Target.tcp(target[0], "127.0.0.1", 9).route53(zoneId, target[1] + ".example.com", "A", target[2]));
        }
        Path file = config.write(directory.resolve("warnings.yaml"));
        assertThat(AggregatorCommand.commandLine().execute("apply", "--config", file.toString()))
                .isZero();

        // Both www checks unhealthy at once (their alarms in ALARM): every record of www is guarded by a failing check.
        try (var cloudWatch = AwsClients.cloudWatch(
                "eu-west-1",
                URI.create(aws.endpoint()),
                Duration.ofSeconds(10),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            for (String target : List.of("www-us", "www-eu")) {
                cloudWatch
                        .setAlarmState(r -> r.alarmName("vantage-" + target + "-unhealthy")
                                .stateValue("ALARM")
                                .stateReason("test"))
                        .get();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = AggregatorCommand.commandLine().execute("plan", "--config", file.toString());
        } finally {
            System.setOut(original);
        }
        String plan = out.toString(StandardCharsets.UTF_8);
        original.println("$ vantage-aggregator plan  (exit " + exit + ")\n" + plan);
        assertThat(exit).as("warnings change nothing to apply").isZero();
        assertThat(plan)
                .contains("warning: zone " + zoneId
                        + ": solo.example.com. A us-east-1 is the only A record of solo.example.com")
                .contains("warning: every A record of www.example.com. in zone " + zoneId
                        + " is guarded by a vantage check that is unhealthy now")
                .doesNotContain("every A record of api.example.com.");
    }

    @Test
    void aFailedChangeBatchLeavesTheRecordsAsTheyWereAndTheNextApplyAttaches() throws Exception {
        Map<String, ResourceRecordSet> before = records();
        aws.bridge().fail("POST /2013-04-01/hostedzone/{zone}/rrset/", 1, 400, "InvalidChangeBatch");
        Run failed = run("apply", List.of("us-east-1", "eu-west-1"));
        assertThat(failed.exit()).as(failed.out()).isEqualTo(1);
        assertThat(failed.out()).contains("InvalidChangeBatch");
        assertThat(records())
                .as("one batch per zone: it failed, so no record changed")
                .isEqualTo(before);

        Run again = run("apply", List.of("us-east-1", "eu-west-1"));
        assertThat(again.exit()).as(again.out()).isZero();
        assertThat(records().get("us-east-1").healthCheckId()).isNotNull();
        assertThat(records().get("eu-west-1").healthCheckId()).isNotNull();
        assertThat(run("plan", List.of("us-east-1", "eu-west-1")).exit()).isZero();
    }
}
