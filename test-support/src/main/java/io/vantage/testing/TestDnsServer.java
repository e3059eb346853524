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
 * A, AAAA, TXT, SOA, NS and any records added raw for the names it was given, and all of them for ANY (NOERROR with no
 * records for other types of a known name), a CNAME alone for every question about an alias (as a server
 * authoritative for the alias only would: the client follows it), NXDOMAIN for every other name, a chosen response code
 * (SERVFAIL, REFUSED, even NOERROR for an unknown name) for names told to, and nothing at all for names told to stay
 * silent. Like a real server, it puts a zone's SOA in the authority section of an answer that has no records (NXDOMAIN,
 * or no records of the type: RFC 2308), and the addresses it knows of the name servers it names in the additional
 * section. Records carry the TTL set for their name. Answers can change while it runs. It listens on UDP and TCP on one
 * port: over UDP an answer longer than 512 bytes (RFC 1035; the test server offers no EDNS) is cut to the records that
 * fit and flagged truncated (TC), as a real server does, and only TCP carries it whole.
 */
public final class TestDnsServer implements AutoCloseable {
    private static final int A = 1;
    private static final int NS = 2;
    private static final int CNAME = 5;
    private static final int SOA = 6;
    private static final int TXT = 16;
    private static final int AAAA = 28;
    private static final int ANY = 255;
    /** The largest DNS message over UDP without EDNS. */
    static final int UDP_LIMIT = 512;

    private final DatagramSocket socket;
    private NetServer tcp;
    private final Map<String, List<byte[]>> addresses = new ConcurrentHashMap<>();
    private final Map<String, List<String>> texts = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final Map<String, Integer> rcodes = new ConcurrentHashMap<>();
    private final Map<String, Integer> ttls = new ConcurrentHashMap<>();
    private final Map<String, byte[]> soas = new ConcurrentHashMap<>();
    private final Map<String, List<String>> nameServers = new ConcurrentHashMap<>();
    private final Map<String, List<Raw>> raws = new ConcurrentHashMap<>();

    /** A record of any type, its data as sent. */
    private record Raw(int type, byte[] data) {}

    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queries = new AtomicInteger();
    private final AtomicInteger tcpQueries = new AtomicInteger();
    private volatile int lastFlags;

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

    /**
     * {@code zone}'s SOA record from now on (answered for SOA and ANY questions about it, and put in the authority
     * section of every answer without records for a name in the zone), with refresh 7200, retry 3600, expire 1209600
     * and minimum 300.
     */
    public TestDnsServer soa(String zone, String mname, String rname, long serial) {
        Buffer data = Buffer.buffer()
                .appendBytes(encodedName(key(mname)))
                .appendBytes(encodedName(key(rname)))
                .appendUnsignedInt(serial)
                .appendInt(7200)
                .appendInt(3600)
                .appendInt(1209600)
                .appendUnsignedInt(300);
        soas.put(key(zone), data.getBytes());
        return this;
    }

    /** {@code zone}'s NS records from now on; an answer naming them carries their addresses known here as additional. */
    public TestDnsServer ns(String zone, String... hosts) {
        nameServers.put(key(zone), List.of(hosts));
        return this;
    }

    /** One more record of {@code type} (its number) for {@code name}, with {@code data} as its RDATA, sent as it is. */
    public TestDnsServer raw(String name, int type, byte[] data) {
        raws.computeIfAbsent(key(name), k -> new CopyOnWriteArrayList<>()).add(new Raw(type, data.clone()));
        return this;
    }

    /** The largest zone (a suffix of {@code key}, or {@code key} itself) with an SOA record here, or null. */
    private String zoneOf(String key) {
        for (String zone = key; ; zone = zone.substring(zone.indexOf('.') + 1)) {
            if (soas.containsKey(zone)) {
                return zone;
            }
            if (zone.indexOf('.') < 0) {
                return null;
            }
        }
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
        lastFlags = query.getUnsignedShort(2);
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
        boolean known = addresses.containsKey(key)
                || texts.containsKey(key)
                || aliases.containsKey(key)
                || soas.containsKey(key)
                || nameServers.containsKey(key)
                || raws.containsKey(key);
        int rcode = rcodes.getOrDefault(key, known ? 0 : 3); // 3: NXDOMAIN
        List<Buffer> answer = new ArrayList<>();
        List<Buffer> authority = new ArrayList<>();
        List<Buffer> additional = new ArrayList<>();
        int ttl = ttls.getOrDefault(key, 0);
        byte[] owner = {(byte) 0xC0, 0x0C}; // a pointer to the question's name
        String alias = aliases.get(key);
        if (rcode == 0 && alias != null) {
            answer.add(record(owner, CNAME, ttl, encodedName(alias)));
        }
        if (rcode == 0 && alias == null) {
            for (int wanted : type == ANY ? new int[] {A, AAAA, TXT, SOA, NS} : new int[] {type}) {
                if (wanted == A || wanted == AAAA) {
                    int length = wanted == A ? 4 : 16;
                    addresses.getOrDefault(key, List.of()).stream()
                            .filter(address -> address.length == length)
                            .forEach(address -> answer.add(record(owner, wanted, ttl, address)));
                }
                if (wanted == TXT) {
                    texts.getOrDefault(key, List.of())
                            .forEach(text -> answer.add(record(owner, TXT, ttl, characterStrings(text))));
                }
                if (wanted == SOA && soas.containsKey(key)) {
                    answer.add(record(owner, SOA, ttl, soas.get(key)));
                }
                if (wanted == NS) {
                    for (String host : nameServers.getOrDefault(key, List.of())) {
                        answer.add(record(owner, NS, ttl, encodedName(key(host))));
                        for (byte[] address : addresses.getOrDefault(key(host), List.of())) {
                            additional.add(record(
                                    encodedName(key(host)),
                                    address.length == 4 ? A : AAAA,
                                    ttls.getOrDefault(key(host), 0),
                                    address));
                        }
                    }
                }
            }
            raws.getOrDefault(key, List.of()).stream()
                    .filter(raw -> type == ANY || raw.type() == type)
                    .forEach(raw -> answer.add(record(owner, raw.type(), ttl, raw.data())));
        }
        String zone = zoneOf(key);
        if (answer.isEmpty() && (rcode == 0 || rcode == 3) && zone != null) {
            authority.add(record(encodedName(zone), SOA, ttls.getOrDefault(zone, 0), soas.get(zone)));
        }
        int room = limit - questionEnd;
        int[] fit = new int[3];
        boolean truncated = false;
        List<List<Buffer>> sections = List.of(answer, authority, additional);
        for (int section = 0; section < 3 && !truncated; section++) {
            for (Buffer record : sections.get(section)) {
                if (room < record.length()) {
                    truncated = true;
                    break;
                }
                room -= record.length();
                fit[section]++;
            }
        }
        Buffer reply = Buffer.buffer();
        reply.appendShort(query.getShort(0));
        // response, authoritative, RD as asked, RA, TC when cut, and the response code
        int recursionDesired = query.getUnsignedByte(2) & 0x01;
        reply.appendUnsignedShort(0x8480 | recursionDesired << 8 | (truncated ? 0x0200 : 0) | rcode);
        reply.appendUnsignedShort(1)
                .appendUnsignedShort(fit[0])
                .appendUnsignedShort(fit[1])
                .appendUnsignedShort(fit[2]);
        reply.appendBuffer(query.getBuffer(12, questionEnd));
        for (int section = 0; section < 3; section++) {
            sections.get(section).subList(0, fit[section]).forEach(reply::appendBuffer);
        }
        return reply;
    }

    /** The flags of the last query received (its third and fourth bytes: RD is 0x0100). */
    public int lastQueryFlags() {
        return lastFlags;
    }

    private static Buffer record(byte[] owner, int type, int ttl, byte[] data) {
        return Buffer.buffer()
                .appendBytes(owner)
                .appendUnsignedShort(type)
                .appendUnsignedShort(1)
                .appendInt(ttl)
                .appendUnsignedShort(data.length)
                .appendBytes(data);
    }

    /** RFC 1035 3.3.14: one or more character-strings of at most 255 bytes each, as a long value is sent. */
    private static byte[] characterStrings(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Buffer strings = Buffer.buffer();
        for (int from = 0; from == 0 || from < bytes.length; from += 255) {
            int length = Math.min(255, bytes.length - from);
            strings.appendUnsignedByte((short) length).appendBytes(bytes, from, length);
        }
        return strings.getBytes();
    }

    @Override
    public void close() {
        socket.close().await();
        tcp.close().await();
    }
}
