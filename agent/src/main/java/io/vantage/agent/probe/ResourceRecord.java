package io.vantage.agent.probe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsPtrRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.vantage.wire.Addresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One record of a DNS response as text: {@code text} is its full line as dig and miekg/dns print it ({@code
 * name.<TAB>ttl<TAB>IN<TAB>TYPE<TAB>data}; what blackbox_exporter's regular expressions are matched against), and
 * {@code values} its data in the short form the probe's assertions and the aggregator read (an address in canonical
 * form; a name without its trailing dot; "preference exchange" for MX; "priority weight port target" for SRV; each
 * string of a TXT record). A, AAAA, CNAME, NS, PTR, DNAME, MX, SRV, TXT and SOA are rendered; any other type, or data
 * that does not parse as its type, is written as RFC 3597's {@code \# length hex}.
 */
record ResourceRecord(String name, String type, long ttl, String text, List<String> values) {

    /** The record's text and values; {@code record} is only read (its buffer is neither kept nor released). */
    static ResourceRecord of(DnsRecord record) {
        String type = typeName(record.type());
        Data data;
        if (record instanceof DnsPtrRecord ptr) {
            data = Data.name(fqdn(ptr.hostname()));
        } else if (record instanceof DnsRawRecord raw) {
            ByteBuf content = raw.content().duplicate();
            try {
                data = data(record.type().intValue(), content.duplicate());
            } catch (RuntimeException malformed) { // IndexOutOfBounds, CorruptedFrameException
                data = null;
            }
            if (data == null) {
                String generic = generic(content);
                data = new Data(generic, List.of(generic));
            }
        } else {
            data = new Data("\\# 0", List.of("\\# 0"));
        }
        String name = fqdn(record.name());
        String text = name + "\t" + record.timeToLive() + "\t" + className(record.dnsClass()) + "\t" + type + "\t"
                + data.text();
        return new ResourceRecord(name, type, record.timeToLive(), text, data.values());
    }

    /** Whether this record's owner is {@code name} (case-insensitive, with or without the trailing dot). */
    boolean ownedBy(String name) {
        return Addresses.canonical(this.name).equals(Addresses.canonical(name));
    }

    /** The data of a record: as dig writes it, and its short values. */
    private record Data(String text, List<String> values) {
        static Data name(String fqdn) {
            return new Data(fqdn, List.of(bare(fqdn)));
        }
    }

    /** The data of a record of {@code type}, or null for a type written as RFC 3597 data. */
    private static Data data(int type, ByteBuf in) {
        return switch (type) {
            case 1 -> address(in, 4);
            case 28 -> address(in, 16);
            case 2, 5, 12, 39 -> Data.name(name(in)); // NS, CNAME, PTR, DNAME
            case 15 -> { // MX
                int preference = in.readUnsignedShort();
                String exchange = name(in);
                yield new Data(preference + " " + exchange, List.of(preference + " " + bare(exchange)));
            }
            case 33 -> { // SRV
                String numbers = in.readUnsignedShort() + " " + in.readUnsignedShort() + " " + in.readUnsignedShort();
                String target = name(in);
                yield new Data(numbers + " " + target, List.of(numbers + " " + bare(target)));
            }
            case 16 -> txt(in);
            case 6 -> { // SOA
                String mname = name(in);
                String rname = name(in);
                String numbers = in.readUnsignedInt() + " " + in.readUnsignedInt() + " " + in.readUnsignedInt() + " "
                        + in.readUnsignedInt() + " " + in.readUnsignedInt();
                yield new Data(
                        mname + " " + rname + " " + numbers, List.of(bare(mname) + " " + bare(rname) + " " + numbers));
            }
            default -> null;
        };
    }

    private static Data address(ByteBuf in, int length) {
        if (in.readableBytes() != length) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        try {
            String address = Addresses.canonical(InetAddress.getByAddress(bytes).getHostAddress());
            return new Data(address, List.of(address));
        } catch (UnknownHostException impossible) { // only for a length other than 4 or 16
            return null;
        }
    }

    /** Each string quoted, as dig writes them: {@code "} and {@code \} escaped, other bytes outside ASCII's printable range as {@code \DDD}. */
    private static Data txt(ByteBuf in) {
        StringBuilder text = new StringBuilder();
        List<String> values = new ArrayList<>();
        while (in.isReadable()) {
            byte[] bytes = new byte[in.readUnsignedByte()];
            in.readBytes(bytes);
            values.add(new String(bytes, StandardCharsets.UTF_8));
            text.append(text.length() == 0 ? "\"" : " \"");
            for (byte b : bytes) {
                int c = b & 0xff;
                if (c == '"' || c == '\\') {
                    text.append('\\').append((char) c);
                } else if (c < ' ' || c > '~') {
                    text.append(String.format("\\%03d", c));
                } else {
                    text.append((char) c);
                }
            }
            text.append('"');
        }
        return new Data(text.toString(), values);
    }

    private static String generic(ByteBuf content) {
        int length = content.readableBytes();
        return "\\# " + length + (length == 0 ? "" : " " + ByteBufUtil.hexDump(content));
    }

    /** A name from the record's data; compression pointers are followed within the whole message. */
    private static String name(ByteBuf in) {
        return fqdn(DefaultDnsRecordDecoder.decodeName(in));
    }

    private static String fqdn(String name) {
        return name.endsWith(".") ? name : name + ".";
    }

    private static String bare(String fqdn) {
        return fqdn.length() > 1 && fqdn.endsWith(".") ? fqdn.substring(0, fqdn.length() - 1) : fqdn;
    }

    private static String typeName(DnsRecordType type) {
        String name = type.name();
        return name.equals("UNKNOWN") ? "TYPE" + type.intValue() : name.toUpperCase(Locale.ROOT);
    }

    private static String className(int dnsClass) {
        return switch (dnsClass) {
            case 1 -> "IN";
            case 3 -> "CH";
            case 4 -> "HS";
            default -> "CLASS" + dnsClass;
        };
    }
}
