package io.vantage.systemtest;

import static io.vantage.systemtest.HelmChartTest.objects;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every object the chart renders, for every documented values file, read into the typed Kubernetes model of its kind
 * (fabric8): a field the API server does not know (a misspelling, a wrong nesting) is found, not silently dropped.
 */
class TypedManifestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("ConfigMap", ConfigMap.class),
            Map.entry("Secret", Secret.class),
            Map.entry("Service", Service.class),
            Map.entry("ServiceAccount", ServiceAccount.class),
            Map.entry("Pod", Pod.class),
            Map.entry("Deployment", Deployment.class),
            Map.entry("DaemonSet", DaemonSet.class),
            Map.entry("StatefulSet", StatefulSet.class),
            Map.entry("Job", Job.class),
            Map.entry("NetworkPolicy", NetworkPolicy.class),
            Map.entry("Ingress", Ingress.class),
            Map.entry("PodDisruptionBudget", PodDisruptionBudget.class));
    /** Custom resources of the Prometheus Operator: no typed model here, checked by their own tests. */
    private static final List<String> CUSTOM = List.of("PodMonitor", "Probe", "PrometheusRule");

    static Stream<String> valuesFiles() throws Exception {
        List<String> files = new ArrayList<>();
        try (Stream<Path> ci = Files.list(HelmChartTest.CHART.resolve("ci"))) {
            ci.filter(p -> p.toString().endsWith("-values.yaml")).sorted().forEach(p -> files.add(p.toString()));
        }
        Path regions = Repository.root().resolve("deploy/three-regions");
        files.add(regions.resolve("common-targets.yaml") + "," + regions.resolve("us-east-1.yaml"));
        files.add(regions.resolve("common-targets.yaml") + "," + regions.resolve("eu-west-1.yaml"));
        files.add(regions.resolve("ap-southeast-2.yaml").toString());
        files.add("defaults");
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void everyRenderedObjectIsAValidKubernetesObject(String valuesFiles) throws Exception {
        var template = new Helm(HelmChartTest.withHooks())
                .template()
                .withName("vantage")
                .withNamespace("vantage");
        for (String file : valuesFiles.equals("defaults") ? new String[0] : valuesFiles.split(",")) {
            template = template.withValuesFile(Path.of(file));
        }
        List<JsonNode> rendered = objects(template.call());
        assertThat(rendered).isNotEmpty();
        for (JsonNode object : rendered) {
            String kind = object.path("kind").asText();
            if (CUSTOM.contains(kind)) {
                continue;
            }
            Class<?> type = TYPES.get(kind);
            assertThat(type).as("a typed model for kind %s", kind).isNotNull();
            Object typed = JSON.treeToValue(object, type);
            List<String> unknown = new ArrayList<>();
            unknownFields(typed, kind + "/" + object.at("/metadata/name").asText(), unknown);
            assertThat(unknown).as("fields Kubernetes does not know").isEmpty();
        }
    }

    @Test
    void theCheckFindsAMisspeltField() throws Exception {
        JsonNode misspelt = JSON.readTree(
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"x\"},"
                        + "\"spec\":{\"replica\":3,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"imagePullPolicyy\":\"Always\"}]}}}}");
        List<String> unknown = new ArrayList<>();
        unknownFields(JSON.treeToValue(misspelt, TYPES.get("StatefulSet")), "StatefulSet/x", unknown);
        assertThat(unknown)
                .containsExactlyInAnyOrder(
                        "StatefulSet/x.Spec.replica",
                        "StatefulSet/x.Spec.Template.Spec.Containers[0].imagePullPolicyy");
    }

    /** Collects the path of every field the model kept as an "additional property" (one it does not define). */
    private static void unknownFields(Object value, String path, List<String> unknown) throws Exception {
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.")) {
            if (value instanceof Collection<?> items) {
                int i = 0;
                for (Object item : items) {
                    unknownFields(item, path + "[" + i++ + "]", unknown);
                }
            } else if (value instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    unknownFields(entry.getValue(), path + "." + entry.getKey(), unknown);
                }
            }
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object field = getter.invoke(value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(key -> unknown.add(path + "." + key));
                }
                continue;
            }
            unknownFields(field, path + "." + getter.getName().substring(3), unknown);
        }
    }
}
