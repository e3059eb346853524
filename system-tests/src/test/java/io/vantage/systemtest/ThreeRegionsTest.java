package io.vantage.systemtest;

import static io.vantage.systemtest.HelmChartTest.config;
import static io.vantage.systemtest.HelmChartTest.kind;
import static io.vantage.systemtest.HelmChartTest.objects;
import static io.vantage.systemtest.HelmChartTest.workloads;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import io.vantage.agent.config.AgentConfig;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.wire.Documents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The three-region deployment (docs/deployment.md) (deploy/three-regions), rendered by real Helm as each cluster would install it:
 * agents everywhere pushing to every aggregator replica of both aggregator clusters over TLS, one cluster applying.
 */
class ThreeRegionsTest {
    private static final Path VALUES = Repository.root().resolve("deploy/three-regions");

    private static JsonNode readTree(String yaml) {
        try {
            return new YAMLMapper().readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> render(String... files) throws Exception {
        var template = new Helm(HelmChartTest.withHooks())
                .template()
                .withName("vantage")
                .withNamespace("vantage");
        for (String file : files) {
            template = template.withValuesFile(VALUES.resolve(file));
        }
        List<JsonNode> objects = objects(template.call());
        System.out.println(files[files.length - 1] + ": "
                + objects.stream()
                        .map(o -> o.path("kind").asText() + "/"
                                + o.at("/metadata/name").asText())
                        .collect(Collectors.joining(", ")));
        return objects;
    }

    private static void agentReportsToEveryReplica(List<JsonNode> objects, String region) {
        AgentConfig agent = Documents.readYaml(config(objects, "agent.yaml"), AgentConfig.class);
        assertThat(agent.agent().aggregators()).hasSize(4).allSatisfy(a -> {
            assertThat(a.url().getScheme()).isEqualTo("https");
            assertThat(a.caFile()).isEqualTo("/etc/vantage/ca/ca.crt");
        });
        JsonNode pod = kind(objects, "Deployment").get(0).at("/spec/template/spec");
        assertThat(pod.at("/serviceAccountName").asText()).isEqualTo("vantage-agent");
        assertThat(pod.at("/containers/0/volumeMounts").findValuesAsText("mountPath"))
                .contains("/etc/vantage/ca");
        assertThat(pod.at("/containers/0/env").toString()).contains("\"value\":\"" + region + "\"");
        assertThat(kind(objects, "Secret"))
                .as("tokens come from a Secret made out of band")
                .isEmpty();
        // Two agents per region: members of the region's one vantage point, each its own instance, one at a time.
        JsonNode deployment = kind(objects, "Deployment").get(0);
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(pod.at("/containers/0/env").toString())
                .contains("{\"name\":\"VANTAGE_AGENT_ID\",\"value\":\"agent-" + region + "\"}")
                .contains(
                        "{\"name\":\"VANTAGE_INSTANCE\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}}");
        assertThat(kind(objects, "PodDisruptionBudget"))
                .filteredOn(p -> p.at("/metadata/name").asText().equals("vantage-agent"))
                .singleElement()
                .satisfies(p -> assertThat(p.at("/spec/maxUnavailable").asInt()).isEqualTo(1));
    }

    private static AggregatorConfig aggregatorServesEveryAgentOverTls(List<JsonNode> objects) {
        AggregatorConfig aggregator = Documents.readYaml(config(objects, "aggregator.yaml"), AggregatorConfig.class);
        assertThat(aggregator.server().tls()).isNotNull();
        assertThat(aggregator.agents())
                .extracting(AggregatorConfig.AgentEntry::id)
                .containsExactly("agent-us-east-1", "agent-eu-west-1", "agent-ap-southeast-2");
        assertThat(aggregator.cloudwatch().region()).isEqualTo("us-east-1");
        // every aggregator cluster expects two members of every region's vantage point (its own agent's and the
        // others')
        JsonNode entries = readTree(config(objects, "aggregator.yaml")).get("agents");
        assertThat(entries.findValuesAsText("expectedMembers")).containsExactly("2", "2", "2");
        assertThat(kind(objects, "StatefulSet"))
                .singleElement()
                .satisfies(s -> assertThat(s.at("/spec/replicas").asInt()).isEqualTo(2));
        assertThat(kind(objects, "Service"))
                .filteredOn(s -> s.at("/spec/type").asText().equals("LoadBalancer"))
                .extracting(s -> s.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("vantage-aggregator", "vantage-aggregator-0", "vantage-aggregator-1");
        assertThat(kind(objects, "NetworkPolicy")
                        .get(0)
                        .at("/spec/ingress/0/from")
                        .findValuesAsText("cidr"))
                .hasSize(3);
        // Following the example ends with guarded records: each target is bound to its region's latency record, has
        // its region (fate sharing), and DNS is observed from every agent.
        assertThat(aggregator.targets()).hasSize(3).allSatisfy(target -> {
            assertThat(target.route53()).as("%s guards a record", target.name()).isNotNull();
            assertThat(target.route53().recordName()).isEqualTo("api.example.com");
            assertThat(target.route53().setIdentifier()).isEqualTo(target.region());
            assertThat(target.route53().onePerVantage())
                    .as("%s's latency record answers each region with one record", target.name())
                    .isTrue();
            assertThat(target.name()).isEqualTo("api-" + target.region());
        });
        assertThat(aggregator.observe())
                .extracting(AggregatorConfig.Observe::name)
                .containsExactly("api.example.com");
        return aggregator;
    }

    @Test
    void usEast1RunsAnAgentAndTheApplyingAggregator() throws Exception {
        List<JsonNode> objects = render("common-targets.yaml", "us-east-1.yaml");
        agentReportsToEveryReplica(objects, "us-east-1");
        aggregatorServesEveryAgentOverTls(objects);
        assertThat(kind(objects, "Job"))
                .as("this cluster applies alarms and health checks")
                .hasSize(1);
        assertThat(kind(objects, "ServiceAccount"))
                .filteredOn(sa -> sa.at("/metadata/annotations").has("eks.amazonaws.com/role-arn"))
                .extracting(sa -> sa.at("/metadata/name").asText())
                .containsExactly("vantage-aggregator");
    }

    @Test
    void euWest1RunsAnAgentAndAPublishingAggregatorThatDoesNotApply() throws Exception {
        List<JsonNode> objects = render("common-targets.yaml", "eu-west-1.yaml");
        agentReportsToEveryReplica(objects, "eu-west-1");
        aggregatorServesEveryAgentOverTls(objects);
        assertThat(kind(objects, "Job")).as("only one cluster reconciles").isEmpty();
    }

    @Test
    void apSoutheast2RunsAnAgentOnly() throws Exception {
        List<JsonNode> objects = render("ap-southeast-2.yaml");
        agentReportsToEveryReplica(objects, "ap-southeast-2");
        assertThat(workloads(objects)).singleElement();
        assertThat(kind(objects, "StatefulSet")).isEmpty();
    }
}
