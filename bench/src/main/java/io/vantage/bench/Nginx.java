package io.vantage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The endpoint every prober of the benchmarks probes: nginx on 127.0.0.1, answering {@code 200 ok} on {@link #PORT}
 * (HTTP) and on {@link #TLS_PORT} (HTTPS with the {@link Pki}'s certificate, session cache and tickets off, so every
 * probe is a full handshake), with no keep-alive.
 */
final class Nginx {
    static final int PORT = 18081;
    static final int TLS_PORT = 18443;

    private final Path prefix;

    private Nginx(Path prefix) {
        this.prefix = prefix;
    }

    /** Starts nginx in {@code WORK/nginx} and waits until it answers. */
    static Nginx start(Processes processes) throws IOException, InterruptedException {
        Path prefix = Files.createDirectories(processes.work().resolve("nginx"));
        Pki.make(prefix);
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(prefix.resolve("nginx.conf"), """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 8192; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  keepalive_timeout 0;
                  server {
                    listen 127.0.0.1:%2$d;
                    location / { return 200 "ok\\n"; }
                  }
                  server {
                    listen 127.0.0.1:%3$d ssl;
                    ssl_certificate %1$s/server.pem;
                    ssl_certificate_key %1$s/server.key;
                    ssl_session_cache off;
                    ssl_session_tickets off;
                    location / { return 200 "ok\\n"; }
                  }
                }
                """.formatted(prefix.toAbsolutePath(), PORT, TLS_PORT));
        processes.start(
                List.of(
                        "nginx",
                        "-p",
                        prefix.toAbsolutePath().toString(),
                        "-c",
                        prefix.resolve("nginx.conf").toAbsolutePath().toString()),
                "nginx");
        processes.waitFor("http://127.0.0.1:" + PORT + "/");
        System.out.println(
                "nginx serving on 127.0.0.1:" + PORT + " (HTTP) and :" + TLS_PORT + " (HTTPS, full handshakes)");
        return new Nginx(prefix);
    }

    /** The CA that signed nginx's certificate. */
    Path caFile() {
        return prefix.resolve("ca.pem").toAbsolutePath();
    }

    /** Path {@code /pINDEX}, one per target, over HTTPS or HTTP. */
    static String url(boolean https, int index) {
        return (https ? "https://127.0.0.1:" + TLS_PORT : "http://127.0.0.1:" + PORT) + "/p" + index;
    }
}
