package io.vantage.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal authoritative DNS server on 127.0.0.1 for tests: answers A queries for the names it was
 * given and NXDOMAIN for every other name, so that no test query ever leaves the machine.
 */
public final class TestDnsServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Map<String, byte[]> records = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();

    private TestDnsServer(DatagramSocket socket) {
        this.socket = socket;
    }

    public static TestDnsServer start(Vertx vertx) {
        DatagramSocket socket = vertx.createDatagramSocket();
        TestDnsServer server = new TestDnsServer(socket);
        socket.handler(packet -> {
            Buffer reply = server.answer(packet.data());
            if (reply != null) {
                socket.send(reply, packet.sender().port(), packet.sender().host());
            }
        });
        socket.listen(0, "127.0.0.1").await();
        return server;
    }

    public TestDnsServer add(String name, String ipv4) {
        String[] parts = ipv4.split("\\.");
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            address[i] = (byte) Integer.parseInt(parts[i]);
        }
        records.put(name.toLowerCase(), address);
        return this;
    }

    public int port() {
        return socket.localAddress().port();
    }

    public int queries() {
        return queries.get();
    }

    private Buffer answer(Buffer query) {
        if (query.length() < 17) {
            return null;
        }
        queries.incrementAndGet();
        StringBuilder name = new StringBuilder();
        int position = 12;
        while (query.getUnsignedByte(position) != 0) {
            int length = query.getUnsignedByte(position);
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(query.getString(position + 1, position + 1 + length));
            position += 1 + length;
        }
        int questionEnd = position + 5; // zero label, QTYPE, QCLASS
        int type = query.getUnsignedShort(position + 1);
        byte[] address = records.get(name.toString().toLowerCase());
        boolean answer = address != null && type == 1;
        Buffer reply = Buffer.buffer();
        reply.appendShort(query.getShort(0));
        reply.appendUnsignedShort(address == null ? 0x8183 : 0x8180); // response, RD, RA; NXDOMAIN when unknown
        reply.appendUnsignedShort(1)
                .appendUnsignedShort(answer ? 1 : 0)
                .appendUnsignedShort(0)
                .appendUnsignedShort(0);
        reply.appendBuffer(query.getBuffer(12, questionEnd));
        if (answer) {
            reply.appendUnsignedShort(0xC00C)
                    .appendUnsignedShort(1)
                    .appendUnsignedShort(1)
                    .appendInt(0)
                    .appendUnsignedShort(4)
                    .appendBytes(address);
        }
        return reply;
    }

    @Override
    public void close() {
        socket.close().await();
    }
}
