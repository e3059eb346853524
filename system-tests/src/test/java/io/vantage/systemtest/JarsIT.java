package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** What each runnable jar carries: a production jar holds its own process and nothing of the other's or of the tools. */
class JarsIT {
    private static List<String> entries(String module) throws Exception {
        Path jar = Repository.root().resolve(module + "/target/vantage-" + module + ".jar");
        assertThat(jar)
                .as("the %s jar (built by its module's package phase)", module)
                .exists();
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void theAggregatorJarHasNoAgentAndNoDevelopmentTools() throws Exception {
        List<String> aggregator = entries("aggregator");
        assertThat(aggregator)
                .anyMatch(e -> e.startsWith("io/vantage/aggregator/"))
                .anyMatch(e -> e.startsWith("io/vantage/runtime/"))
                .noneMatch(e -> e.startsWith("io/vantage/agent/")
                        || e.startsWith("io/vantage/demo/")
                        || e.startsWith("io/vantage/testing/")
                        || e.startsWith("org/bouncycastle/"));
    }

    @Test
    void theAgentJarHasNoAggregatorAndNoAwsSdk() throws Exception {
        List<String> agent = entries("agent");
        assertThat(agent)
                .anyMatch(e -> e.startsWith("io/vantage/agent/"))
                .noneMatch(e -> e.startsWith("io/vantage/aggregator/")
                        || e.startsWith("io/vantage/demo/")
                        || e.startsWith("io/vantage/testing/")
                        || e.startsWith("software/amazon/"));
    }

    @Test
    void theDemoJarHasBothAndTheLocalAwsBridge() throws Exception {
        assertThat(entries("demo"))
                .contains(
                        "io/vantage/demo/DemoCommand.class",
                        "io/vantage/agent/Agent.class",
                        "io/vantage/aggregator/Aggregator.class",
                        "io/vantage/testing/aws/LocalAwsBridge.class");
    }
}
