package io.vantage.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code promtool check metrics} (Debian's prometheus package) on a scrape; fails loudly without it. */
public final class Promtool {
    private Promtool() {}

    public static void assertAccepts(String metrics, Path directory) throws IOException, InterruptedException {
        Path file = Files.writeString(Files.createTempFile(directory, "metrics", ".txt"), metrics);
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics")
                    .redirectInput(file.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "promtool is required for this test and was not found on PATH: install Debian's "
                            + "'prometheus' package (./test.sh and .ci/run do)",
                    e);
        }
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.exitValue())
                .as("promtool check metrics said:\n" + output)
                .isZero();
    }
}
