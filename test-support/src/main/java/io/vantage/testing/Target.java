package io.vantage.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vantage.wire.Documents;
import io.vantage.wire.target.DnsSpec;
import io.vantage.wire.target.FailoverSpec;
import io.vantage.wire.target.GrpcSpec;
import io.vantage.wire.target.HttpSpec;
import io.vantage.wire.target.ProbeSpec;
import io.vantage.wire.target.QuorumSpec;
import io.vantage.wire.target.TcpSpec;
import io.vantage.wire.target.TlsSpec;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A target of a test's config, its probe one of the wire's records:
 * {@code Target.tcp("api", "127.0.0.1", 9).interval("1s").quorum(1, 1)}. What is not set keeps the wire's
 * default, as it does when a config leaves it out.
 */
public final class Target {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    /** The key a target gives its probe. */
    private static final ProbeSpec.Visitor<String> KIND = new ProbeSpec.Visitor<>() {
        @Override
        public String http(HttpSpec spec) {
            return "http";
        }

        @Override
        public String tcp(TcpSpec spec) {
            return "tcp";
        }

        @Override
        public String tls(TlsSpec spec) {
            return "tls";
        }

        @Override
        public String dns(DnsSpec spec) {
            return "dns";
        }

        @Override
        public String grpc(GrpcSpec spec) {
            return "grpc";
        }
    };

    private final String name;
    private final ProbeSpec probe;
    private String interval;
    private String timeout;
    private QuorumSpec quorum;
    private FailoverSpec failover;
    private Map<String, Object> route53;
    private String region;
    private List<String> probeFrom;

    private Target(String name, ProbeSpec probe) {
        this.name = name;
        this.probe = probe;
    }

    public static Target tcp(String name, String host, int port) {
        return new Target(name, TcpSpec.connect(host, port));
    }

    /** A GET of {@code url} expecting 200-399. */
    public static Target http(String name, String url) {
        return http(name, url, null);
    }

    /** A GET of {@code url} with {@code hostHeader} (also the TLS name), expecting 200-399. */
    public static Target http(String name, String url, String hostHeader) {
        return new Target(
                name,
                new HttpSpec(
                        URI.create(url),
                        null,
                        null,
                        hostHeader,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));
    }

    /** A plaintext gRPC health check of {@code service} ("" for the server as a whole). */
    public static Target grpc(String name, String host, int port, String service) {
        return new Target(name, new GrpcSpec(host, port, service, null, null, null, null));
    }

    public static Target probing(String name, ProbeSpec probe) {
        return new Target(name, probe);
    }

    /** How often, as a config writes it ({@code 1s}). */
    public Target interval(String duration) {
        interval = duration;
        return this;
    }

    public Target timeout(String duration) {
        timeout = duration;
        return this;
    }

    /** At least {@code minVantages} fresh results, {@code healthy} of them healthy; rise and fall keep their defaults. */
    public Target quorum(int minVantages, int healthy) {
        return quorum(new QuorumSpec(minVantages, healthy, null, null, null));
    }

    public Target quorum(QuorumSpec spec) {
        quorum = spec;
        return this;
    }

    public Target failover(FailoverSpec spec) {
        failover = spec;
        return this;
    }

    /**
     * Guards the record {@code recordName} of {@code recordType} and {@code setIdentifier} in zone {@code hostedZoneId},
     * written as given: whether the binding is valid is for the config's reader to say.
     */
    public Target route53(String hostedZoneId, String recordName, String recordType, String setIdentifier) {
        return route53(hostedZoneId, recordName, recordType, setIdentifier, null);
    }

    /** The same, with the {@code routingPolicy} of the record group (when not null). */
    public Target route53(
            String hostedZoneId, String recordName, String recordType, String setIdentifier, String routingPolicy) {
        return route53("hostedZoneId", hostedZoneId, recordName, recordType, setIdentifier, routingPolicy);
    }

    /** Guards the record in the zone named {@code hostedZoneName} (which vantage looks up). */
    public Target route53InZoneNamed(
            String hostedZoneName, String recordName, String recordType, String setIdentifier) {
        return route53("hostedZoneName", hostedZoneName, recordName, recordType, setIdentifier, null);
    }

    private Target route53(
            String zoneKey,
            String zone,
            String recordName,
            String recordType,
            String setIdentifier,
            String routingPolicy) {
        route53 = new LinkedHashMap<>();
        route53.put(zoneKey, zone);
        route53.put("recordName", recordName);
        route53.put("recordType", recordType);
        route53.put("setIdentifier", setIdentifier);
        if (routingPolicy != null) {
            route53.put("routingPolicy", routingPolicy);
        }
        return this;
    }

    public Target region(String name) {
        region = name;
        return this;
    }

    /** Placed at these regions or agent ids only ({@code probeFrom}). */
    public Target probeFrom(String... regionsOrAgents) {
        probeFrom = List.of(regionsOrAgents);
        return this;
    }

    /**
     * The target as a config file writes it: what was set (a probe with its defaults), so that a file of many targets is
     * as small as a hand-written one; the binding as given.
     */
    Map<String, Object> document() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("name", name);
        document.put(probe.accept(KIND), Documents.json().convertValue(probe, MAP));
        putIfSet(document, "interval", interval);
        putIfSet(document, "timeout", timeout);
        putIfSet(document, "quorum", quorum == null ? null : Documents.json().convertValue(quorum, MAP));
        putIfSet(
                document, "failover", failover == null ? null : Documents.json().convertValue(failover, MAP));
        putIfSet(document, "route53", route53);
        putIfSet(document, "region", region);
        putIfSet(document, "probeFrom", probeFrom);
        return document;
    }

    private static void putIfSet(Map<String, Object> document, String key, Object value) {
        if (value != null) {
            document.put(key, value);
        }
    }
}
