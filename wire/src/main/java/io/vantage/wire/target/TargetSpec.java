package io.vantage.wire.target;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.vantage.wire.Checks;
import io.vantage.wire.Durations;
import io.vantage.wire.Limits;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One endpoint to probe: a name, exactly one protocol, a schedule, the aggregator's quorum policy, optionally the
 * Route 53 record its health check guards, and optionally the region it serves from ({@code region}): an agent in
 * that region shares its fate, which lets the quorum tell a lost region from a restarting agent. {@code addresses} says
 * which addresses of a host name are probed: {@code any} (the default) dials them in order as a client does, falling
 * back past ones that refuse at once; {@code every} probes each one (at most {@link #MAX_EVERY_ADDRESSES}) in the same
 * round, and the probe succeeds only when every address does (a client sent to any of them must be served).
 * {@code probeFrom} places the target: the regions or agent ids (vantage points) that probe it, for an endpoint only
 * some of them can reach (a private endpoint inside one VPC); empty (the default, not written) means every vantage
 * point. It is the aggregator's business, like the Route 53 binding: each vantage point is sent only the targets placed
 * at it, without the field (an agent that reads one anyway ignores it).
 */
public record TargetSpec(
        String name,
        HttpSpec http,
        TcpSpec tcp,
        TlsSpec tls,
        DnsSpec dns,
        GrpcSpec grpc,
        Duration interval,
        Duration timeout,
        QuorumSpec quorum,
        FailoverSpec failover,
        RecordBinding route53,
        String region,
        String addresses,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> probeFrom) {

    /** How many addresses of one name {@code addresses: every} probes each round. */
    public static final int MAX_EVERY_ADDRESSES = 16;

    /** How many regions or agent ids {@code probeFrom} may name. */
    public static final int MAX_PROBE_FROM = 16;

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public TargetSpec {
        Checks.name("name", name, Limits.MAX_TARGET_NAME_LENGTH);
        int protocols = (http != null ? 1 : 0)
                + (tcp != null ? 1 : 0)
                + (tls != null ? 1 : 0)
                + (dns != null ? 1 : 0)
                + (grpc != null ? 1 : 0);
        if (protocols != 1) {
            throw Checks.invalid(
                    "name",
                    "target '" + name + "' must set exactly one of http, tcp, tls, dns, grpc (found " + protocols
                            + ")");
        }
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        Checks.positive("interval", interval, Duration.ofSeconds(1), Duration.ofHours(1));
        timeout = timeout == null
                ? (interval.compareTo(DEFAULT_TIMEOUT) > 0 ? DEFAULT_TIMEOUT : interval.dividedBy(2))
                : timeout;
        Checks.positive("timeout", timeout, Duration.ofMillis(10), Duration.ofMinutes(5));
        if (timeout.compareTo(interval) >= 0) {
            throw Checks.invalid(
                    "timeout",
                    Durations.format(timeout) + " must be shorter than interval " + Durations.format(interval));
        }
        quorum = quorum == null ? QuorumSpec.DEFAULT : quorum;
        failover = failover == null ? FailoverSpec.DEFAULT : failover;
        if (region != null) {
            Checks.name("region", region, Limits.MAX_IDENTITY_LENGTH);
        }
        addresses = addresses == null ? "any" : addresses;
        if (!addresses.equals("any") && !addresses.equals("every")) {
            throw Checks.invalid("addresses", "'" + addresses + "' must be any or every");
        }
        if (addresses.equals("every") && dns != null) {
            throw Checks.invalid(
                    "addresses", "every applies to http, tcp, tls and grpc probes; a dns probe has no address");
        }
        probeFrom = probeFrom == null ? List.of() : List.copyOf(probeFrom);
        if (probeFrom.size() > MAX_PROBE_FROM) {
            throw Checks.invalid(
                    "probeFrom", "names " + probeFrom.size() + " vantage points, at most " + MAX_PROBE_FROM);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < probeFrom.size(); i++) {
            String entry = Checks.name("probeFrom[" + i + "]", probeFrom.get(i), Limits.MAX_IDENTITY_LENGTH);
            if (!seen.add(entry)) {
                throw Checks.invalid("probeFrom[" + i + "]", "'" + entry + "' is named twice");
            }
        }
    }

    /** Whether only some vantage points probe it ({@code probeFrom} names them). */
    @JsonIgnore
    public boolean hasPlacement() {
        return !probeFrom.isEmpty();
    }

    /** Whether the vantage point {@code agentId} in {@code region} probes it: no probeFrom, or one naming either. */
    public boolean placedAt(String agentId, String region) {
        return probeFrom.isEmpty() || probeFrom.contains(region) || probeFrom.contains(agentId);
    }

    /** Whether each address of the probed name is probed ({@code addresses: every}). */
    @JsonIgnore
    public boolean everyAddress() {
        return addresses.equals("every");
    }

    /**
     * The same target without its Route 53 binding and its placement: what agents are sent (the record and where it is
     * probed from are the aggregator's business; an agent older than {@code probeFrom} would refuse the unknown key).
     */
    public TargetSpec withoutBinding() {
        return route53 == null && probeFrom.isEmpty()
                ? this
                : new TargetSpec(
                        name, http, tcp, tls, dns, grpc, interval, timeout, quorum, failover, null, region, addresses,
                        null);
    }

    @JsonIgnore
    public ProbeSpec probe() {
        return http != null ? http : tcp != null ? tcp : tls != null ? tls : dns != null ? dns : grpc;
    }

    /** How long a result counts toward a verdict. */
    @JsonIgnore
    public Duration freshness() {
        return quorum.freshness() != null ? quorum.freshness() : interval.multipliedBy(3);
    }

    /** True when an agent would probe both the same way and on the same schedule (quorum and failover are the aggregator's). */
    public boolean sameProbe(TargetSpec other) {
        return other != null
                && name.equals(other.name)
                && probe().equals(other.probe())
                && interval.equals(other.interval)
                && timeout.equals(other.timeout)
                && addresses.equals(other.addresses);
    }
}
