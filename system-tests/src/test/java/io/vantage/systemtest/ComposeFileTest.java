package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The multi-region compose file: valid for docker-compose, and wired the way the demo says. */
class ComposeFileTest {
    @Test
    void dockerComposeAcceptsIt() throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(
                            "docker-compose",
                            "-f",
                            Repository.root().resolve("docker-compose.yml").toString(),
                            "config",
                            "-q")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "docker-compose is required (Debian package docker-compose; ./test.sh installs it)", e);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
    }

    /** docker-compose's own resolution of the file (anchors and merges applied), with the defaults. */
    private static JsonNode resolved() throws Exception {
        return resolved(Map.of());
    }

    /** The same, with {@code environment} set (and no VANTAGE_ variable of the caller's). */
    private static JsonNode resolved(Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                "docker-compose",
                "-f",
                Repository.root().resolve("docker-compose.yml").toString(),
                "config");
        builder.environment().keySet().removeIf(name -> name.startsWith("VANTAGE_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new YAMLMapper().readTree(output);
    }

    @Test
    void regionsAgentsAndTheAggregatorAreWiredAsDocumented() throws Exception {
        JsonNode compose = resolved();
        JsonNode services = compose.get("services");
        for (String region : List.of("us-east-1", "eu-west-1", "ap-southeast-2")) {
            assertThat(networks(services.get("agent-" + region)))
                    .containsExactlyInAnyOrder("region-" + region, "backbone", "control");
            assertThat(networks(services.get("endpoint-" + region)))
                    .containsExactlyInAnyOrder("region-" + region, "backbone");
            assertThat(services.get("agent-" + region).get("read_only").asBoolean())
                    .isTrue();
        }
        assertThat(networks(services.get("aggregator"))).containsExactly("control");
        // Built from the repository root, each Dockerfile's prebuilt stage (the jar ./mvnw package made).
        for (String service : List.of("agent-us-east-1", "aggregator", "endpoint-us-east-1")) {
            JsonNode build = services.get(service).get("build");
            assertThat(Path.of(build.get("context").asText())).isEqualTo(Repository.root());
            assertThat(build.get("target").asText()).isEqualTo("prebuilt");
            assertThat(Files.exists(
                            Repository.root().resolve(build.get("dockerfile").asText())))
                    .isTrue();
        }
        assertThat(services.get("grafana").get("volumes").toString())
                .contains("/helm/vantage/dashboards:/var/lib/grafana/dashboards");
        // No registry here: Grafana (which cannot be built locally) only with --profile grafana.
        assertThat(services.at("/grafana/profiles").toString()).isEqualTo("[\"grafana\"]");

        // Start order by health, not by launch: agents wait for a healthy aggregator, the aggregator for healthy
        // endpoints and a healthy local AWS; every image is pinned.
        for (String region : List.of("us-east-1", "eu-west-1", "ap-southeast-2")) {
            assertThat(services.at("/agent-" + region + "/depends_on/aggregator/condition")
                            .asText())
                    .isEqualTo("service_healthy");
            assertThat(services.at("/aggregator/depends_on/endpoint-" + region + "/condition")
                            .asText())
                    .isEqualTo("service_healthy");
        }
        assertThat(services.at("/aws-bridge/depends_on/aws/condition").asText()).isEqualTo("service_healthy");
        assertThat(services.at("/aws/healthcheck/test").toString()).contains("moto-api");
        services.fields()
                .forEachRemaining(
                        service -> assertThat(service.getValue().path("image").asText())
                                .as("image of %s", service.getKey())
                                .doesNotEndWith(":latest")
                                .contains(":"));
        assertThat(Files.readString(Repository.root().resolve("demo/Dockerfile")))
                .contains("HEALTHCHECK");
        // The AWS bridge runs the Route 53 stand-in on the aggregator's own config, and the aggregator waits for it.
        assertThat(services.at("/aws-bridge/command").toString())
                .contains("\"--route53-stand-in\",\"/etc/vantage/aggregator.yaml\"");
        assertThat(services.at("/aws-bridge/volumes").toString())
                .contains("/deploy/compose/aggregator.yaml:/etc/vantage/aggregator.yaml:ro");
        assertThat(services.at("/aggregator/depends_on/aws-bridge/condition").asText())
                .isEqualTo("service_healthy");
    }

    /** By default every image is built here (scripts/build-base-images.sh and the Dockerfiles); variables pick others. */
    @Test
    void imagesAndPortsAreLocalByDefaultAndOverridable() throws Exception {
        JsonNode services = resolved().get("services");
        assertThat(services.at("/aws/image").asText()).isEqualTo("vantage/moto:local");
        assertThat(services.at("/prometheus/image").asText()).isEqualTo("vantage/prometheus:local");
        assertThat(services.at("/aggregator/build/args/BASE_IMAGE").asText()).isEqualTo("vantage/jre:17");
        assertThat(services.at("/endpoint-us-east-1/build/args/BASE_IMAGE").asText())
                .isEqualTo("vantage/jre:17");
        assertThat(services.at("/agent-us-east-1/build/args/BASE_IMAGE").asText())
                .isEqualTo("vantage/jre:25-slim");
        assertThat(services.at("/aggregator/ports").toString()).contains("127.0.0.1:8080:8080");

        JsonNode overridden = resolved(Map.of(
                        "VANTAGE_MOTO_IMAGE", "motoserver/moto:5.2.1",
                        "VANTAGE_PROMETHEUS_IMAGE", "prom/prometheus:v2.53.0",
                        "VANTAGE_BASE_IMAGE", "eclipse-temurin:21-jre",
                        "VANTAGE_STATUS_PORT", "18080"))
                .get("services");
        assertThat(overridden.at("/aws/image").asText()).isEqualTo("motoserver/moto:5.2.1");
        assertThat(overridden.at("/prometheus/image").asText()).isEqualTo("prom/prometheus:v2.53.0");
        assertThat(overridden.at("/aggregator/build/args/BASE_IMAGE").asText()).isEqualTo("eclipse-temurin:21-jre");
        assertThat(overridden.at("/aggregator/ports").toString()).contains("127.0.0.1:18080:8080");
    }

    private static List<String> networks(JsonNode service) {
        List<String> names = new ArrayList<>();
        JsonNode networks = service.get("networks");
        if (networks.isArray()) {
            networks.forEach(n -> names.add(n.asText()));
        } else {
            networks.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }
}
