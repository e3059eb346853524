package io.vantage.aggregator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.cloudwatch.CloudWatchPublisher;
import io.vantage.aggregator.cloudwatch.Datum;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.reconcile.Discovery;
import io.vantage.aggregator.reconcile.Reconciliation;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import io.vantage.testing.aws.LocalAws;
import io.vantage.testing.aws.MotoZone;
import io.vantage.wire.Documents;
import io.vantage.wire.target.QuorumSpec;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The IAM policy in docs/deployment.md against what the aggregator really calls: every AWS operation of publish, plan, apply,
 * destroy and discover (counted by the SDK interceptor, against moto) is an action the policy allows, and the policy
 * allows nothing the code never calls (PutMetricAlarm's tags need cloudwatch:TagResource, which is no call of its own).
 */
class IamPolicyTest {
    private static final Set<String> IMPLIED = Set.of("cloudwatch:TagResource");

    /** The actions of the first JSON block in docs/deployment.md that has a "Statement". */
    static Set<String> policyActions() throws Exception {
        String readme = Files.readString(Path.of("..", "docs", "deployment.md"));
        int statement = readme.indexOf("\"Statement\"");
        int start = readme.lastIndexOf("```json", statement) + "```json".length();
        int end = readme.indexOf("```", start);
        JsonNode policy = new ObjectMapper().readTree(readme.substring(start, end));
        Set<String> actions = new TreeSet<>();
        for (JsonNode s : policy.get("Statement")) {
            JsonNode action = s.get("Action");
            if (action.isArray()) {
                action.forEach(a -> actions.add(a.asText()));
            } else {
                actions.add(action.asText());
            }
        }
        return actions;
    }

    @Test
    void thePolicyAllowsExactlyWhatTheAggregatorCalls() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = Vertx.vertx();
        try (LocalAws aws = LocalAws.start();
                var route53 = AwsClients.route53(URI.create(aws.endpoint()), Duration.ofSeconds(10), registry)) {
            String zone = MotoZone.create(route53, "example.com")
                    .latency("api.example.com", "us-east-1", "192.0.2.1")
                    .latency("api.example.com", "eu-west-1", "192.0.2.1")
                    .id();
            AggregatorYaml yaml = AggregatorYaml.aggregator()
                    .agentWithTokenEnv("a", "eu-west-1", "A")
                    .deployment("test")
                    .awsCloudWatch("us-east-1", aws.endpoint())
                    .target(Target.tcp("api-eu-west-1", "127.0.0.1", 9)
                            .quorum(new QuorumSpec(1, null, null, null, null))
                            .route53InZoneNamed("example.com", "api.example.com", "A", "eu-west-1"));
            yaml.section("route53", Map.of("insufficientDataHealthStatus", "LastKnownStatus"));
            try (Reconciliation reconciliation =
                    Reconciliation.create(Documents.readYaml(yaml.yaml(), AggregatorConfig.class), registry)) {
                reconciliation.apply(reconciliation.plan().join()).join(); // creates, attaches
            }
            try (Reconciliation reconciliation = Reconciliation.create(
                    Documents.readYaml(
                            yaml.section("route53", Map.of("insufficientDataHealthStatus", "Unhealthy"))
                                    .yaml(),
                            AggregatorConfig.class),
                    registry)) {
                reconciliation.apply(reconciliation.plan().join()).join(); // updates the check
                reconciliation.apply(reconciliation.destroyPlan().join()).join(); // detaches, deletes
            }
            new Discovery(route53)
                    .targets(zone, "api.example.com", "https", "/health")
                    .get();
            Context context = vertx.getOrCreateContext();
            CloudWatchPublisher publisher = new CloudWatchPublisher(
                    AwsClients.cloudWatch("us-east-1", URI.create(aws.endpoint()), Duration.ofSeconds(8), registry),
                    "Vantage",
                    context,
                    registry);
            Promise<Void> published = Promise.promise();
            context.runOnContext(v -> publisher
                    .publish(List.of(new Datum("Healthy", "api-eu-west-1", 1, "None")), System.currentTimeMillis())
                    .onComplete(published));
            published.future().await();
        } finally {
            vertx.close().await();
        }
        Set<String> called = new TreeSet<>();
        for (Meter meter : registry.find("vantage.aws.attempts").meters()) {
            String service = meter.getId().getTag("service").toLowerCase(Locale.ROOT);
            called.add(service + ":" + meter.getId().getTag("operation"));
        }
        // The calls the test itself made to set up moto are not the aggregator's.
        called.removeAll(Set.of("route53:CreateHostedZone"));
        System.out.println("AWS operations called: " + called);
        Set<String> allowed = policyActions();
        assertThat(allowed).as("the documented IAM policy allows every call").containsAll(called);
        Set<String> unused = new TreeSet<>(allowed);
        unused.removeAll(called);
        assertThat(unused).as("actions the policy allows that nothing calls").isSubsetOf(IMPLIED);
    }
}
