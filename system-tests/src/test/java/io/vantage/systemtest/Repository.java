package io.vantage.systemtest;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root folder, where the chart, the compose file and the Dockerfiles are. */
final class Repository {
    private Repository() {}

    static Path root() {
        Path root = Path.of(System.getProperty("vantage.repository", ".."))
                .toAbsolutePath()
                .normalize();
        if (!Files.exists(root.resolve("docker-compose.yml"))) {
            throw new IllegalStateException("not the repository root: " + root);
        }
        return root;
    }
}
