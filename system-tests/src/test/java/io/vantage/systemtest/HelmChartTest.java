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
import org.junit.jupiter.api.io.TempDir;
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

    /** The text of the config file {@code file} (agent.yaml, aggregator.yaml) in the rendered ConfigMaps. */
    static String config(List<JsonNode> objects, String file) {
        return kind(objects, "ConfigMap").stream()
                .filter(c -> c.at("/data").has(file))
                .findFirst()
                .orElseThrow()
                .at("/data/" + file)
                .asText();
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
        List<JsonNode> objects = objects(new Helm(withHooks())
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
            List<String> secrets = new ArrayList<>();
            pod.at("/spec/volumes")
                    .findValues("secret")
                    .forEach(secret -> secrets.add(
                            secret.has("secretName")
                                    ? secret.get("secretName").asText()
                                    : secret.get("name").asText()));
            assertThat(secrets)
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

    /** Every ci values file, and each cluster of the documented three-region install (its common file first). */
    static Stream<List<Path>> installs() throws IOException {
        Path regions = Repository.root().resolve("deploy/three-regions");
        return Stream.concat(
                ciValues().map(List::of),
                Stream.of("us-east-1", "eu-west-1", "ap-southeast-2")
                        .map(region ->
                                List.of(regions.resolve("common-targets.yaml"), regions.resolve(region + ".yaml"))));
    }

    static List<JsonNode> render(List<Path> values) throws IOException {
        var template = new Helm(withHooks()).template().withName("vantage");
        for (Path file : values) {
            template = template.withValuesFile(file);
        }
        return objects(template.call());
    }

    /**
     * What the kubelet and Prometheus would do with each pod: probe and scrape it in the scheme its server speaks (the
     * config the pod reads says whether that is TLS), and mount exactly the token files that config names, and no
     * other agent's token.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void everyPodIsProbedScrapedAndGivenTheTokensItsConfigReads(List<Path> values) throws Exception {
        List<JsonNode> objects = render(values);
        for (JsonNode workload : workloads(objects)) {
            String component = workload.at("/spec/template/metadata/labels/app.kubernetes.io~1component")
                    .asText();
            String configText = config(objects, component + ".yaml");
            boolean tls;
            List<String> tokenFiles = new ArrayList<>();
            List<String> previousFiles = new ArrayList<>();
            List<String> otherFiles = new ArrayList<>(); // TLS key pair, CA files
            if (component.equals("aggregator")) {
                AggregatorConfig config = Documents.readYaml(configText, AggregatorConfig.class);
                tls = config.server().tls() != null;
                if (config.server().readToken() != null) {
                    tokenFiles.add(config.server().readToken().tokenFile());
                }
                config.agents().forEach(agent -> {
                    tokenFiles.add(agent.tokenFile());
                    if (agent.previousTokenFile() != null) {
                        previousFiles.add(agent.previousTokenFile());
                    }
                });
                if (tls) {
                    otherFiles.add(config.server().tls().certFile());
                    otherFiles.add(config.server().tls().keyFile());
                }
            } else {
                AgentConfig config = Documents.readYaml(configText, AgentConfig.class);
                tls = false; // the agent serves plain HTTP
                if (config.server().readToken() != null) {
                    tokenFiles.add(config.server().readToken().tokenFile());
                }
                config.agent().aggregators().forEach(a -> {
                    tokenFiles.add(a.tokenFile());
                    if (a.caFile() != null) {
                        otherFiles.add(a.caFile());
                    }
                });
            }
            List<String> files = new ArrayList<>(tokenFiles);
            files.addAll(previousFiles);
            files.addAll(otherFiles);
            // Every file the config names is in a mounted volume (a path under its mountPath), and when that volume
            // projects chosen keys of a Secret, the file is one of them.
            JsonNode spec = workload.at("/spec/template/spec");
            for (String file : files) {
                assertThat(spec.at("/containers/0/volumeMounts"))
                        .as("%s's %s is mounted", component, file)
                        .anySatisfy(mount -> {
                            String path = mount.path("mountPath").asText() + "/";
                            assertThat(file).startsWith(path);
                            JsonNode volume = null;
                            for (JsonNode v : spec.at("/volumes")) {
                                if (v.path("name")
                                        .asText()
                                        .equals(mount.path("name").asText())) {
                                    volume = v;
                                }
                            }
                            assertThat(volume).isNotNull();
                            List<String> items = volume.findValuesAsText("path");
                            if (!volume.findValues("items").isEmpty()) {
                                assertThat(items).contains(file.substring(path.length()));
                            }
                        });
            }
            String scheme = tls ? "HTTPS" : "HTTP";
            JsonNode container = workload.at("/spec/template/spec/containers/0");
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat(container.at("/" + probe + "/httpGet/scheme").asText())
                        .as("%s %s of %s", component, probe, values)
                        .isEqualTo(scheme);
            }
            assertThat(workload.at("/spec/template/metadata/annotations/prometheus.io~1scheme")
                            .asText())
                    .isEqualTo(scheme.toLowerCase());
            kind(objects, "PodMonitor").stream()
                    .filter(m -> m.at("/spec/selector/matchLabels/app.kubernetes.io~1component")
                            .asText()
                            .equals(component))
                    .forEach(monitor -> assertThat(monitor.at("/spec/podMetricsEndpoints/0/scheme")
                                    .asText())
                            .isEqualTo(scheme.toLowerCase()));

            // Token files: each one the config reads is a mounted key of the tokens volume, and nothing else is.
            List<String> mounted = new ArrayList<>();
            List<String> optional = new ArrayList<>();
            for (JsonNode volume : workload.at("/spec/template/spec/volumes")) {
                if (volume.path("name").asText().equals("tokens")) {
                    for (JsonNode source : volume.at("/projected/sources")) {
                        List<String> keys = source.at("/secret/items").findValuesAsText("path");
                        (source.at("/secret/optional").asBoolean() ? optional : mounted).addAll(keys);
                    }
                }
            }
            String dir = "/etc/vantage/tokens/";
            assertThat(tokenFiles).allSatisfy(file -> assertThat(file).startsWith(dir));
            assertThat(mounted)
                    .as("%s mounts the tokens its config reads, no more", component)
                    .containsExactlyInAnyOrderElementsOf(tokenFiles.stream()
                            .map(f -> f.substring(dir.length()))
                            .distinct()
                            .toList());
            assertThat(optional)
                    .containsExactlyInAnyOrderElementsOf(previousFiles.stream()
                            .map(f -> f.substring(dir.length()))
                            .toList());
            if (component.equals("agent")) {
                assertThat(mounted).isSubsetOf("agent-token");
            }
            // A Secret the chart renders holds every key a pod must mount.
            kind(objects, "Secret")
                    .forEach(secret -> assertThat(secret.at("/data").fieldNames())
                            .toIterable()
                            .containsAll(mounted));
        }
    }

    /**
     * NOTES.txt as `helm install` would print it, rendered by `helm template` from a copy of the chart that also holds
     * it as a ConfigMap (helm-java's install wants a cluster even for a dry run).
     */
    String notes(Path values) throws IOException {
        Path chart = notesCopy.resolve("vantage" + values.getFileName());
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : files.toList()) {
                Path target = chart.resolve(CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        Files.createDirectories(chart.resolve("files"));
        Files.copy(CHART.resolve("templates/NOTES.txt"), chart.resolve("files/NOTES.txt"));
        Files.writeString(
                chart.resolve("templates/notes-as-configmap.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata:\n  notes: |\n"
                        + "    {{- tpl (.Files.Get \"files/NOTES.txt\") . | nindent 4 }}\n");
        return kind(
                        objects(new Helm(chart)
                                .template()
                                .withName("vantage")
                                .withValuesFile(values)
                                .call()),
                        "ConfigMap")
                .stream()
                .filter(c -> c.at("/metadata/name").asText().equals("notes"))
                .findFirst()
                .orElseThrow()
                .at("/data/notes")
                .asText();
    }

    @TempDir
    Path notesCopy;

    @Test
    void theInstallNotesSayWhereAgentsReportAndInWhichScheme() throws IOException {
        assertThat(notes(CHART.resolve("ci/existing-secret-values.yaml")))
                .contains("reporting to this release's 2 aggregator replica(s)")
                .contains("open http://localhost:8080/")
                .doesNotContain("0 aggregator");
        assertThat(notes(CHART.resolve("ci/aggregator-values.yaml"))).contains("open https://localhost:8080/");
        assertThat(notes(CHART.resolve("ci/agent-daemonset-values.yaml")))
                .contains("standalone: probing its own 2 target(s)");
    }

    @Test
    void theTestPodIsAHelmTestHook() throws IOException {
        assertThat(Files.readString(CHART.resolve("templates/tests/test-readyz.yaml")))
                .contains("helm.sh/hook: test")
                .contains("helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded");
    }

    private static Path withHooks;

    /**
     * The chart as Helm would install it, hooks included: helm-java's template leaves hooks out (the apply Job, the `helm
     * test` pod), so everything is rendered from one copy where their annotation is renamed and they are plain
     * templates; the real annotations are checked on the copy's renamed ones.
     */
    static synchronized Path withHooks() throws IOException {
        if (withHooks == null) {
            Path chart = Files.createTempDirectory("vantage-chart").resolve("vantage");
            try (Stream<Path> files = Files.walk(CHART)) {
                for (Path file : files.toList()) {
                    Path target = chart.resolve(CHART.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.writeString(target, Files.readString(file).replace("helm.sh/hook", "copy.vantage/hook"));
                    }
                }
            }
            withHooks = chart;
        }
        return withHooks;
    }

    /** The `helm test` pod of an install with these values. */
    static JsonNode helmTestPod(Path values) throws Exception {
        List<JsonNode> pods = kind(
                objects(new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(values)
                        .call()),
                "Pod");
        assertThat(pods).hasSize(1);
        return pods.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciValues")
    void helmTestPodCallsReadyzInTheServersScheme(Path values) throws Exception {
        JsonNode test = helmTestPod(values);
        assertThat(test.at("/metadata/annotations/copy.vantage~1hook").asText()).isEqualTo("test");
        String command = test.at("/spec/containers/0/command").toString()
                + test.at("/spec/containers/0/args").toString();
        assertThat(command).contains("/readyz");
        if (Files.readString(values).contains("secretName: vantage-aggregator-tls")) {
            // A TLS server answers nothing to plain HTTP: the test speaks HTTPS, pinned to the serving certificate.
            assertThat(command)
                    .contains("https://vantage-aggregator:8080/readyz", "--pin-cert", "/etc/vantage/tls/tls.crt");
            assertThat(test.at("/spec/volumes").findValuesAsText("secretName"))
                    .containsExactly("vantage-aggregator-tls");
        } else {
            assertThat(command).containsPattern("/dev/tcp/vantage-(agent|aggregator)/\\d+");
        }
        assertThat(test.at("/spec/containers/0/securityContext/readOnlyRootFilesystem")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void aggregatorVariantHasIrsaPdbAndIntegrations() throws Exception {
        List<JsonNode> objects = objects(new Helm(withHooks())
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
                        .contains(
                                "VantageTargetUnhealthy",
                                "VantageAgentSilent",
                                "VantageAgentBlind",
                                "VantagePointDegraded",
                                "VantagePointDown",
                                "VantageTargetNotProbed")
                        .hasSize(18));
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
        assertThat(pod.at("/volumes").findValuesAsText("secretName")).containsExactly("vantage-aggregator-tls");
        assertThat(pod.at("/volumes").findValuesAsText("name")).contains("vantage-tokens");
        String config = config(objects, "aggregator.yaml");
        assertThat(Documents.readYaml(config, AggregatorConfig.class).server().tls())
                .as("server.tls in the rendered config")
                .isNotNull();
        assertThat(Documents.readYaml(config, AggregatorConfig.class).deployment())
                .as("the deployment everything it makes in AWS is tagged with")
                .isEqualTo("production");
        assertThat(kind(objects, "Ingress")).singleElement().satisfies(ingress -> {
            assertThat(ingress.at("/spec/rules/0/host").asText()).isEqualTo("vantage.eu-west-1.example.internal");
            assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/name")
                            .asText())
                    .isEqualTo("vantage-aggregator");
            assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("vantage-aggregator-ingress-tls");
        });
        // apply runs as a post-install/post-upgrade hook under the aggregator's ServiceAccount: no hand step between
        // install and Route 53, and a failed apply fails the release.
        assertThat(kind(objects, "Job")).singleElement().satisfies(job -> {
            assertThat(job.at("/metadata/name").asText()).isEqualTo("vantage-apply");
            assertThat(job.at("/metadata/annotations/copy.vantage~1hook").asText())
                    .isEqualTo("post-install,post-upgrade");
            assertThat(job.at("/metadata/annotations/copy.vantage~1hook-delete-policy")
                            .asText())
                    .isEqualTo("before-hook-creation");
            assertThat(job.at("/spec/ttlSecondsAfterFinished").isMissingNode())
                    .as("no TTL: GitOps tools would recreate and re-run a Job that vanished")
                    .isTrue();
            assertThat(job.at("/spec/template/spec/serviceAccountName").asText())
                    .isEqualTo("vantage-aggregator");
            assertThat(job.at("/spec/template/spec/containers/0/args").toString())
                    .isEqualTo("[\"apply\",\"--config\",\"/etc/vantage/aggregator.yaml\"]");
            assertThat(job.at("/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem")
                            .asBoolean())
                    .isTrue();
        });
        // Who the NetworkPolicy admits, as a cluster would match it: this release's agents and its `helm test` pod by
        // their labels, Prometheus (the PodMonitor scrapes) and the ingress controller (the Ingress forwards) by
        // namespace, the other clusters by address.
        JsonNode from = kind(objects, "NetworkPolicy").get(0).at("/spec/ingress/0/from");
        assertThat(from.findValuesAsText("cidr")).containsExactly("10.1.0.0/16", "10.2.0.0/16");
        assertThat(from.findValues("namespaceSelector").toString())
                .contains("\"kubernetes.io/metadata.name\":\"monitoring\"")
                .contains("\"kubernetes.io/metadata.name\":\"ingress-nginx\"");
        JsonNode agentLabels = objects(new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                        .call())
                .stream()
                .filter(o -> o.path("kind").asText().equals("Deployment"))
                .findFirst()
                .orElseThrow()
                .at("/spec/template/metadata/labels");
        JsonNode testLabels =
                helmTestPod(CHART.resolve("ci/aggregator-values.yaml")).at("/metadata/labels");
        for (JsonNode labels : List.of(agentLabels, testLabels)) {
            assertThat(from).as("a peer admits a pod labelled %s", labels).anySatisfy(peer -> {
                assertThat(peer.has("podSelector")).isTrue();
                peer.at("/podSelector/matchLabels")
                        .fields()
                        .forEachRemaining(
                                label -> assertThat(labels.path(label.getKey()).asText())
                                        .isEqualTo(label.getValue().asText()));
            });
        }
    }

    /** The apply Job runs where and as the aggregator runs: its env, volumes, scheduling and annotations; plan-only too. */
    @Test
    void theApplyJobInheritsTheAggregatorsPodSettingsAndCanOnlyPlan() throws Exception {
        List<JsonNode> objects = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                .set("aggregator.applyJob.mode", "plan")
                .set("aggregator.extraEnv[0].name", "HTTPS_PROXY")
                .set("aggregator.extraEnv[0].value", "http://proxy.internal:3128")
                .set("aggregator.extraVolumes[0].name", "ca")
                .set("aggregator.extraVolumes[0].configMap.name", "corporate-ca")
                .set("aggregator.extraVolumeMounts[0].name", "ca")
                .set("aggregator.extraVolumeMounts[0].mountPath", "/etc/ssl/corporate")
                .set("aggregator.nodeSelector.pool", "system")
                .set("aggregator.tolerations[0].key", "dedicated")
                .set("aggregator.tolerations[0].operator", "Exists")
                .set("podAnnotations.team", "sre")
                .call());
        JsonNode job = kind(objects, "Job").get(0).at("/spec/template");
        JsonNode aggregator = kind(objects, "StatefulSet").get(0).at("/spec/template");
        assertThat(job.at("/spec/containers/0/args/0").asText()).isEqualTo("plan");
        assertThat(job.at("/spec/containers/0/env").toString()).contains("HTTPS_PROXY");
        assertThat(job.at("/spec/volumes").toString()).contains("corporate-ca");
        assertThat(job.at("/spec/containers/0/volumeMounts").toString()).contains("/etc/ssl/corporate");
        for (String field : List.of("/spec/nodeSelector", "/spec/tolerations", "/spec/priorityClassName")) {
            assertThat(job.at(field)).as(field).isEqualTo(aggregator.at(field));
        }
        assertThat(job.at("/metadata/annotations/team").asText()).isEqualTo("sre");
        assertThat(job.at("/spec/containers/0/image").asText())
                .isEqualTo(aggregator.at("/spec/containers/0/image").asText());
    }

    /** Uninstalling can destroy first: a pre-delete hook runs destroy, as the apply Job runs apply. */
    @Test
    void destroyOnUninstallIsAPreDeleteHook() throws Exception {
        List<JsonNode> jobs = kind(
                objects(new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                        .set("aggregator.applyJob.destroyOnUninstall", true)
                        .call()),
                "Job");
        assertThat(jobs)
                .extracting(j -> j.at("/metadata/name").asText())
                .containsExactly("vantage-apply", "vantage-destroy");
        JsonNode destroy = jobs.get(1);
        assertThat(destroy.at("/metadata/annotations/copy.vantage~1hook").asText())
                .isEqualTo("pre-delete");
        assertThat(destroy.at("/spec/template/spec/containers/0/args").toString())
                .isEqualTo("[\"destroy\",\"--config\",\"/etc/vantage/aggregator.yaml\"]");
        assertThat(destroy.at("/spec/template/spec/serviceAccountName").asText())
                .isEqualTo("vantage-aggregator");
    }

    /** Images from the user's registry, pinned by digest; names and labels for use as a subchart. */
    @Test
    void imagesComeFromTheUsersRegistryAndTheChartWorksAsASubchart() throws Exception {
        String digest = "sha256:" + "0123456789abcdef".repeat(4);
        List<JsonNode> objects = objects(new Helm(withHooks())
                .template()
                .withName("platform")
                .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                .set("image.agent.registry", "123456789012.dkr.ecr.eu-west-1.amazonaws.com")
                .set("image.agent.digest", digest)
                .set("image.aggregator.registry", "123456789012.dkr.ecr.eu-west-1.amazonaws.com")
                .set("fullnameOverride", "probes")
                .set("commonLabels.team", "sre")
                .set("global.imageRegistry", "ignored-but-allowed")
                .call());
        assertThat(workloads(objects))
                .extracting(w -> w.at("/spec/template/spec/containers/0/image").asText())
                .containsExactlyInAnyOrder(
                        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vantage/agent:0.1.0@" + digest,
                        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/vantage/aggregator:0.1.0");
        assertThat(objects)
                .filteredOn(o -> !o.path("kind").asText().equals("Pod"))
                .allSatisfy(o -> {
                    assertThat(o.at("/metadata/name").asText()).startsWith("probes");
                    assertThat(o.at("/metadata/labels/team").asText()).isEqualTo("sre");
                });
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .set("image.agent.digest", "latest")
                        .call())
                .hasMessageContaining("digest");
    }

    /** Severities and durations per alert, and alerts switched off, without editing the rules file. */
    @Test
    void alertsCanBeRetunedOrSwitchedOffPerAlert() throws Exception {
        JsonNode rules = kind(
                        objects(new Helm(withHooks())
                                .template()
                                .withName("vantage")
                                .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                                .set("prometheusRule.overrides.VantageAgentSilent.for", "5m")
                                .set("prometheusRule.overrides.VantageAgentSilent.severity", "page")
                                .set("prometheusRule.overrides.VantageApplyJobFailed.disabled", true)
                                .set("prometheusRule.runbookBaseUrl", "https://wiki.example.internal/vantage")
                                .call()),
                        "PrometheusRule")
                .get(0)
                .at("/spec/groups/0/rules");
        assertThat(rules.findValuesAsText("alert")).hasSize(17).doesNotContain("VantageApplyJobFailed");
        JsonNode silent = null;
        for (JsonNode rule : rules) {
            if (rule.path("alert").asText().equals("VantageAgentSilent")) {
                silent = rule;
            }
        }
        assertThat(silent).isNotNull();
        assertThat(silent.path("for").asText()).isEqualTo("5m");
        assertThat(silent.at("/labels/severity").asText()).isEqualTo("page");
        assertThat(silent.at("/annotations/runbook").asText()).isNotBlank();
        assertThat(silent.at("/annotations/runbook_url").asText())
                .isEqualTo("https://wiki.example.internal/vantage#vantageagentsilent");
    }

    @Test
    void aDefaultInstallMountsOnlyWhatExists() throws Exception {
        // No tokens and no existing Secret (a standalone agent): no Secret volume that would keep the pod from
        // starting.
        for (List<JsonNode> objects : List.of(
                objects(new Helm(withHooks()).template().withName("vantage").call()),
                objects(new Helm(withHooks())
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
        List<JsonNode> objects = objects(new Helm(withHooks())
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
        String agentConfig = config(objects, "agent.yaml");
        assertThat(Documents.readYaml(agentConfig, AgentConfig.class).agent().aggregators())
                .extracting(a -> a.url().toString())
                .containsExactly(
                        "http://vantage-aggregator-0.vantage-aggregator-headless.default.svc:8080",
                        "http://vantage-aggregator-1.vantage-aggregator-headless.default.svc:8080");
        // One replica (the default is two): no PodDisruptionBudget that would block every node drain.
        assertThat(kind(
                        objects(new Helm(withHooks())
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
                        objects(new Helm(withHooks())
                                .template()
                                .withName("vantage")
                                .withValuesFile(CHART.resolve("ci/agent-values.yaml"))
                                .call()),
                        "Deployment")
                .get(0)
                .at("/spec/template/metadata/annotations/checksum~1secret")
                .asText();
        String after = kind(
                        objects(new Helm(withHooks())
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
                objects(new Helm(withHooks()).template().withName("vantage").call());
        assertThat(kind(defaults, "PodMonitor")).isEmpty();
        assertThat(kind(defaults, "NetworkPolicy")).isEmpty();

        List<JsonNode> existing = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                .call());
        assertThat(kind(existing, "Secret")).isEmpty();
        assertThat(workloads(existing))
                .hasSize(2)
                .allSatisfy(d -> assertThat(d.at("/spec/template/spec/volumes").findValuesAsText("name"))
                        .contains("vantage-tokens"));
    }

    @Test
    void theConfigChecksumFollowsTheConfig() throws Exception {
        String before = checksum(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/agent-daemonset-values.yaml"))
                .call());
        String after = checksum(new Helm(withHooks())
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
        List<JsonNode> objects = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                .set("secret.tokens.token-agent-us-east-1-previous", "ci-token-us-east-1-previous-0123")
                .call());
        String config = config(objects, "aggregator.yaml");
        assertThat(Documents.readYaml(config, AggregatorConfig.class).agents())
                .extracting(a -> a.id() + "=" + a.previousTokenFile())
                .containsExactly(
                        "agent-us-east-1=/etc/vantage/tokens/token-agent-us-east-1-previous", "agent-eu-west-1=null");
    }

    /**
     * With readToken.enabled both processes require the Secret's read-token for /, /v1/status and /metrics, and the
     * PodMonitors send it; without it the aggregator shows anonymous readers the summary.
     */
    @Test
    void aReadTokenGuardsBothProcessesAndPrometheusSendsIt() throws Exception {
        List<JsonNode> guarded = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                .set("readToken.enabled", "true")
                .set("secret.tokens.read-token", "ci-read-token-of-prometheus-0123")
                .set("serviceMonitor.enabled", "true")
                .call());
        assertThat(Documents.readYaml(config(guarded, "aggregator.yaml"), AggregatorConfig.class)
                        .server()
                        .readToken()
                        .tokenFile())
                .isEqualTo("/etc/vantage/tokens/read-token");
        List<JsonNode> agent = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/agent-values.yaml"))
                .set("readToken.enabled", "true")
                .set("secret.tokens.read-token", "ci-read-token-of-prometheus-0123")
                .call());
        assertThat(Documents.readYaml(config(agent, "agent.yaml"), AgentConfig.class)
                        .server()
                        .readToken()
                        .tokenFile())
                .isEqualTo("/etc/vantage/tokens/read-token");
        assertThat(kind(guarded, "PodMonitor")).isNotEmpty().allSatisfy(monitor -> {
            JsonNode authorization = monitor.at("/spec/podMetricsEndpoints/0/authorization");
            assertThat(authorization.path("type").asText()).isEqualTo("Bearer");
            assertThat(authorization.at("/credentials/key").asText()).isEqualTo("read-token");
        });

        List<JsonNode> open = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                .call());
        AggregatorConfig config = Documents.readYaml(config(open, "aggregator.yaml"), AggregatorConfig.class);
        assertThat(config.server().readToken()).isNull();
        assertThat(config.server().anonymousFull()).isFalse();

        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                        .set("readToken.enabled", "true")
                        .call())
                .hasMessageContaining("readToken.enabled needs the token");
    }

    private static List<JsonNode> agentPdbs(List<JsonNode> objects) {
        return kind(objects, "PodDisruptionBudget").stream()
                .filter(p -> p.at("/metadata/name").asText().equals("vantage-agent"))
                .toList();
    }

    /**
     * Replicas of the agent are members of one vantage point: one id and one token (the Secret's agent-token) for all,
     * each pod its own instance by its name, evicted one at a time, spread over nodes and zones.
     */
    @Test
    void agentReplicasAreMembersOfOneVantagePointWithADisruptionBudget() throws Exception {
        List<JsonNode> objects = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/agent-values.yaml"))
                .set("agent.replicas", 2)
                .call());
        JsonNode deployment = kind(objects, "Deployment").get(0);
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode env = deployment.at("/spec/template/spec/containers/0/env");
        JsonNode instance = null;
        for (JsonNode variable : env) {
            if (variable.path("name").asText().equals("VANTAGE_INSTANCE")) {
                instance = variable;
            }
        }
        assertThat(instance).as("VANTAGE_INSTANCE in %s", env).isNotNull();
        assertThat(instance.has("value")).as("not one value for every pod").isFalse();
        assertThat(instance.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");
        assertThat(env.findValuesAsText("name")).containsOnlyOnce("VANTAGE_AGENT_ID");
        assertThat(env.toString()).contains("{\"name\":\"VANTAGE_AGENT_ID\",\"value\":\"agent-eu-west-1\"}");
        assertThat(deployment.at("/spec/template/spec/volumes").findValuesAsText("key"))
                .as("one token for the vantage point, the same for every pod")
                .containsExactly("agent-token");
        assertThat(agentPdbs(objects)).singleElement().satisfies(pdb -> {
            assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
            assertThat(pdb.at("/spec/minAvailable").isMissingNode()).isTrue();
            JsonNode labels = deployment.at("/spec/template/metadata/labels");
            assertThat(pdb.at("/spec/selector/matchLabels")).isNotEmpty();
            pdb.at("/spec/selector/matchLabels")
                    .fields()
                    .forEachRemaining(
                            label -> assertThat(labels.path(label.getKey()).asText())
                                    .as("the budget selects the agent's pods: %s", label.getKey())
                                    .isEqualTo(label.getValue().asText()));
        });
        assertThat(deployment
                        .at("/spec/template/spec/topologySpreadConstraints")
                        .findValuesAsText("topologyKey"))
                .containsExactly("kubernetes.io/hostname", "topology.kubernetes.io/zone");

        assertThat(agentPdbs(objects(new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/agent-values.yaml"))
                        .set("agent.replicas", 2)
                        .set("agent.podDisruptionBudget.enabled", false)
                        .call())))
                .as("switched off")
                .isEmpty();
    }

    @Test
    void aSingleAgentHasNoDisruptionBudgetAndADaemonSetHasOne() throws Exception {
        List<JsonNode> single = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/agent-values.yaml"))
                .call());
        assertThat(kind(single, "Deployment").get(0).at("/spec/replicas").asInt())
                .isEqualTo(1);
        assertThat(kind(single, "PodDisruptionBudget"))
                .as("one pod: a budget would only block drains")
                .isEmpty();
        assertThat(kind(single, "Deployment")
                        .get(0)
                        .at("/spec/template/spec/containers/0/env")
                        .toString())
                .contains("\"fieldPath\":\"metadata.name\"");

        List<JsonNode> daemonSet = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(CHART.resolve("ci/agent-daemonset-values.yaml"))
                .call());
        JsonNode pods = kind(daemonSet, "DaemonSet").get(0).at("/spec/template");
        assertThat(pods.at("/spec/containers/0/env").toString()).contains("\"fieldPath\":\"metadata.name\"");
        assertThat(pods.at("/spec/topologySpreadConstraints").isMissingNode())
                .as("one pod per node already")
                .isTrue();
        assertThat(agentPdbs(daemonSet))
                .singleElement()
                .satisfies(pdb ->
                        assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1));
    }

    /**
     * The aggregator's agent entries carry members, perVantage and expectedMembers when set; the entry of the release's
     * own agent Deployment expects its replicas, and one that allows fewer members than it runs is refused.
     */
    @Test
    void agentEntriesCarryMembersAndExpectTheReleasesOwnReplicas() throws Exception {
        String config = config(
                objects(new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                        .set("agent.replicas", 3)
                        .set("aggregator.agents[1].id", "agent-eu-west-1")
                        .set("aggregator.agents[1].region", "eu-west-1")
                        .set("aggregator.agents[1].members", 4)
                        .set("aggregator.agents[1].perVantage", 3)
                        .set("aggregator.agents[1].expectedMembers", 2)
                        .call()),
                "aggregator.yaml");
        JsonNode agents = new YAMLMapper().readTree(config).get("agents");
        assertThat(agents.get(0).toString())
                .as("this release's agent-us-east-1: its 3 replicas expected, the aggregator's defaults otherwise")
                .isEqualTo("{\"id\":\"agent-us-east-1\",\"region\":\"us-east-1\","
                        + "\"tokenFile\":\"/etc/vantage/tokens/token-agent-us-east-1\",\"expectedMembers\":3}");
        assertThat(agents.get(1).path("members").asInt()).isEqualTo(4);
        assertThat(agents.get(1).path("perVantage").asInt()).isEqualTo(3);
        assertThat(agents.get(1).path("expectedMembers").asInt()).isEqualTo(2);
        assertThat(Documents.readYaml(config, AggregatorConfig.class).agents()).hasSize(2);

        JsonNode daemonSetEntry = new YAMLMapper()
                .readTree(config(
                        objects(new Helm(withHooks())
                                .template()
                                .withName("vantage")
                                .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                                .set("agent.kind", "DaemonSet")
                                .call()),
                        "aggregator.yaml"))
                .at("/agents/0");
        assertThat(daemonSetEntry.has("expectedMembers"))
                .as("a DaemonSet's pods are its nodes: not known to the chart")
                .isFalse();

        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                        .set("agent.replicas", 2)
                        .set("aggregator.agents[0].members", 1)
                        .call())
                .hasMessageContaining("agent-us-east-1 allows 1 members, but agent.replicas runs 2 pods of it");
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                        .set("aggregator.agents[0].members", 65)
                        .call())
                .hasMessageContaining("/aggregator/agents/0/members");
    }

    /**
     * probe.enabled: a prometheus-operator Probe whose prober is the agent's Service at {@code /probe}, with the module and
     * targets of the values (docs/blackbox-conformance.md), and the agent's {@code probe:} block with those modules,
     * admitting the targets' hosts; off by default.
     */
    @Test
    void probeEnabledMakesAProbeOfTheAgentsServiceAndTurnsOnTheAgentsProbeEndpoint() throws Exception {
        assertThat(kind(
                        objects(new Helm(withHooks())
                                .template()
                                .withName("vantage")
                                .call()),
                        "Probe"))
                .isEmpty();
        List<JsonNode> objects = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withNamespace("monitoring")
                .set("probe.enabled", true)
                .set("probe.targets[0]", "https://www.example.com/healthz")
                .set("probe.targets[1]", "10.0.0.5:8080")
                .set("probe.interval", "15s")
                .set("probe.labels.release", "kube-prometheus")
                .call());
        JsonNode service = kind(objects, "Service").stream()
                .filter(s -> s.at("/metadata/labels/app.kubernetes.io~1component")
                        .asText()
                        .equals("agent"))
                .findFirst()
                .orElseThrow();
        JsonNode probe = kind(objects, "Probe").get(0);
        assertThat(kind(objects, "Probe")).hasSize(1);
        assertThat(probe.at("/apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(probe.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus");
        assertThat(probe.at("/spec/prober/url").asText())
                .isEqualTo(service.at("/metadata/name").asText() + ".monitoring.svc:"
                        + service.at("/spec/ports/0/port").asInt());
        assertThat(probe.at("/spec/prober/path").asText()).isEqualTo("/probe");
        assertThat(probe.at("/spec/prober/scheme").asText()).isEqualTo("http");
        assertThat(probe.at("/spec/module").asText()).isEqualTo("http_2xx");
        assertThat(probe.at("/spec/interval").asText()).isEqualTo("15s");
        assertThat(probe.at("/spec/scrapeTimeout").asText()).isEqualTo("10s");
        assertThat(probe.at("/spec/targets/staticConfig/static"))
                .extracting(JsonNode::asText)
                .containsExactly("https://www.example.com/healthz", "10.0.0.5:8080");
        assertThat(probe.at("/spec").has("authorization")).isFalse();

        JsonNode agentProbe =
                new YAMLMapper().readTree(config(objects, "agent.yaml")).at("/probe");
        assertThat(agentProbe.at("/modules/http_2xx").has("http")).isTrue();
        assertThat(agentProbe.at("/allow/targets"))
                .extracting(JsonNode::asText)
                .containsExactly("www.example.com", "10.0.0.5");
        assertThat(agentProbe.at("/allow").has("anyTarget")).isFalse();

        // With the read token on, Prometheus sends it to the agent as it does for /metrics.
        JsonNode guarded = kind(
                        objects(new Helm(withHooks())
                                .template()
                                .withName("vantage")
                                .set("readToken.enabled", true)
                                .set("secret.tokens.read-token", "ci-read-token-0123456789")
                                .set("probe.enabled", true)
                                .set("probe.targets[0]", "https://www.example.com/healthz")
                                .set("probe.allow.anyTarget", true)
                                .call()),
                        "Probe")
                .get(0);
        assertThat(guarded.at("/spec/authorization/type").asText()).isEqualTo("Bearer");
        assertThat(guarded.at("/spec/authorization/credentials/key").asText()).isEqualTo("read-token");

        // An agent that only answers /probe needs neither targets nor aggregators.
        Path noTargets = Files.writeString(Files.createTempFile("no-targets", ".yaml"), "agent: {targets: []}\n");
        List<JsonNode> probeOnly = objects(new Helm(withHooks())
                .template()
                .withName("vantage")
                .withValuesFile(noTargets)
                .set("probe.enabled", true)
                .set("probe.targets[0]", "https://www.example.com/healthz")
                .call());
        assertThat(kind(probeOnly, "Probe")).hasSize(1);
        assertThat(
                        notes(
                                Files.writeString(
                                        Files.createTempFile("probe-only", ".yaml"),
                                        "agent: {targets: []}\nprobe: {enabled: true, targets: ['https://www.example.com/healthz']}\n")))
                .contains("no targets of its own: it only answers /probe")
                .contains("asked by the Probe vantage for 1 target(s) with module http_2xx");
        assertThat(new YAMLMapper().readTree(config(probeOnly, "agent.yaml")).at("/targets"))
                .isEmpty();
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(noTargets)
                        .call())
                .hasMessageContaining("or probe.enabled (only /probe)");
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .set("probe.enabled", true)
                        .call())
                .hasMessageContaining("probe.targets is empty");
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .set("probe.enabled", true)
                        .set("probe.targets[0]", "https://www.example.com/")
                        .set("probe.module", "icmp")
                        .call())
                .hasMessageContaining("probe.module \"icmp\" is not one of probe.modules (http_2xx)");
    }

    @Test
    void valuesThatViolateTheSchemaOrTheChartsRulesAreRefused() {
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .set("agent.kind", "StatefulSet")
                        .call())
                .hasMessageContaining("/agent/kind")
                .hasMessageContaining("'Deployment', 'DaemonSet'");
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .set("aggregator.alarm.statistic", "p99")
                        .call())
                .hasMessageContaining("/aggregator/alarm/statistic");
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .set("agent.replicas", 0)
                        .call())
                .hasMessageContaining("/agent/replicas");
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .set("agent.region", "")
                        .call())
                .hasMessageContaining("agent.region is required");
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .set("aggregator.enabled", true)
                        .call())
                .hasMessageContaining("aggregator.agents is empty");
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/existing-secret-values.yaml"))
                        .set("aggregator.route53.reconcileEvery", "5m")
                        .call())
                .hasMessageContaining("every replica would change AWS at once");
        // Two deployments in one account must not take each other's resources for their own.
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                        .set("aggregator.deployment", "")
                        .call())
                .hasMessageContaining("aggregator.deployment is required with aggregator.cloudwatch.mode aws");
        assertThatThrownBy(() -> new Helm(withHooks())
                        .template()
                        .withName("vantage")
                        .withValuesFile(CHART.resolve("ci/aggregator-values.yaml"))
                        .set("aggregator.deployment", "prod/eu")
                        .call())
                .hasMessageContaining("/aggregator/deployment");
    }
}
