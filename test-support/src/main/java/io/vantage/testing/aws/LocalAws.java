package io.vantage.testing.aws;

import io.vertx.core.Vertx;

/**
 * AWS for a test: a real moto_server with vantage's protocol bridge in front of it, listening on
 * {@code host}; the SDK's default credential chain is given moto's dummy credentials. Every AWS test
 * starts its AWS this one way.
 */
public final class LocalAws implements AutoCloseable {
    private final MotoServer moto;
    private final Vertx vertx;
    private final LocalAwsBridge bridge;
    private final String host;

    private LocalAws(MotoServer moto, Vertx vertx, LocalAwsBridge bridge, String host) {
        this.moto = moto;
        this.vertx = vertx;
        this.bridge = bridge;
        this.host = host;
    }

    public static LocalAws start(String host) throws Exception {
        // moto accepts any credentials; the SDK's default chain reads these system properties.
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
        MotoServer moto = MotoServer.start();
        Vertx vertx = Vertx.vertx();
        LocalAwsBridge bridge =
                LocalAwsBridge.start(vertx, host, 0, "127.0.0.1", moto.port()).await();
        return new LocalAws(moto, vertx, bridge, host);
    }

    public static LocalAws start() throws Exception {
        return start("127.0.0.1");
    }

    /** The endpoint the SDK clients (config key {@code endpoint}) point at. */
    public String endpoint() {
        return "http://" + host + ":" + bridge.port();
    }

    public LocalAwsBridge bridge() {
        return bridge;
    }

    /** Forgets every AWS resource and every recorded request or injected fault, between tests. */
    public void reset() throws Exception {
        moto.reset();
        bridge.clear();
    }

    @Override
    public void close() throws Exception {
        bridge.close();
        vertx.close().await();
        moto.close();
    }
}
