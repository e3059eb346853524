package io.vantage.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A real Vert.x HTTP(S) server on 127.0.0.1 with the answers the probe tests need: status codes, bodies,
 * JSON, redirects (also to any location: {@code /redirect-to?location=}), delays, an echo of the virtual host (Host
 * header and, over TLS, the SNI name), and which credential headers arrived ({@code /secrets}).
 */
public final class TestHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final boolean tls;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger fullHandshakes;

    private TestHttpServer(Vertx vertx, HttpServerOptions options, AtomicInteger fullHandshakes) {
        this.server = vertx.createHttpServer(options);
        this.fullHandshakes = fullHandshakes;
        this.tls = options.isSsl();
        server.connectionHandler(connection -> connections.incrementAndGet());
        server.requestHandler(request -> {
            requests.incrementAndGet();
            route(vertx, request);
        });
    }

    public static TestHttpServer plain(Vertx vertx) {
        return start(vertx, new HttpServerOptions());
    }

    /** HTTPS; with several certificates the one whose name matches the client's SNI is served. */
    public static TestHttpServer tls(Vertx vertx, TestPki.Leaf... leaves) {
        PemKeyCertOptions keys = new PemKeyCertOptions();
        for (TestPki.Leaf leaf : leaves) {
            keys.addKeyPath(leaf.keyFile().toString())
                    .addCertPath(leaf.certFile().toString());
        }
        return start(
                vertx,
                new HttpServerOptions().setSsl(true).setSni(leaves.length > 1).setKeyCertOptions(keys));
    }

    /**
     * HTTPS with one protocol version (TLSv1.2 or TLSv1.3) and the JDK server's session cache and tickets on (its
     * defaults), so that a client can resume. {@link #fullHandshakes()} counts the handshakes in which the server
     * chose its certificate: a resumed one does not.
     */
    public static TestHttpServer resumable(Vertx vertx, String protocol, TestPki.Leaf leaf) throws Exception {
        KeyManagerFactory keys = new PemKeyCertOptions()
                .addKeyPath(leaf.keyFile().toString())
                .addCertPath(leaf.certFile().toString())
                .getKeyManagerFactory(vertx);
        X509ExtendedKeyManager delegate = (X509ExtendedKeyManager) keys.getKeyManagers()[0];
        AtomicInteger counter = new AtomicInteger();
        return start(
                vertx,
                new HttpServerOptions()
                        .setSsl(true)
                        .setEnabledSecureTransportProtocols(Set.of(protocol))
                        .setKeyCertOptions(KeyCertOptions.wrap(new CountingKeys(delegate, counter))),
                counter);
    }

    private static TestHttpServer start(Vertx vertx, HttpServerOptions options) {
        return start(vertx, options, new AtomicInteger());
    }

    private static TestHttpServer start(Vertx vertx, HttpServerOptions options, AtomicInteger fullHandshakes) {
        TestHttpServer server =
                new TestHttpServer(vertx, options.setHost("127.0.0.1").setPort(0), fullHandshakes);
        server.server.listen().await();
        return server;
    }

    public int port() {
        return server.actualPort();
    }

    public String url(String path) {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port() + path;
    }

    public int requests() {
        return requests.get();
    }

    /** Full TLS handshakes so far (servers made by {@link #resumable}; 0 for the others). */
    public int fullHandshakes() {
        return fullHandshakes.get();
    }

    public int connections() {
        return connections.get();
    }

    private static void route(Vertx vertx, HttpServerRequest request) {
        String path = request.path();
        var response = request.response();
        if (path.equals("/ok")) {
            response.end("all ok");
        } else if (path.startsWith("/status/")) {
            response.setStatusCode(Integer.parseInt(path.substring(8))).end("status " + path.substring(8));
        } else if (path.equals("/json")) {
            response.putHeader("content-type", "application/json")
                    .end("{\"status\":\"UP\",\"checks\":{\"db\":true,\"replicas\":3}}");
        } else if (path.equals("/redirect")) {
            response.setStatusCode(302).putHeader("location", "/ok").end();
        } else if (path.equals("/redirect-to")) {
            response.setStatusCode(302)
                    .putHeader("location", request.getParam("location"))
                    .end();
        } else if (path.equals("/secrets")) {
            // Which credentials reached this hop, by header name (none: "secrets=none").
            List<String> seen = Stream.of("authorization", "x-api-key", "cookie")
                    .filter(name -> request.getHeader(name) != null)
                    .toList();
            response.end("secrets=" + (seen.isEmpty() ? "none" : String.join(",", seen)) + " host="
                    + request.authority().host());
        } else if (path.equals("/redirect-to-error")) {
            response.setStatusCode(302).putHeader("location", "/status/500").end();
        } else if (path.equals("/vhost")) {
            String sni = request.connection().indicatedServerName();
            response.end("host=" + request.authority().host() + " sni=" + sni);
        } else if (path.equals("/slow")) {
            long millis = Long.parseLong(request.getParam("ms", "200"));
            vertx.setTimer(millis, tick -> response.end("slow ok"));
        } else if (path.equals("/chunked")) {
            response.setChunked(true).write("part one, ");
            vertx.setTimer(20, tick -> response.end("part two"));
        } else if (path.equals("/echo")) {
            response.end(request.getParam("body", ""));
        } else if (path.equals("/big")) {
            response.end("x".repeat(1024 * 1024) + "needle");
        } else {
            response.setStatusCode(404).end("not found");
        }
    }

    /** The server's key manager, counting the handshakes that chose a certificate (full ones). */
    private static final class CountingKeys extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager delegate;
        private final AtomicInteger chosen;

        CountingKeys(X509ExtendedKeyManager delegate, AtomicInteger chosen) {
            this.delegate = delegate;
            this.chosen = chosen;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            String alias = delegate.chooseEngineServerAlias(keyType, issuers, engine);
            if (alias != null) {
                chosen.incrementAndGet();
            }
            return alias;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }

    @Override
    public void close() {
        server.close().await();
    }
}
