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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.route53.Route53AsyncClient;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.TagResourceType;

/**
 * Record names and set identifiers with every character Route 53 allows (spaces, all of ASCII's punctuation, and
 * lengths whose binding no longer fits a tag value), through every step, against moto: plan, apply, a second apply
 * that changes nothing, plan --destroy that shows each detach, and destroy that leaves each record as it was, without
 * the check. Records are created in moto in the form real Route 53 lists them (octal escapes); the config writes the
 * characters themselves.
 */
class RecordIdentifiersTest {
    /** What a Route 53 tag value may hold (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-tagging.html). */
    static final String TAG_VALUE = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{0,256}";

    static final Set<String> MUTATIONS = Set.of(
            "PutMetricAlarm",
            "DeleteAlarms",
            "TagResource",
            "POST /2013-04-01/healthcheck",
            "POST /2013-04-01/healthcheck/{id}",
            "DELETE /2013-04-01/healthcheck/{id}",
            "POST /2013-04-01/tags/healthcheck/{id}",
            "POST /2013-04-01/hostedzone/{zone}/rrset/");

    /** A record of one name and set identifier, its name as Route 53 lists it and as the config writes it. */
    record Bound(String target, String listedName, String configName, String setIdentifier) {}

    /**
     * Every printable ASCII punctuation character, and a space, but '/': the AWS SDK for Java keeps only what follows a
     * set identifier's last '/' when it lists records, so vantage refuses such set identifiers (see the last test).
     */
    static final String PUNCTUATION = " !\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~";

    /** The case: a set identifier with a space. */
    static final Bound SPACE = new Bound("t-space", "api.example.com.", "api.example.com", "us east");

    /**
     * A label holding every punctuation character Route 53 allows in a name, a space and a dot inside the label; its set
     * identifier every printable ASCII punctuation character but '/'.
     */
    static final Bound ODD = new Bound(
            "t-odd",
            "odd\\040\\041\\042\\043\\044\\045\\046\\047\\050\\051\\052\\053\\054\\057\\072\\073\\074\\075\\076\\077"
                    + "\\100\\133\\134\\135\\136_\\140\\173\\174\\175\\176\\056end.example.com.",
            "odd !\"#$%&'()*+,/:;<=>?@[\\134]^_`{|}~\\056end.example.com",
            "set" + PUNCTUATION + "id");

    /** Long enough (a 182-character name, a 128-character set identifier) that the binding overflows a tag value. */
    static final Bound LONG = new Bound(
            "t-long",
            "l".repeat(63) + "." + "m".repeat(63) + "." + "n".repeat(42) + ".example.com.",
            "l".repeat(63) + "." + "m".repeat(63) + "." + "n".repeat(42) + ".example.com",
            ("long" + PUNCTUATION).repeat(4).substring(0, 128));

    static final List<Bound> ALL = List.of(SPACE, ODD, LONG);

    static LocalAws aws;
    static Route53AsyncClient route53;

    @TempDir
    Path directory;

    String zoneId;

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

    /** Each bound record with a sibling of its name (weighted records), so that failover has somewhere to go. */
    @BeforeEach
    void zone() throws Exception {
        aws.reset();
        Files.writeString(directory.resolve("token"), "record-identifiers-token-0123456789");
        MotoZone zone = MotoZone.create(route53, "example.com");
        for (Bound bound : ALL) {
            zone.weighted(bound.listedName(), bound.setIdentifier(), "192.0.2.7")
                    .weighted(bound.listedName(), "sibling", "192.0.2.7");
        }
        zoneId = zone.id();
    }

    record Run(int exit, String out) {}

    private Run run(List<Bound> targets, String... command) throws Exception {
        AggregatorYaml config = AggregatorYaml.aggregator()
                .agent("a", "eu-west-1", "token")
                .deployment("test")
                .awsCloudWatch("eu-west-1", aws.endpoint());
        for (Bound bound : targets) {
            config.target(Target.tcp(bound.target(), "127.0.0.1", 9)
                    .quorum(1, 1)
                    .route53(zoneId, bound.configName(), "A", bound.setIdentifier()));
        }
        Path file = config.write(directory.resolve("aggregator.yaml"));
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
            original.println("$ vantage-aggregator " + String.join(" ", command) + "  (exit " + exit + ")\n" + text);
            return new Run(exit, text);
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
    }

    /** The records vantage binds (not the siblings), by target. */
    private Map<String, ResourceRecordSet> records() throws Exception {
        Map<String, ResourceRecordSet> byTarget = new HashMap<>();
        for (ResourceRecordSet record : route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId))
                .get()
                .resourceRecordSets()) {
            for (Bound bound : ALL) {
                String name = record.name().endsWith(".") ? record.name() : record.name() + ".";
                if (name.equals(bound.listedName()) && bound.setIdentifier().equals(record.setIdentifier())) {
                    byTarget.put(bound.target(), record);
                }
            }
        }
        assertThat(byTarget).as("every bound record is in the zone").hasSize(ALL.size());
        return byTarget;
    }

    private static Map<String, String> checkIds(String applyOutput) {
        Map<String, String> ids = new HashMap<>();
        applyOutput.lines().filter(l -> l.startsWith("health check ")).forEach(l -> {
            String[] parts = l.substring("health check ".length()).split(" = ");
            ids.put(parts[0], parts[1]);
        });
        return ids;
    }

    private long mutations() {
        return aws.bridge().seen().stream()
                .filter(seen -> MUTATIONS.contains(seen.operation()))
                .count();
    }

    private String recordTag(String checkId) throws Exception {
        return route53
                .listTagsForResource(
                        r -> r.resourceType(TagResourceType.HEALTHCHECK).resourceId(checkId))
                .get()
                .resourceTagSet()
                .tags()
                .stream()
                .filter(t -> t.key().equals("vantage:record"))
                .map(t -> t.value())
                .findFirst()
                .orElse(null);
    }

    private String line(Bound bound) {
        return "record zone " + zoneId + ": " + bound.listedName() + " A " + bound.setIdentifier() + ": ";
    }

    @Test
    void everyCharacterRoute53AllowsSurvivesPlanApplyAndDestroy() throws Exception {
        Map<String, ResourceRecordSet> before = records();

        Run plan = run(ALL, "plan");
        assertThat(plan.exit()).as(plan.out()).isEqualTo(2);
        for (Bound bound : ALL) {
            assertThat(plan.out())
                    .contains("~ " + line(bound) + "health check none -> the one created for " + bound.target());
        }

        Run apply = run(ALL, "apply");
        assertThat(apply.exit()).as(apply.out()).isZero();
        Map<String, String> ids = checkIds(apply.out());
        Map<String, ResourceRecordSet> attached = records();
        for (Bound bound : ALL) {
            String id = ids.get(bound.target());
            assertThat(attached.get(bound.target()).healthCheckId())
                    .as(bound.target())
                    .isNotNull()
                    .isEqualTo(id);
            assertThat(attached.get(bound.target()).toBuilder()
                            .healthCheckId(null)
                            .build())
                    .as("only the health check changed")
                    .isEqualTo(before.get(bound.target()));
            assertThat(recordTag(id))
                    .as("the binding is kept in a tag Route 53 takes")
                    .matches(TAG_VALUE);
        }
        assertThat(recordTag(ids.get(LONG.target())))
                .as("too long to keep whole: a digest")
                .matches(zoneId + "/A/sha256:[A-Za-z0-9_-]{43}");

        aws.bridge().clear();
        Run again = run(ALL, "apply");
        assertThat(again.exit()).as(again.out()).isZero();
        assertThat(again.out()).contains("Nothing to change.");
        assertThat(mutations()).as("a second apply makes no mutating call").isZero();

        Run destroyPlan = run(ALL, "plan", "--destroy");
        assertThat(destroyPlan.exit()).as(destroyPlan.out()).isEqualTo(2);
        for (Bound bound : ALL) {
            assertThat(destroyPlan.out())
                    .contains("~ " + line(bound) + "detach health check " + ids.get(bound.target()))
                    .contains("- health check " + bound.target());
        }
        assertThat(records()).as("plan --destroy changes nothing").isEqualTo(attached);

        Run destroy = run(ALL, "destroy");
        assertThat(destroy.exit()).as(destroy.out()).isZero();
        assertThat(records())
                .as("every record as it was before vantage, without a check")
                .isEqualTo(before);
        assertThat(route53.listHealthChecks().get().healthChecks()).isEmpty();
    }

    /** A check tagged by an earlier release (fields joined by spaces) is still detached before it is deleted. */
    @Test
    void aBindingTaggedByAnEarlierReleaseIsStillDetached() throws Exception {
        Map<String, ResourceRecordSet> before = records();
        Run apply = run(List.of(SPACE), "apply");
        assertThat(apply.exit()).as(apply.out()).isZero();
        String id = checkIds(apply.out()).get(SPACE.target());
        route53.changeTagsForResource(r -> r.resourceType(TagResourceType.HEALTHCHECK)
                        .resourceId(id)
                        .addTags(t -> t.key("vantage:record").value(zoneId + " api.example.com. A us east")))
                .get();

        Run destroyPlan = run(List.of(SPACE), "plan", "--destroy");
        assertThat(destroyPlan.out()).contains("~ " + line(SPACE) + "detach health check " + id);
        Run destroy = run(List.of(SPACE), "destroy");
        assertThat(destroy.exit()).as(destroy.out()).isZero();
        assertThat(records().get(SPACE.target()).healthCheckId())
                .as("the record does not point at the deleted check")
                .isNull();
        assertThat(records()).isEqualTo(before);
    }

    /** A tag in no form vantage writes: the check's record cannot be found, so nothing is deleted until it is set right. */
    @Test
    void anUnreadableBindingTagStopsApply() throws Exception {
        Run apply = run(List.of(SPACE), "apply");
        String id = checkIds(apply.out()).get(SPACE.target());
        route53.changeTagsForResource(r -> r.resourceType(TagResourceType.HEALTHCHECK)
                        .resourceId(id)
                        .addTags(t -> t.key("vantage:record").value("edited by hand")))
                .get();
        Run destroy = run(List.of(SPACE), "destroy");
        assertThat(destroy.exit()).isEqualTo(1);
        assertThat(destroy.out())
                .contains("x health check t-space: id " + id
                        + ": its vantage:record tag 'edited by hand' names no record")
                .contains("nothing was changed");
        assertThat(route53.listHealthChecks().get().healthChecks())
                .extracting(h -> h.id())
                .containsExactly(id);
        assertThat(records().get(SPACE.target()).healthCheckId()).isEqualTo(id);
    }

    /**
     * The AWS SDK for Java (Route53IdInterceptor) lists a record whose set identifier has a '/' by what follows the last
     * one: such a set identifier is refused in the config, and two records that list alike are an error, never guessed
     * between (vantage would write one back under the other's set identifier).
     */
    @Test
    void setIdentifiersTheSdkCannotReadAreRefused() throws Exception {
        Bound slashed = new Bound("t-slash", "api.example.com.", "api.example.com", "eu/west");
        Run refused = run(List.of(slashed), "plan");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out())
                .contains("targets[0].route53.setIdentifier: 'eu/west' has a '/'")
                .contains("AWS SDK for Java");

        for (String setIdentifier : List.of("eu/west", "west")) {
            route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId)
                            .changeBatch(b -> b.changes(c -> c.action(ChangeAction.CREATE)
                                    .resourceRecordSet(rr -> rr.name("api.example.com")
                                            .type(RRType.A)
                                            .setIdentifier(setIdentifier)
                                            .weight(10L)
                                            .ttl(60L)
                                            .resourceRecords(v -> v.value("192.0.2.8"))))))
                    .get();
        }
        Bound west = new Bound("t-west", "api.example.com.", "api.example.com", "west");
        Run plan = run(List.of(west), "plan");
        assertThat(plan.exit()).as(plan.out()).isEqualTo(1);
        assertThat(plan.out()).contains("x " + line(west) + "two records of this name and type list as set identifier");
        assertThat(run(List.of(west), "apply").exit()).isEqualTo(1);
        assertThat(route53.listHealthChecks().get().healthChecks()).isEmpty();
    }
}
