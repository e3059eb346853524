package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.vantage.agent.config.AgentConfig;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.wire.Documents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart rendered by real Helm (helm-java), for every ci/*-values.yaml, with assertions on the objects. */
class HelmChartTest {
    static final Path CHART = Repository.root().resolve("helm/vantage");

    static Stream<Path> ciValues() throws IOException {
        return Files.list(CHART.resolve("ci"))
                .filter(p -> p.toString().endsWith("-values.yaml"))
                .sorted();
    }

    static List<JsonNode> objects(String rendered) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = new YAMLMapper().getFactory().createParser(rendered)) {
            var iterator = new YAMLMapper().readValues(parser, JsonNode.class);
            while (iterator.hasNext()) {
                JsonNode node = iterator.next();
                if (node != null && node.has("kind")) {
                    objects.add(node);
                }
            }
        }
        return objects;
    }

    static List<JsonNode> workloads(List<JsonNode> objects) {
        List<JsonNode> workloads = new ArrayList<>(kind(objects, "Deployment"));
        workloads.addAll(kind(objects, "DaemonSet"));
        workloads.addAll(kind(objects, "StatefulSet"));
        return workloads;
    }

    static List<JsonNode> kind(List<JsonNode> objects, String kind) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .toList();
    }

    @Test
    void lintIsCleanWithTheDefaults() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciValues")
    void everyVariantRendersHardenedWorkloadsWithValidConfigs(Path values) throws Exception {
        List<JsonNode> objects = objects(new Helm(CHART)
                .template()
                .withName("vantage")
                .withValuesFile(values)
                .call());

        List<JsonNode> workloads = workloads(objects);
        assertThat(workloads).isNotEmpty();
        for (JsonNode workload : workloads) {
            JsonNode pod = workload.at("/spec/template");
            assertThat(pod.at("/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
            assertThat(pod.at("/spec/securityContext/runAsUser").asInt()).isEqualTo(10001);
            assertThat(pod.at("/metadata/annotations/checksum~1config").asText())
                    .matches("[0-9a-f]{64}");
            JsonNode container = pod.at("/spec/containers/0");
            assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                    .isTrue();
            assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean())
                    .isFalse();
            assertThat(container.at("/securityContext/capabilities/drop/0").asText())
                    .isEqualTo("ALL");
            assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
            assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
            // Every Secret a pod mounts exists: rendered by the chart, or named in the values as one that exists
            // already.
            List<String> rendered = kind(objects, "Secret").stream()
                    .map(secret -> secret.at("/metadata/name").asText())
                    .toList();
            String valuesText = Files.readString(values);
            assertThat(pod.at("/spec/volumes").findValuesAsText("secretName"))
                    .allSatisfy(name -> assertThat(rendered.contains(name) || valuesText.contains(name))
                            .as("Secret %s is rendered or named in %s", name, values.getFileName())
                            .isTrue());
        }
        // The configs the chart writes are valid for the programs that read them (tokens are files in the pod).
        for (JsonNode configMap : kind(objects, "ConfigMap")) {
            String agentYaml = configMap.at("/data/agent.yaml").asText(null);
            if (agentYaml != null) {
                assertThat(Documents.readYaml(agentYaml, AgentConfig.class)).isNotNull();
            }
            String aggregatorYaml = configMap.at("/data/aggregator.yaml").asText(null);
            if (aggregatorYaml != null) {
                assertThat(Documents.readYaml(aggregatorYaml, AggregatorConfig.class))
                        .isNotNull();
            }
        }
    }

    @Test
    void theTestPodIsAHelmTestHook() throws IOException {
        assertThat(Files.readString(CHART.resolve("templates/tests/test-readyz.yaml")))
                .contains("helm.sh/hook: test")
                .contains("helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded");
    }

    /** helm-java's template leaves hooks out, so the `helm test` pod is rendered from a copy where it is a plain template. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ciValues")
    void helmTestPodCallsReadyz(Path values, @org.junit.jupiter.api.io.TempDir Path copy) throws Exception {
        Path chart = copy.resolve("vantage");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : files.toList()) {
                Path target =
                        chart.resolve(CHART.relativize(file).toString().replace("templates/tests/", "templates/"));
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    // Renamed so that Helm treats it as a plain manifest; the real annotations are checked below.
                    Files.writeString(target, Files.readString(file).replace("helm.sh/hook", "copy.vantage/hook"));
                }
            }
        }
        List<JsonNode> objects = objects(new Helm(chart)
                .template()
                .withName("vantage")
                .withValuesFile(values)
                .call());
        assertThat(kind(objects, "Pod")).singleElement().satisfies(test -> {
            assertThat(test.at("/metadata/annotations/copy.vantage~1hook").asText())
                    .isEqualTo("test");
            assertThat(test.at("/spec/containers/0/args/0").asText())
                    .contains("/readyz")
                    .containsPattern("/dev/tcp/vantage-(agent|aggregator)/\\d+");
            assertThat(test.at("/spec/containers/0/securityContext/readOnlyRootFilesystem")
                            .asBoolean())
                    .isTrue();
        });
    }

    @Test
    void aggregatorVariantHasIrsaPdbAndIntegrations() throws Exception {
        List<JsonNode> objects = objects(new Helm(CHART)
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                .call());

        assertThat(kind(objects, "ServiceAccount"))
                .singleElement()
                .satisfies(sa -> assertThat(sa.at("/metadata/annotations/eks.amazonaws.com~1role-arn")
                                .asText())
                        .isEqualTo("arn:aws:iam::123456789012:role/vantage-aggregator"));
        assertThat(kind(objects, "PodDisruptionBudget"))
                .singleElement()
                .satisfies(
                        pdb -> assertThat(pdb.at("/spec/minAvailable").asInt()).isEqualTo(1));
        assertThat(kind(objects, "StatefulSet"))
                .singleElement()
                .satisfies(d -> assertThat(d.at("/spec/replicas").asInt()).isEqualTo(3));
        assertThat(kind(objects, "PodMonitor")).hasSize(1);
        // The alerting rules, the same file the compose Prometheus loads, as a PrometheusRule.
        assertThat(kind(objects, "PrometheusRule"))
                .singleElement()
                .satisfies(rule -> assertThat(rule.at("/spec/groups/0/rules").findValuesAsText("alert"))
                        .contains("VantageTargetUnhealthy", "VantageAgentSilent", "VantageAgentBlind")
                        .hasSize(9));
        assertThat(kind(objects, "NetworkPolicy")).hasSize(1);
        assertThat(kind(objects, "Secret"))
                .singleElement()
                .satisfies(secret -> assertThat(secret.at("/data").fieldNames())
                        .toIterable()
                        .containsExactlyInAnyOrder("token-agent-us-east-1", "token-agent-eu-west-1"));
        JsonNode dashboard = kind(objects, "ConfigMap").stream()
                .filter(c -> c.at("/data").has("vantage.json"))
                .findFirst()
                .orElseThrow();
        assertThat(dashboard.at("/data/vantage.json").asText()).contains("\"uid\": \"vantage-fleet\"");

        // Reached from other clusters: the Service keeps its annotations and source ranges, TLS is served from the
        // mounted Secret, the Ingress points at the Service, and the NetworkPolicy admits only named sources.
        JsonNode service = kind(objects, "Service").stream()
                .filter(s -> s.at("/metadata/name").asText().equals("vantage-aggregator"))
                .findFirst()
                .orElseThrow();
        assertThat(service.at("/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-scheme")
                        .asText())
                .isEqualTo("internal");
        assertThat(service.at("/spec/loadBalancerSourceRanges").toString())
                .isEqualTo("[\"10.1.0.0/16\",\"10.2.0.0/16\"]");
        JsonNode pod = kind(objects, "StatefulSet").get(0).at("/spec/template/spec");
        // One address per replica for the other clusters' agents: a Service selecting each pod by name.
        assertThat(kind(objects, "Service"))
                .extracting(s -> s.at("/metadata/name").asText())
                .containsExactlyInAnyOrder(
                        "vantage-aggregator",
                        "vantage-aggregator-headless",
                        "vantage-aggregator-0",
                        "vantage-aggregator-1",
                        "vantage-aggregator-2");
        assertThat(kind(objects, "Service"))
                .filteredOn(s -> s.at("/metadata/name").asText().equals("vantage-aggregator-2"))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.at("/spec/selector/statefulset.kubernetes.io~1pod-name")
                                    .asText())
                            .isEqualTo("vantage-aggregator-2");
                    assertThat(s.at("/spec/type").asText()).isEqualTo("LoadBalancer");
                });
        assertThat(pod.at("/priorityClassName").asText()).isEqualTo("system-cluster-critical");
        assertThat(pod.at("/volumes").findValuesAsText("secretName"))
                .containsExactlyInAnyOrder("vantage-tokens", "vantage-aggregator-tls");
        String config = kind(objects, "ConfigMap").stream()
                .filter(c -> c.at("/data").has("aggregator.yaml"))
                .findFirst()
                .orElseThrow()
                .at("/data/aggregator.yaml")
                .asText();
        assertThat(Documents.readYaml(config, AggregatorConfig.class).server().tls())
                .as("server.tls in the rendered config")
                .isNotNull();
        assertThat(kind(objects, "Ingress")).singleElement().satisfies(ingress -> {
            assertThat(ingress.at("/spec/rules/0/host").asText()).isEqualTo("vantage.eu-west-1.example.internal");
            assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/name")
                            .asText())
                    .isEqualTo("vantage-aggregator");
            assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("vantage-aggregator-ingress-tls");
        });
        // apply runs as a Job per revision under the aggregator's ServiceAccount: no hand step between install and
        // Route 53.
        assertThat(kind(objects, "Job")).singleElement().satisfies(job -> {
            assertThat(job.at("/metadata/name").asText()).isEqualTo("vantage-apply-1");
            assertThat(job.at("/spec/template/spec/serviceAccountName").asText())
                    .isEqualTo("vantage-aggregator");
            assertThat(job.at("/spec/template/spec/containers/0/args").toString())
                    .isEqualTo("[\"apply\",\"--config\",\"/etc/vantage/aggregator.yaml\"]");
            assertThat(job.at("/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem")
                            .asBoolean())
                    .isTrue();
        });
        JsonNode from = kind(objects, "NetworkPolicy").get(0).at("/spec/ingress/0/from");
        assertThat(from).hasSize(3);
        assertThat(from.get(0)
                        .at("/podSelector/matchLabels/app.kubernetes.io~1component")
                        .asText())
                .isEqualTo("agent");
        assertThat(from.findValuesAsText("cidr")).containsExactly("10.1.0.0/16", "10.2.0.0/16");
    }

    @Test
    void aDefaultInstallMountsOnlyWhatExists() throws Exception {
        // No tokens and no existing Secret (a standalone agent): no Secret volume that would keep the pod from
        // starting.
        for (List<JsonNode> objects : List.of(
                objects(new Helm(CHART).template().withName("vantage").call()),
                objects(new Helm(CHART)
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/agent-daemonset-values.yaml"))
                        .call()))) {
            assertThat(kind(objects, "Secret")).isEmpty();
            assertThat(workloads(objects)).singleElement().satisfies(w -> {
                assertThat(w.at("/spec/template/spec/volumes").findValues("secret"))
                        .isEmpty();
                assertThat(w.at("/spec/template/spec/containers/0/volumeMounts").findValuesAsText("name"))
                        .doesNotContain("tokens");
            });
        }
    }

    @Test
    void agentsAndTheAggregatorRunUnderTheirOwnServiceAccounts() throws Exception {
        List<JsonNode> objects = objects(new Helm(CHART)
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                .set(
                        "serviceAccount.aggregator.annotations.eks\\.amazonaws\\.com/role-arn",
                        "arn:aws:iam::123456789012:role/vantage")
                .call());
        assertThat(kind(objects, "ServiceAccount"))
                .extracting(sa -> sa.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("vantage-agent", "vantage-aggregator");
        assertThat(kind(objects, "ServiceAccount"))
                .filteredOn(sa -> sa.at("/metadata/annotations").has("eks.amazonaws.com/role-arn"))
                .extracting(sa -> sa.at("/metadata/name").asText())
                .as("only the aggregator carries the AWS role")
                .containsExactly("vantage-aggregator");
        assertThat(workloads(objects))
                .extracting(d -> d.at("/spec/template/spec/serviceAccountName").asText())
                .containsExactlyInAnyOrder("vantage-agent", "vantage-aggregator");
        // The agent of this release pushes to every aggregator replica by its own address, never through one balanced
        // URL.
        String agentConfig = kind(objects, "ConfigMap").stream()
                .filter(c -> c.at("/data").has("agent.yaml"))
                .findFirst()
                .orElseThrow()
                .at("/data/agent.yaml")
                .asText();
        assertThat(Documents.readYaml(agentConfig, AgentConfig.class).agent().aggregators())
                .extracting(a -> a.url().toString())
                .containsExactly(
                        "http://vantage-aggregator-0.vantage-aggregator-headless.default.svc:8080",
                        "http://vantage-aggregator-1.vantage-aggregator-headless.default.svc:8080");
        // One replica (the default is two): no PodDisruptionBudget that would block every node drain.
        assertThat(kind(
                        objects(new Helm(CHART)
                                .template()
                                .withName("vantage")
                                .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                                .set("aggregator.replicas", 1)
                                .call()),
                        "PodDisruptionBudget"))
                .isEmpty();
    }

    @Test
    void theSecretChecksumFollowsTheTokens() throws Exception {
        String before = kind(
                        objects(new Helm(CHART)
                                .template()
                                .withName("vantage")
                                .withValuesFile(CHART.resolve("ci/agent-values.yaml"))
                                .call()),
                        "Deployment")
                .get(0)
                .at("/spec/template/metadata/annotations/checksum~1secret")
                .asText();
        String after = kind(
                        objects(new Helm(CHART)
                                .template()
                                .withName("vantage")
                                .withValuesFile(CHART.resolve("ci/agent-values.yaml"))
                                .set("secret.tokens.agent-token", "a-rotated-token-0123456789")
                                .call()),
                        "Deployment")
                .get(0)
                .at("/spec/template/metadata/annotations/checksum~1secret")
                .asText();
        assertThat(before).isNotBlank();
        assertThat(after).isNotBlank().isNotEqualTo(before);
    }

    @Test
    void defaultsKeepIntegrationsOffAndAnExistingSecretIsReferencedNotCreated() throws Exception {
        List<JsonNode> defaults =
                objects(new Helm(CHART).template().withName("vantage").call());
        assertThat(kind(defaults, "PodMonitor")).isEmpty();
        assertThat(kind(defaults, "NetworkPolicy")).isEmpty();

        List<JsonNode> existing = objects(new Helm(CHART)
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                .call());
        assertThat(kind(existing, "Secret")).isEmpty();
        assertThat(workloads(existing))
                .hasSize(2)
                .allSatisfy(d -> assertThat(d.at("/spec/template/spec/volumes").findValuesAsText("secretName"))
                        .containsExactly("vantage-tokens"));
    }

    @Test
    void theConfigChecksumFollowsTheConfig() throws Exception {
        String before = checksum(new Helm(CHART)
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/agent-daemonset-values.yaml"))
                .call());
        String after = checksum(new Helm(CHART)
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/agent-daemonset-values.yaml"))
                .set("agent.maxInFlight", 10)
                .call());
        assertThat(after).isNotEqualTo(before);
    }

    private static String checksum(String rendered) throws IOException {
        return kind(objects(rendered), "DaemonSet")
                .get(0)
                .at("/spec/template/metadata/annotations/checksum~1config")
                .asText();
    }

    @Test
    void aRotatingAgentsPreviousTokenIsAcceptedUntilRemoved() throws Exception {
        List<JsonNode> objects = objects(new Helm(CHART)
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                .set("secret.tokens.token-agent-us-east-1-previous", "ci-token-us-east-1-previous-0123")
                .call());
        String config = kind(objects, "ConfigMap").stream()
                .filter(c -> c.at("/data").has("aggregator.yaml"))
                .findFirst()
                .orElseThrow()
                .at("/data/aggregator.yaml")
                .asText();
        assertThat(Documents.readYaml(config, AggregatorConfig.class).agents())
                .extracting(a -> a.id() + "=" + a.previousTokenFile())
                .containsExactly(
                        "agent-us-east-1=/etc/vantage/tokens/token-agent-us-east-1-previous", "agent-eu-west-1=null");
    }

    @Test
    void valuesThatViolateTheSchemaOrTheChartsRulesAreRefused() {
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("vantage")
                        .set("agent.kind", "StatefulSet")
                        .call())
                .hasMessageContaining("/agent/kind")
                .hasMessageContaining("'Deployment', 'DaemonSet'");
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("vantage")
                        .set("aggregator.alarm.statistic", "p99")
                        .call())
                .hasMessageContaining("/aggregator/alarm/statistic");
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("vantage")
                        .set("agent.replicas", 0)
                        .call())
                .hasMessageContaining("/agent/replicas");
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("vantage")
                        .set("agent.region", "")
                        .call())
                .hasMessageContaining("agent.region is required");
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("vantage")
                        .set("aggregator.enabled", true)
                        .call())
                .hasMessageContaining("aggregator.agents is empty");
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                        .set("aggregator.route53.reconcileEvery", "5m")
                        .call())
                .hasMessageContaining("every replica would change AWS at once");
    }
}
