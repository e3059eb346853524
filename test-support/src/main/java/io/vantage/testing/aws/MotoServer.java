package io.vantage.testing.aws;

import io.vantage.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code moto_server} (Python package {@code moto[server]}) on a free loopback port, started and
 * stopped by the test. Without it the test fails, saying how to install it: AWS behaviour is never faked here.
 */
public final class MotoServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private MotoServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static MotoServer start() throws IOException, InterruptedException {
        int port = Ports.free();
        Path log = Files.createTempFile("moto", ".log");
        Process process;
        try {
            process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "moto_server is required for the AWS tests and was not found on PATH: "
                            + "pip install \"moto[server]\" (./test.sh checks for it)",
                    e);
        }
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("moto_server exited at start; its log: " + Files.readString(log));
            }
            try {
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/moto-api/"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                return new MotoServer(process, port);
            } catch (IOException notYet) {
                Thread.sleep(100); // polling another process's start-up
            }
        }
        process.destroyForcibly();
        throw new AssertionError("moto_server did not answer within 30 s; its log: " + Files.readString(log));
    }

    public int port() {
        return port;
    }

    /** Forgets every resource, between tests. */
    public void reset() throws IOException, InterruptedException {
        HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/moto-api/reset"))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
