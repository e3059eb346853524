package io.vantage.agent.probe;

import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.vantage.agent.check.Checks;
import io.vantage.agent.check.Mismatch;
import io.vantage.wire.Addresses;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.DnsSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Asks a DNS server one question and checks the answer: the response code, then (for NOERROR) the records. The servers
 * are asked in order (the probe's own, else the agent's {@code dns.servers}, else the system's resolver); the next one
 * only when one does not answer at all. A name with no records of the asked type that is a CNAME is followed, as a
 * resolver would, to the records of the name it leads to (at most {@link Resolver#MAX_CNAME_HOPS} CNAMEs); the
 * assertions see those final records, and the chain travels with the result. Addresses are reported in canonical form.
 * An unexpected response code is {@code dns}, an answer that fails its assertion {@code body_mismatch}, no answer in
 * time {@code timeout} (waiting for the response, so an agent running late says so instead). Clients are kept per
 * server, on this probe loop.
 */
public final class DnsProber implements Prober<DnsSpec> {
    /** The records of the asked type, and the CNAMEs followed to reach them. */
    private record Answer(List<String> records, List<String> chain) {}

    private final Vertx vertx;
    private final List<DnsSpec.Server> agentServers;
    private final Map<String, DnsClient> clients = new HashMap<>();
    private final Checks checks;

    /** {@code agentServers}: the agent's {@code dns.servers}, asked when a probe names none (empty: the system's). */
    public DnsProber(Vertx vertx, List<SocketAddress> agentServers, Checks checks) {
        this.vertx = vertx;
        this.checks = checks;
        this.agentServers = agentServers.stream()
                .map(server -> new DnsSpec.Server(server.host(), server.port()))
                .toList();
    }

    @Override
    public Future<ProbeResult> probe(DnsSpec spec, Attempt attempt, int timeoutMillis) {
        attempt.skip(Phase.WAIT); // the question is one datagram: all of its time is waiting for the answer
        List<DnsSpec.Server> own = spec.parsedServers();
        List<DnsSpec.Server> servers = own.isEmpty() ? agentServers : own;
        return ask(spec, servers, 0, timeoutMillis).transform(answer -> {
            String rcode = answer.succeeded() ? "NOERROR" : rcode(answer.cause());
            if (rcode == null) {
                return timedOut(answer.cause())
                        ? Future.succeededFuture(attempt.fail(
                                FailureReason.TIMEOUT,
                                "no answer to " + spec.type() + " " + spec.name() + " within " + timeoutMillis
                                        + "ms from " + describe(servers)))
                        : Future.failedFuture(answer.cause()); // a network error: the runner classifies it
            }
            if (!rcode.equals(spec.expectRcode())) {
                return Future.succeededFuture(attempt.fail(
                        FailureReason.DNS,
                        spec.type() + " " + spec.name() + ": " + rcode + ", expected " + spec.expectRcode()));
            }
            if (!answer.succeeded()) {
                return Future.succeededFuture(attempt.succeed()); // the expected error code, e.g. NXDOMAIN
            }
            List<String> records = answer.result().records();
            Mismatch mismatch = checks.answers(spec.expectAnswer(), spec.type() + " " + spec.name(), records);
            ProbeResult result =
                    mismatch == null ? attempt.succeed() : attempt.fail(mismatch.reason(), mismatch.message());
            // The records travel with the result: the aggregator reads them to see where DNS sends this vantage point.
            return Future.succeededFuture(
                    result.withAnswers(records, answer.result().chain()));
        });
    }

    /**
     * Each server gets its share of nine tenths of the timeout, so that the last one is still asked in time and a
     * silent one is reported by name before the probe's own deadline.
     */
    private Future<Answer> ask(DnsSpec spec, List<DnsSpec.Server> servers, int index, int timeoutMillis) {
        int share = Math.max(50, timeoutMillis * 9 / 10 / Math.max(1, servers.size()));
        DnsClient client = client(servers.isEmpty() ? null : servers.get(index), share);
        return follow(client, spec.type(), spec.name(), new ArrayList<>()).recover(error -> {
            boolean answered = rcode(error) != null;
            return answered || index + 1 >= servers.size()
                    ? Future.failedFuture(error)
                    : ask(spec, servers, index + 1, timeoutMillis);
        });
    }

    /**
     * The records of {@code type} for {@code name}; when there are none and the name is a CNAME (and CNAMEs were not
     * what was asked), those of the name it leads to.
     */
    private static Future<Answer> follow(DnsClient client, String type, String name, List<String> chain) {
        return query(client, type, name).compose(records -> {
            if (!records.isEmpty() || type.equals("CNAME") || chain.size() >= Resolver.MAX_CNAME_HOPS) {
                return Future.succeededFuture(new Answer(records, List.copyOf(chain)));
            }
            return client.resolveCNAME(name).compose(cnames -> {
                if (cnames.isEmpty()) {
                    return Future.succeededFuture(new Answer(records, List.copyOf(chain)));
                }
                String next = Addresses.canonical(cnames.get(0));
                if (chain.contains(next) || next.equals(Addresses.canonical(name))) {
                    return Future.succeededFuture(new Answer(records, List.copyOf(chain))); // a loop
                }
                chain.add(next);
                return follow(client, type, next, chain);
            });
        });
    }

    private static Future<List<String>> query(DnsClient client, String type, String name) {
        return switch (type) {
            case "A" -> client.resolveA(name);
            case "AAAA" ->
                client.resolveAAAA(name)
                        .map(records ->
                                records.stream().map(Addresses::canonical).toList());
            case "CNAME" -> client.resolveCNAME(name);
            case "NS" -> client.resolveNS(name);
            case "TXT" -> client.resolveTXT(name);
            case "PTR" -> client.resolvePTR(name).map(ptr -> ptr == null ? List.of() : List.of(ptr));
            case "MX" ->
                client.resolveMX(name)
                        .map(records -> records.stream()
                                .map(mx -> mx.priority() + " " + mx.name())
                                .toList());
            case "SRV" ->
                client.resolveSRV(name)
                        .map(records -> records.stream()
                                .map(srv -> srv.priority() + " " + srv.weight() + " " + srv.port() + " " + srv.target())
                                .toList());
            default -> Future.failedFuture(new IllegalArgumentException("unsupported type " + type));
        };
    }

    /** The response code a server answered with, or null when the failure is not an answer (timeout, network). */
    private static String rcode(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof DnsException dns) {
                String code = dns.code().name();
                return code.equals("NOTIMPL") ? "NOTIMP" : code.equals("FORMERROR") ? "FORMERR" : code;
            }
        }
        return null;
    }

    /** Whether the server did not answer in time: the resolver's query timeout, by its type. */
    private static boolean timedOut(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof DnsNameResolverTimeoutException || cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(List<DnsSpec.Server> servers) {
        return servers.isEmpty()
                ? "the system's resolver"
                : servers.stream().map(s -> s.host() + ":" + s.port()).toList().toString();
    }

    private DnsClient client(DnsSpec.Server server, int timeoutMillis) {
        String key = (server == null ? "system" : server.host() + ":" + server.port()) + "/" + timeoutMillis;
        return clients.computeIfAbsent(key, k -> {
            DnsClientOptions options =
                    new DnsClientOptions().setQueryTimeout(timeoutMillis).setRecursionDesired(true);
            if (server != null) {
                options.setHost(server.host()).setPort(server.port());
            }
            return vertx.createDnsClient(options);
        });
    }
}
