package io.vantage.bench;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The processes a benchmark starts (nginx, probers, a CPU hog), each logging to {@code NAME.log} in the work directory,
 * so that they are all taken down at the end however the benchmark ends.
 */
final class Processes {
    private final Path work;
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    Processes(Path work) {
        this.work = work;
    }

    Path work() {
        return work;
    }

    /** Fails unless every port is free on 127.0.0.1: another server there would be measured in the benchmark's place. */
    static void requireFree(List<Integer> ports) throws IOException {
        List<String> all = ports.stream().map(String::valueOf).toList();
        String needed = String.join(", ", all.subList(0, all.size() - 1)) + " and " + all.get(all.size() - 1);
        for (int port : ports) {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                probe.setReuseAddress(true);
            } catch (BindException e) {
                throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use (another benchmark or nginx "
                        + "still running?); the benchmark needs " + needed + " free");
            }
        }
    }

    /**
     * The agent as it ships: its launcher ({@code target/vantage-agent}, written by the build with its AOT cache), with
     * perf data on when {@code perfData} (the launcher turns it off), so that {@link JitWarmup} can read the compiler's
     * counters.
     */
    Process startLauncher(Path launcher, Path config, String name, boolean perfData) throws IOException {
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(
                    launcher + " is missing: build the agent first (./mvnw -B -q -DskipTests package)");
        }
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        if (perfData) {
            builder.environment().merge("JAVA_OPTS", "-XX:+UsePerfData", (given, more) -> given + " " + more);
        }
        return started(builder.start());
    }

    Process start(List<String> command, String name) throws IOException {
        return started(new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile())
                .start());
    }

    /** Takes down {@code process} with the others, for one whose output the caller reads itself. */
    Process started(Process process) {
        started.add(process);
        return process;
    }

    void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    void stopAll() throws InterruptedException {
        for (Process process : started) {
            if (process.isAlive()) {
                stop(process);
            }
        }
    }

    /** Kills every process at once: for a shutdown hook (Ctrl-C, kill), which must not wait. */
    void killAll() {
        started.forEach(Process::destroyForcibly);
    }

    /** Polls until {@code url} answers 200: another process's start-up has no event to wait on. */
    void waitFor(String url) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " did not answer 200 within 60 s; see the logs in " + work);
    }
}
