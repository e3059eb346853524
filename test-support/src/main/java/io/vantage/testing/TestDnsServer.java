package io.vantage.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal authoritative DNS server on 127.0.0.1 for tests, so that no test query ever leaves the machine. It answers
 * A and TXT questions for the names it was given (NOERROR with no records for other types of a known name), NXDOMAIN
 * for every other name, a chosen response code (SERVFAIL, REFUSED) for names told to fail, and nothing at all for
 * names told to stay silent. Answers can change while it runs.
 */
public final class TestDnsServer implements AutoCloseable {
    private static final int A = 1;
    private static final int TXT = 16;
    private final DatagramSocket socket;
    private final Map<String, List<byte[]>> addresses = new ConcurrentHashMap<>();
    private final Map<String, List<String>> texts = new ConcurrentHashMap<>();
    private final Map<String, Integer> rcodes = new ConcurrentHashMap<>();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
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

    /** One more A record for {@code name}. */
    public TestDnsServer add(String name, String ipv4) {
        addresses.computeIfAbsent(key(name), k -> new CopyOnWriteArrayList<>()).add(address(ipv4));
        return this;
    }

    /** {@code name}'s A records from now on: exactly these (none: the name exists with no address). */
    public TestDnsServer set(String name, String... ipv4) {
        List<byte[]> records = new CopyOnWriteArrayList<>();
        for (String address : ipv4) {
            records.add(address(address));
        }
        addresses.put(key(name), records);
        return this;
    }

    public TestDnsServer txt(String name, String... values) {
        texts.put(key(name), List.of(values));
        return this;
    }

    /** Every question about {@code name} gets response code {@code rcode} (2 SERVFAIL, 5 REFUSED); 0 undoes it. */
    public TestDnsServer rcode(String name, int rcode) {
        if (rcode == 0) {
            rcodes.remove(key(name));
        } else {
            rcodes.put(key(name), rcode);
        }
        return this;
    }

    /** Questions about {@code name} get no answer at all (a server that is down or filtered), or answers again. */
    public TestDnsServer silent(String name, boolean quiet) {
        if (quiet) {
            silent.add(key(name));
        } else {
            silent.remove(key(name));
        }
        return this;
    }

    public int port() {
        return socket.localAddress().port();
    }

    public int queries() {
        return queries.get();
    }

    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static byte[] address(String ipv4) {
        String[] parts = ipv4.split("\\.");
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            address[i] = (byte) Integer.parseInt(parts[i]);
        }
        return address;
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
        String key = key(name.toString());
        if (silent.contains(key)) {
            return null;
        }
        boolean known = addresses.containsKey(key) || texts.containsKey(key);
        int rcode = rcodes.getOrDefault(key, known ? 0 : 3); // 3: NXDOMAIN
        List<Buffer> records = new java.util.ArrayList<>();
        if (rcode == 0 && type == A) {
            addresses
                    .getOrDefault(key, List.of())
                    .forEach(address -> records.add(Buffer.buffer()
                            .appendUnsignedShort(0xC00C)
                            .appendUnsignedShort(A)
                            .appendUnsignedShort(1)
                            .appendInt(0)
                            .appendUnsignedShort(4)
                            .appendBytes(address)));
        }
        if (rcode == 0 && type == TXT) {
            texts.getOrDefault(key, List.of()).forEach(text -> {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                records.add(Buffer.buffer()
                        .appendUnsignedShort(0xC00C)
                        .appendUnsignedShort(TXT)
                        .appendUnsignedShort(1)
                        .appendInt(0)
                        .appendUnsignedShort(bytes.length + 1)
                        .appendUnsignedByte((short) bytes.length)
                        .appendBytes(bytes));
            });
        }
        Buffer reply = Buffer.buffer();
        reply.appendShort(query.getShort(0));
        reply.appendUnsignedShort(0x8180 | rcode); // response, RD, RA, and the response code
        reply.appendUnsignedShort(1)
                .appendUnsignedShort(records.size())
                .appendUnsignedShort(0)
                .appendUnsignedShort(0);
        reply.appendBuffer(query.getBuffer(12, questionEnd));
        records.forEach(reply::appendBuffer);
        return reply;
    }

    @Override
    public void close() {
        socket.close().await();
    }
}
