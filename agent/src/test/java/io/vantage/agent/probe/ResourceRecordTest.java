package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsPtrRecord;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Records as text: the full line as dig and miekg/dns print it, and the short values the assertions read. */
class ResourceRecordTest {
    private static ResourceRecord record(String name, DnsRecordType type, long ttl, ByteBuf data) {
        DefaultDnsRawRecord raw = new DefaultDnsRawRecord(name, type, ttl, data);
        try {
            return ResourceRecord.of(raw);
        } finally {
            raw.release();
        }
    }

    private static ByteBuf bytes(int... values) {
        ByteBuf buffer = Unpooled.buffer();
        for (int value : values) {
            buffer.writeByte(value);
        }
        return buffer;
    }

    /** A name in DNS wire form, uncompressed. */
    private static ByteBuf name(ByteBuf buffer, String name) {
        for (String label : name.split("\\.")) {
            buffer.writeByte(label.length()).writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        return buffer.writeByte(0);
    }

    @Test
    void addressesAndNames() {
        ResourceRecord a = record("example.com.", DnsRecordType.A, 300, bytes(127, 0, 0, 1));
        assertThat(a.text()).isEqualTo("example.com.\t300\tIN\tA\t127.0.0.1");
        assertThat(a.values()).containsExactly("127.0.0.1");

        ResourceRecord aaaa = record(
                "v6.example.com.",
                DnsRecordType.AAAA,
                60,
                bytes(0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
        assertThat(aaaa.text()).isEqualTo("v6.example.com.\t60\tIN\tAAAA\t2001:db8::1");

        ResourceRecord cname =
                record("www.example.com.", DnsRecordType.CNAME, 0, name(Unpooled.buffer(), "lb.example.net"));
        assertThat(cname.text()).isEqualTo("www.example.com.\t0\tIN\tCNAME\tlb.example.net.");
        assertThat(cname.values()).as("the short form has no trailing dot").containsExactly("lb.example.net");

        ResourceRecord ptr = ResourceRecord.of(new DefaultDnsPtrRecord("1.0.0.127.in-addr.arpa.", 1, 30, "localhost."));
        assertThat(ptr.text()).isEqualTo("1.0.0.127.in-addr.arpa.\t30\tIN\tPTR\tlocalhost.");
        assertThat(ptr.values()).containsExactly("localhost");
    }

    @Test
    void mxSrvSoaAndTxt() {
        ResourceRecord mx = record("example.com.", DnsRecordType.MX, 300, name(bytes(0, 10), "mx.example.com"));
        assertThat(mx.text()).isEqualTo("example.com.\t300\tIN\tMX\t10 mx.example.com.");
        assertThat(mx.values()).containsExactly("10 mx.example.com");

        ResourceRecord srv = record(
                "_sip._tcp.example.com.",
                DnsRecordType.SRV,
                86400,
                name(bytes(0, 10, 0, 60, 0x13, 0xc4), "sip.example.com"));
        assertThat(srv.text()).isEqualTo("_sip._tcp.example.com.\t86400\tIN\tSRV\t10 60 5060 sip.example.com.");
        assertThat(srv.values()).containsExactly("10 60 5060 sip.example.com");

        ByteBuf soaData = name(name(Unpooled.buffer(), "ns1.example.com"), "hostmaster.example.com");
        soaData.writeInt((int) 2024120701L)
                .writeInt(7200)
                .writeInt(3600)
                .writeInt(1209600)
                .writeInt(300);
        ResourceRecord soa = record("example.com.", DnsRecordType.SOA, 3600, soaData);
        assertThat(soa.text())
                .isEqualTo("example.com.\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 2024120701 7200 3600"
                        + " 1209600 300");

        ByteBuf txtData = Unpooled.buffer();
        byte[] first = "v=spf1 \"quoted\" \\ -all".getBytes(StandardCharsets.US_ASCII);
        txtData.writeByte(first.length).writeBytes(first).writeByte(3).writeBytes(new byte[] {'a', '\t', (byte) 0xff});
        ResourceRecord txt = record("example.com.", DnsRecordType.TXT, 0, txtData);
        assertThat(txt.text())
                .as("each string quoted; quote and backslash escaped, other bytes as \\DDD")
                .isEqualTo("example.com.\t0\tIN\tTXT\t\"v=spf1 \\\"quoted\\\" \\\\ -all\" \"a\\009\\255\"");
        assertThat(txt.values()).hasSize(2).first().isEqualTo("v=spf1 \"quoted\" \\ -all");
    }

    @Test
    void otherTypesAndMalformedDataAreRfc3597() {
        ResourceRecord unknown = record("example.com.", DnsRecordType.valueOf(65280), 10, bytes(0x0a, 0, 0, 1));
        assertThat(unknown.text()).isEqualTo("example.com.\t10\tIN\tTYPE65280\t\\# 4 0a000001");

        ResourceRecord caa = record("example.com.", DnsRecordType.CAA, 10, bytes(0, 5));
        assertThat(caa.text()).isEqualTo("example.com.\t10\tIN\tCAA\t\\# 2 0005");

        ResourceRecord shortA = record("example.com.", DnsRecordType.A, 10, bytes(127, 0, 0));
        assertThat(shortA.text()).as("an A record of 3 bytes").isEqualTo("example.com.\t10\tIN\tA\t\\# 3 7f0000");

        ResourceRecord cutMx = record("example.com.", DnsRecordType.MX, 10, bytes(0));
        assertThat(cutMx.text()).isEqualTo("example.com.\t10\tIN\tMX\t\\# 1 00");
    }
}
