package io.vantage.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal authoritative DNS server on 127.0.0.1 for tests, so that no test query ever leaves the machine. It answers
 * A, AAAA and TXT questions for the names it was given (NOERROR with no records for other types of a known name), a
 * CNAME alone for every question about an alias (as a server authoritative for the alias only would: the client
 * follows it), NXDOMAIN for every other name, a chosen response code (SERVFAIL, REFUSED) for names told to fail, and
 * nothing at all for names told to stay silent. Answers can change while it runs. It listens on UDP and TCP on one
 * port: over UDP an answer longer than 512 bytes (RFC 1035; the test server offers no EDNS) is cut to the records that
 * fit and flagged truncated (TC), as a real server does, and only TCP carries it whole.
 */
public final class TestDnsServer implements AutoCloseable {
    private static final int A = 1;
    private static final int CNAME = 5;
    private static final int TXT = 16;
    private static final int AAAA = 28;
    /** The largest DNS message over UDP without EDNS. */
    static final int UDP_LIMIT = 512;

    private final DatagramSocket socket;
    private NetServer tcp;
    private final Map<String, List<byte[]>> addresses = new ConcurrentHashMap<>();
    private final Map<String, List<String>> texts = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final Map<String, Integer> rcodes = new ConcurrentHashMap<>();
    private final Map<String, Integer> ttls = new ConcurrentHashMap<>();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queries = new AtomicInteger();
    private final AtomicInteger tcpQueries = new AtomicInteger();

    private TestDnsServer(DatagramSocket socket) {
        this.socket = socket;
    }

    public static TestDnsServer start(Vertx vertx) {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(vertx);
            } catch (Exception portTakenForTcp) { // a BindException, which Future.await() throws unchecked
                if (attempt == 5) {
                    throw portTakenForTcp;
                }
            }
        }
    }

    /** UDP on a free port, then TCP on the same one (which may be taken: the caller tries again). */
    private static TestDnsServer startOnce(Vertx vertx) {
        DatagramSocket socket = vertx.createDatagramSocket();
        TestDnsServer server = new TestDnsServer(socket);
        socket.handler(packet -> {
            Buffer reply = server.answer(packet.data(), UDP_LIMIT);
            if (reply != null) {
                socket.send(reply, packet.sender().port(), packet.sender().host());
            }
        });
        socket.listen(0, "127.0.0.1").await();
        server.tcp = vertx.createNetServer().connectHandler(connection -> {
            RecordParser frames = RecordParser.newFixed(2);
            boolean[] header = {true};
            frames.handler(frame -> {
                if (header[0]) {
                    frames.fixedSizeMode(
                            frame.getUnsignedShort(0)); // RFC 1035 4.2.2: a two-byte length, then the message
                } else {
                    Buffer reply = server.answer(frame, 65_535);
                    if (reply != null) {
                        connection.write(Buffer.buffer()
                                .appendUnsignedShort(reply.length())
                                .appendBuffer(reply));
                    }
                    frames.fixedSizeMode(2);
                }
                header[0] = !header[0];
            });
            connection.handler(frames);
        });
        try {
            server.tcp.listen(server.port(), "127.0.0.1").await();
        } catch (Exception taken) { // a BindException, which Future.await() throws unchecked
            socket.close().await();
            throw taken;
        }
        return server;
    }

    /** One more A (IPv4) or AAAA (IPv6) record for {@code name}. */
    public TestDnsServer add(String name, String address) {
        addresses.computeIfAbsent(key(name), k -> new CopyOnWriteArrayList<>()).add(address(address));
        return this;
    }

    /**
     * {@code name}'s A and AAAA records from now on: exactly these addresses, IPv4 or IPv6 (none: the name exists with
     * no address). A name that was an alias stops being one.
     */
    public TestDnsServer set(String name, String... addresses) {
        List<byte[]> records = new CopyOnWriteArrayList<>();
        for (String address : addresses) {
            records.add(address(address));
        }
        aliases.remove(key(name));
        this.addresses.put(key(name), records);
        return this;
    }

    /** {@code name} is an alias (CNAME) of {@code target} from now on. */
    public TestDnsServer cname(String name, String target) {
        addresses.remove(key(name));
        aliases.put(key(name), key(target));
        return this;
    }

    /** The TTL, in seconds, of {@code name}'s records from now on (0 until set). */
    public TestDnsServer ttl(String name, int seconds) {
        ttls.put(key(name), seconds);
        return this;
    }

    /** {@code name}'s TXT records from now on, one per value (a value over 255 bytes is sent as several strings). */
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

    /** How many of {@link #queries()} came over TCP. */
    public int tcpQueries() {
        return tcpQueries.get();
    }

    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** The 4 or 16 bytes of an address literal (parsed, never looked up). */
    private static byte[] address(String literal) {
        try {
            if (literal.indexOf(':') < 0 && !literal.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                throw new IllegalArgumentException("not an address literal: " + literal);
            }
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + literal, e);
        }
    }

    private static byte[] encodedName(String name) {
        Buffer encoded = Buffer.buffer();
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            encoded.appendUnsignedByte((short) bytes.length).appendBytes(bytes);
        }
        return encoded.appendUnsignedByte((short) 0).getBytes();
    }

    /** The reply to {@code query}, at most {@code limit} bytes (fewer records and the TC flag when they do not fit). */
    private Buffer answer(Buffer query, int limit) {
        if (query.length() < 17) {
            return null;
        }
        queries.incrementAndGet();
        if (limit > UDP_LIMIT) {
            tcpQueries.incrementAndGet();
        }
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
        boolean known = addresses.containsKey(key) || texts.containsKey(key) || aliases.containsKey(key);
        int rcode = rcodes.getOrDefault(key, known ? 0 : 3); // 3: NXDOMAIN
        List<Buffer> records = new ArrayList<>();
        int ttl = ttls.getOrDefault(key, 0);
        String alias = aliases.get(key);
        if (rcode == 0 && alias != null) {
            byte[] target = encodedName(alias);
            records.add(Buffer.buffer()
                    .appendUnsignedShort(0xC00C)
                    .appendUnsignedShort(CNAME)
                    .appendUnsignedShort(1)
                    .appendInt(ttl)
                    .appendUnsignedShort(target.length)
                    .appendBytes(target));
        }
        if (rcode == 0 && alias == null && (type == A || type == AAAA)) {
            int length = type == A ? 4 : 16;
            addresses.getOrDefault(key, List.of()).stream()
                    .filter(address -> address.length == length)
                    .forEach(address -> records.add(Buffer.buffer()
                            .appendUnsignedShort(0xC00C)
                            .appendUnsignedShort(type)
                            .appendUnsignedShort(1)
                            .appendInt(ttl)
                            .appendUnsignedShort(length)
                            .appendBytes(address)));
        }
        if (rcode == 0 && type == TXT) {
            texts.getOrDefault(key, List.of()).forEach(text -> {
                // RFC 1035 3.3.14: one or more character-strings of at most 255 bytes each, as a long value is sent.
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                Buffer strings = Buffer.buffer();
                for (int from = 0; from == 0 || from < bytes.length; from += 255) {
                    int length = Math.min(255, bytes.length - from);
                    strings.appendUnsignedByte((short) length).appendBytes(bytes, from, length);
                }
                records.add(Buffer.buffer()
                        .appendUnsignedShort(0xC00C)
                        .appendUnsignedShort(TXT)
                        .appendUnsignedShort(1)
                        .appendInt(0)
                        .appendUnsignedShort(strings.length())
                        .appendBuffer(strings));
            });
        }
        int room = limit - questionEnd;
        int fit = 0;
        for (Buffer record : records) {
            if (room < record.length()) {
                break;
            }
            room -= record.length();
            fit++;
        }
        boolean truncated = fit < records.size();
        Buffer reply = Buffer.buffer();
        reply.appendShort(query.getShort(0));
        // response, RD, RA, TC when cut, and the response code
        reply.appendUnsignedShort(0x8180 | (truncated ? 0x0200 : 0) | rcode);
        reply.appendUnsignedShort(1)
                .appendUnsignedShort(fit)
                .appendUnsignedShort(0)
                .appendUnsignedShort(0);
        reply.appendBuffer(query.getBuffer(12, questionEnd));
        records.subList(0, fit).forEach(reply::appendBuffer);
        return reply;
    }

    @Override
    public void close() {
        socket.close().await();
        tcp.close().await();
    }
}
