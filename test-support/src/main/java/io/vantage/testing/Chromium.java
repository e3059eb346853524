package io.vantage.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Loads a page in the real headless Chromium (Debian's {@code chromium} package) as a person's browser would, and
 * gives back the DOM after its scripts ran or a screenshot; fails loudly without it. Runs as root, hence no sandbox;
 * no background networking, so that only the page's own (loopback) address is asked.
 */
public final class Chromium {
    private static final long TIMEOUT_SECONDS = 60;

    private Chromium() {}

    /** The DOM of {@code url} once loaded, as {@code --dump-dom} prints it. */
    public static String dom(String url, Path directory) throws IOException, InterruptedException {
        return new String(run(directory, List.of("--dump-dom", url)), StandardCharsets.UTF_8);
    }

    /** A PNG of {@code url} in a window of {@code width} × {@code height}, written to {@code png}. */
    public static void screenshot(String url, int width, int height, Path png, Path directory)
            throws IOException, InterruptedException {
        run(directory, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height, url));
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            throw new AssertionError("chromium wrote no screenshot to " + png);
        }
    }

    private static byte[] run(Path directory, List<String> arguments) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(directory, "chromium");
        List<String> command = new ArrayList<>(List.of(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--user-data-dir=" + profile.toAbsolutePath()));
        command.addAll(arguments);
        Path errors = directory.resolve("chromium-" + System.nanoTime() + ".log");
        Process chromium;
        try {
            chromium = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectError(errors.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "chromium is required for this test and was not found on PATH: install Debian's 'chromium' "
                            + "package (scripts/install-prerequisites.sh does)",
                    e);
        }
        chromium.getOutputStream().close();
        byte[] output = chromium.getInputStream().readAllBytes();
        if (!chromium.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            chromium.destroyForcibly();
            throw new AssertionError("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
        }
        if (chromium.exitValue() != 0) {
            throw new AssertionError(
                    "chromium exited with " + chromium.exitValue() + ": " + command + "\n" + Files.readString(errors));
        }
        return output;
    }
}
