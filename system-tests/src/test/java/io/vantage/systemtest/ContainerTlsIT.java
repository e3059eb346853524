package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vantage.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The aggregator image serving TLS, as the three-region install runs it: the image's own HEALTHCHECK turns healthy
 * (Docker's verdict, read from the engine), and the chart's {@code helm test} command, taken from the rendered
 * manifest, passes inside the container, while the plain-HTTP check that the image and the test pod used before gets
 * no answer from a TLS server.
 */
class ContainerTlsIT {
    @BeforeAll
    static void prerequisites() {
        Fleet.requireDockerAndBaseImages();
    }

    @Test
    void healthCheckAndHelmTestSpeakTlsToATlsAggregator() throws Exception {
        Path dir = Files.createDirectories(Repository.root().resolve("system-tests/target/tls-container"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        TestPki.Leaf leaf = new TestPki(dir).issue("tls", 1, "vantage-aggregator-0.vantage-aggregator-headless");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--")); // uid 10001 reads
            }
        }
        Path config = Files.writeString(
                dir.resolve("aggregator.yaml"),
                "server: {port: 8080, tls: {certFile: /etc/vantage/tls/tls.crt, keyFile: /etc/vantage/tls/tls.key}}\n"
                        + "agents: [{id: agent-a, region: eu-west-1, tokenEnv: TOKEN_A}]\n"
                        + "cloudwatch: {mode: dry-run}\ntargets: []\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        try (GenericContainer<?> aggregator = new GenericContainer<>(Fleet.image("aggregator"))
                .withFileSystemBind(config.toString(), "/etc/vantage/aggregator.yaml", BindMode.READ_ONLY)
                .withFileSystemBind(leaf.certFile().toString(), "/etc/vantage/tls/tls.crt", BindMode.READ_ONLY)
                .withFileSystemBind(leaf.keyFile().toString(), "/etc/vantage/tls/tls.key", BindMode.READ_ONLY)
                .withEnv(Map.of(
                        "TOKEN_A", "container-tls-token-0123456789", "VANTAGE_HEALTH_CERT", "/etc/vantage/tls/tls.crt"))
                .withTmpFs(Map.of("/tmp", "rw,size=16m"))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofSeconds(120)))) {
            aggregator.start(); // waits for Docker's health status "healthy": the HEALTHCHECK spoke TLS
            var labels = DockerClientFactory.instance()
                    .client()
                    .inspectImageCmd(aggregator.getDockerImageName())
                    .exec()
                    .getConfig()
                    .getLabels();
            assertThat(labels)
                    .containsEntry("org.opencontainers.image.title", "vantage aggregator")
                    .containsEntry("org.opencontainers.image.base.name", Fleet.BASE_IMAGE)
                    .containsKey("org.opencontainers.image.version");
            assertThat(aggregator
                            .getCurrentContainerInfo()
                            .getState()
                            .getHealth()
                            .getStatus())
                    .isEqualTo("healthy");

            JsonNode testPod = HelmChartTest.helmTestPod(HelmChartTest.CHART.resolve("ci/aggregator-values.yaml"));
            List<String> command = new ArrayList<>();
            testPod.at("/spec/containers/0/command").forEach(part -> command.add(part.asText()));
            testPod.at("/spec/containers/0/args").forEach(part -> command.add(part.asText()));
            assertThat(command).contains("--pin-cert", "/etc/vantage/tls/tls.crt");
            // The rendered command, pointed at this container instead of the Service name a cluster would resolve.
            List<String> here = command.stream()
                    .map(part -> part.replace("://vantage-aggregator:", "://127.0.0.1:"))
                    .toList();
            Container.ExecResult helmTest = aggregator.execInContainer(here.toArray(String[]::new));
            assertThat(helmTest.getExitCode()).as(helmTest.getStderr()).isZero();

            Container.ExecResult plain = aggregator.execInContainer(
                    "bash",
                    "-c",
                    "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 "
                            + "| grep -q ' 200 '");
            assertThat(plain.getExitCode())
                    .as("plain HTTP to the TLS server gets no 200")
                    .isNotZero();
        }
    }
}
