package io.vantage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The vantage agent as the benchmarks run it: served on 127.0.0.1:{@link #PORT}, probing {@link Nginx}. */
final class AgentUnderTest {
    static final int PORT = 19101;

    private AgentUnderTest() {}

    /**
     * An agent config in the work directory: {@code targets} HTTP(S) targets against the benchmark's nginx at {@code
     * interval} seconds, served on {@link #PORT}.
     */
    static Path config(Path work, String fileName, boolean https, int targets, int interval, Nginx nginx)
            throws IOException {
        StringBuilder config = new StringBuilder(
                "agent: {id: bench, region: local, maxInFlight: 10000}\nserver: {host: 127.0.0.1, port: " + PORT
                        + "}\ntargets:\n");
        String tls = https ? ", hostHeader: " + Pki.TLS_NAME + ", tls: {caFile: '" + nginx.caFile() + "'}" : "";
        for (int i = 0; i < targets; i++) {
            config.append("  - {name: t")
                    .append(i)
                    .append(", interval: ")
                    .append(interval)
                    .append("s, timeout: 5s, http: {url: '")
                    .append(Nginx.url(https, i))
                    .append("'")
                    .append(tls)
                    .append("}}\n");
        }
        return Files.writeString(work.resolve(fileName), config);
    }
}
