package io.vantage.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on 127.0.0.1 that misbehaves on purpose, the ways real endpoints fail: it accepts and says
 * nothing, stalls in the middle of the headers or the body, resets the connection mid-response, or speaks
 * something that is not HTTP.
 */
public final class RawServer implements AutoCloseable {
    public enum Behaviour {
        /** Accepts the connection and never answers. */
        SILENT,
        /** Sends the status line and part of the headers, then nothing. */
        STALL_HEADERS,
        /** Sends complete headers announcing 1000 bytes, then 10 bytes, then nothing. */
        STALL_BODY,
        /** Sends part of a response, then aborts the connection with a TCP reset. */
        RESET_MID_RESPONSE,
        /** Answers with a banner that is not HTTP. */
        GARBAGE
    }

    private final NetServer server;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();

    private RawServer(NetServer server) {
        this.server = server;
    }

    public static RawServer start(Vertx vertx, Behaviour behaviour) {
        // SO_LINGER 0 makes close() send RST instead of FIN: a reset, as a crashing server produces.
        NetServer server = vertx.createNetServer(new NetServerOptions()
                .setHost("127.0.0.1")
                .setPort(0)
                .setSoLinger(behaviour == Behaviour.RESET_MID_RESPONSE ? 0 : -1));
        RawServer raw = new RawServer(server);
        server.connectHandler(socket -> {
            raw.mostOpen.accumulateAndGet(raw.open.incrementAndGet(), Math::max);
            socket.closeHandler(closed -> raw.open.decrementAndGet());
            socket.handler(request -> behave(behaviour, socket));
        });
        server.listen().await();
        return raw;
    }

    /** The most connections that were open at once, as this server saw them. */
    public int mostOpenAtOnce() {
        return mostOpen.get();
    }

    private static void behave(Behaviour behaviour, NetSocket socket) {
        switch (behaviour) {
            case SILENT -> {}
            case STALL_HEADERS -> socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n");
            case STALL_BODY -> socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
            case RESET_MID_RESPONSE ->
                socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial"))
                        .onComplete(written -> socket.close());
            case GARBAGE -> socket.write("SSH-2.0-OpenSSH_9.2\r\n").onComplete(written -> socket.close());
        }
    }

    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        server.close().await();
    }
}
