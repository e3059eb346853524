package io.vantage.agent.probe;

import io.vantage.agent.check.Checks;
import io.vantage.agent.check.Mismatch;
import io.vantage.wire.Addresses;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.DnsSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Asks a DNS server one question and checks the response, as blackbox_exporter's dns prober does: the response code,
 * then each section's records against {@code validate}, then (for NOERROR) the records of the asked type against
 * {@code expectAnswer}. The servers are asked in order (the probe's own, else the agent's {@code dns.servers}, else the
 * first nameserver of /etc/resolv.conf); the next one only when one does not answer at all. A server named by host
 * name is resolved first (the dns phase); over TCP the connection is the connect phase; waiting for the response is the
 * wait phase, and its arrival the first byte. Over UDP, a truncated response is asked again over TCP.
 *
 * <p>A name with no records of the asked type that is a CNAME is followed, as a resolver would, to the records of the
 * name it leads to (through the CNAMEs in the response, then by asking for the next name when the response stops
 * there; at most {@link Resolver#MAX_CNAME_HOPS} CNAMEs): {@code expectAnswer} sees those final records and the response
 * code of the last answer, the chain travels with the result, and {@code validate} sees the sections of the response to
 * the question asked. Addresses are reported in canonical form. An unexpected response code is {@code dns}, records
 * that fail a check {@code body_mismatch}, no answer in time {@code timeout}.
 */
public final class DnsProber implements Prober<DnsSpec> {
    /** The response to the question, from the server that answered, and the one for the final name of its chain. */
    private record Outcome(
            DnsExchange.Response first, DnsExchange.Response last, List<String> values, List<String> chain) {}

    private final Vertx vertx;
    private final Dialer dialer;
    private final Path resolvConf;
    private final Checks checks;
    private final DnsExchange exchange;

    /**
     * {@code dialer}: resolves servers named by host name, and holds the agent's {@code dns.servers}, asked when a probe
     * names none; {@code resolvConf}: read when neither names any (normally /etc/resolv.conf).
     */
    public DnsProber(Vertx vertx, Dialer dialer, Checks checks, Path resolvConf) {
        this.vertx = vertx;
        this.dialer = dialer;
        this.checks = checks;
        this.resolvConf = resolvConf;
        this.exchange = new DnsExchange(vertx);
    }

    @Override
    public Future<ProbeResult> probe(DnsSpec spec, Attempt attempt, int timeoutMillis) {
        attempt.fact(Fact.DNS_QUERY_SUCCEEDED, 0);
        String question = spec.type() + " " + spec.name();
        return servers(spec).compose(servers -> {
            int share = Math.max(50, timeoutMillis * 9 / 10 / Math.max(1, servers.size()));
            return ask(spec, attempt, servers, 0, share).transform(asked -> {
                if (asked.succeeded()) {
                    return Future.succeededFuture(judge(spec, attempt, asked.result()));
                }
                if (timedOut(asked.cause())) {
                    return Future.succeededFuture(attempt.fail(
                            FailureReason.TIMEOUT,
                            "no answer to " + question + " within " + timeoutMillis + "ms from "
                                    + servers.stream()
                                            .map(s -> s.host() + ":" + s.port())
                                            .toList()));
                }
                return Future.failedFuture(asked.cause()); // a network error: the runner classifies it
            });
        });
    }

    /** The servers to ask: the probe's, else the agent's, else the system's (the nameservers of resolv.conf). */
    private Future<List<DnsSpec.Server>> servers(DnsSpec spec) {
        if (!spec.servers().isEmpty()) {
            return Future.succeededFuture(spec.parsedServers());
        }
        List<SocketAddress> agents = dialer.dnsServers();
        if (!agents.isEmpty()) {
            return Future.succeededFuture(agents.stream()
                    .map(server -> new DnsSpec.Server(server.host(), server.port()))
                    .toList());
        }
        return vertx.fileSystem()
                .readFile(resolvConf.toString())
                .recover(error -> Future.failedFuture(new UnknownHostException(
                        "no DNS server to ask: the probe names none, the agent's dns.servers is empty and " + resolvConf
                                + " cannot be read")))
                .compose(text -> {
                    List<DnsSpec.Server> system = nameservers(text.toString());
                    return system.isEmpty()
                            ? Future.failedFuture(new UnknownHostException("no DNS server to ask: the probe names none,"
                                    + " the agent's dns.servers is empty and " + resolvConf + " lists no nameserver"))
                            : Future.succeededFuture(system);
                });
    }

    /** The {@code nameserver} lines of a resolv.conf, in order, port 53 (a zone index of a link-local IPv6 kept). */
    static List<DnsSpec.Server> nameservers(String resolvConf) {
        List<DnsSpec.Server> servers = new ArrayList<>();
        for (String line : resolvConf.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver") && Resolver.isAddress(words[1])) {
                servers.add(new DnsSpec.Server(words[1], 53));
            }
        }
        return servers;
    }

    /** Asks server {@code index}, then the next ones while a server does not answer at all. */
    private Future<Outcome> ask(
            DnsSpec spec, Attempt attempt, List<DnsSpec.Server> servers, int index, int shareMillis) {
        DnsSpec.Server server = servers.get(index);
        String described = server.host() + ":" + server.port();
        return address(attempt, server, spec.transport().equals("tcp"))
                .compose(address -> {
                    attempt.fact(Fact.IP_PROTOCOL, address.getAddress() instanceof Inet6Address ? 6 : 4);
                    return exchange(spec, attempt, address, spec.name(), shareMillis)
                            .compose(first -> follow(
                                            spec,
                                            attempt,
                                            address,
                                            shareMillis,
                                            first,
                                            spec.name(),
                                            spec.name(),
                                            new ArrayList<>())
                                    .map(last -> new Outcome(first, last.response(), last.values(), last.chain())));
                })
                .recover(error -> {
                    attempt.explain(() -> "no answer from " + described + ": " + Failures.describe(error));
                    return index + 1 >= servers.size() || attempt.finished()
                            ? Future.failedFuture(error)
                            : ask(spec, attempt, servers, index + 1, shareMillis);
                });
    }

    /** The server's address: a literal as it is, a host name resolved (the dns phase, timed from where it starts). */
    private Future<InetSocketAddress> address(Attempt attempt, DnsSpec.Server server, boolean tcp) {
        String host = server.host();
        if (Resolver.isAddress(host)) {
            if (attempt.phase() == Phase.DNS) {
                attempt.skip(tcp ? Phase.CONNECT : Phase.WAIT); // no name to resolve: the dns phase does not apply
            }
            return Future.succeededFuture(literal(host, server.port()));
        }
        into(attempt, Phase.DNS);
        return dialer.resolve(host).map(addresses -> {
            attempt.explain(() -> "resolved DNS server " + host + " to " + addresses);
            return literal(addresses.get(0), server.port());
        });
    }

    private static InetSocketAddress literal(String address, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(address), port); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + address, e);
        }
    }

    /** One question, over the spec's transport; a UDP answer cut to fit (TC) is asked again over TCP. */
    private Future<DnsExchange.Response> exchange(
            DnsSpec spec, Attempt attempt, InetSocketAddress address, String name, int timeoutMillis) {
        boolean tcp = spec.transport().equals("tcp");
        attempt.explain(() -> "asking " + address.getHostString() + ":" + address.getPort() + " over "
                + (tcp ? "tcp" : "udp") + ": " + spec.type() + " " + name
                + (spec.recursionDesired() ? " (recursion desired)" : " (no recursion)"));
        into(attempt, tcp ? Phase.CONNECT : Phase.WAIT);
        return exchange.ask(attempt, address, tcp, name, spec.type(), spec.recursionDesired(), timeoutMillis)
                .compose(response -> {
                    if (!response.truncated() || tcp) {
                        return Future.succeededFuture(response);
                    }
                    attempt.explain(() -> "the UDP answer is truncated: asking again over tcp");
                    return exchange.ask(
                            attempt, address, true, name, spec.type(), spec.recursionDesired(), timeoutMillis);
                })
                .map(response -> {
                    into(attempt, Phase.BODY);
                    explain(attempt, response);
                    return response;
                });
    }

    private record Followed(DnsExchange.Response response, List<String> values, List<String> chain) {}

    /**
     * The records of the asked type for {@code name} in {@code response} (the answer to {@code asked}); when there are
     * none and {@code name} is a CNAME there, those of its target, asked for when the response does not hold them.
     */
    private Future<Followed> follow(
            DnsSpec spec,
            Attempt attempt,
            InetSocketAddress address,
            int timeoutMillis,
            DnsExchange.Response response,
            String asked,
            String name,
            List<String> chain) {
        List<String> values = response.answer().stream()
                .filter(record -> record.ownedBy(name)
                        && (spec.type().equals("ANY") || record.type().equals(spec.type())))
                .flatMap(record -> record.values().stream())
                .toList();
        boolean follows = !spec.type().equals("CNAME") && !spec.type().equals("ANY");
        if (!values.isEmpty() || !follows || response.rcode() != 0 || chain.size() >= Resolver.MAX_CNAME_HOPS) {
            return Future.succeededFuture(new Followed(response, values, List.copyOf(chain)));
        }
        Optional<String> target = response.answer().stream()
                .filter(record -> record.ownedBy(name) && record.type().equals("CNAME"))
                .map(record -> record.values().get(0))
                .findFirst();
        if (target.isEmpty()) {
            if (Addresses.canonical(asked).equals(Addresses.canonical(name))) {
                return Future.succeededFuture(new Followed(response, values, List.copyOf(chain)));
            }
            // The response stops at the CNAME (a server authoritative for the alias only): ask for its target.
            return exchange(spec, attempt, address, name, timeoutMillis)
                    .compose(next -> follow(spec, attempt, address, timeoutMillis, next, name, name, chain));
        }
        String next = Addresses.canonical(target.get());
        if (chain.contains(next) || next.equals(Addresses.canonical(spec.name()))) {
            return Future.succeededFuture(new Followed(response, List.of(), List.copyOf(chain))); // a loop
        }
        chain.add(next);
        attempt.explain(() -> name + " is a CNAME of " + next);
        return follow(spec, attempt, address, timeoutMillis, response, asked, next, chain);
    }

    /** The verdict on the response, with the facts learned from it. */
    private ProbeResult judge(DnsSpec spec, Attempt attempt, Outcome outcome) {
        String question = spec.type() + " " + spec.name();
        DnsExchange.Response first = outcome.first();
        attempt.fact(Fact.DNS_QUERY_SUCCEEDED, 1);
        attempt.fact(Fact.DNS_ANSWER_RRS, first.answer().size());
        attempt.fact(Fact.DNS_AUTHORITY_RRS, first.authority().size());
        attempt.fact(Fact.DNS_ADDITIONAL_RRS, first.additional().size());
        serial(first.answer())
                .or(() -> serial(first.authority()))
                .ifPresent(serial -> attempt.fact(Fact.DNS_SERIAL, serial));
        String rcode = DnsSpec.rcodeName(outcome.last().rcode());
        if (!spec.expectRcode().contains(rcode)) {
            String expected = spec.expectRcode().size() == 1
                    ? spec.expectRcode().get(0)
                    : "one of " + String.join(", ", spec.expectRcode());
            attempt.explain(() -> "response code " + rcode + " is not " + expected);
            return attempt.fail(FailureReason.DNS, question + ": " + rcode + ", expected " + expected);
        }
        Mismatch mismatch = null;
        if (spec.validate() != null) {
            attempt.fact(Fact.FAILED_DUE_TO_REGEX, 0);
            mismatch = checks.section("answer", spec.validate().answer(), question, texts(first.answer()));
            if (mismatch == null) {
                mismatch = checks.section("authority", spec.validate().authority(), question, texts(first.authority()));
            }
            if (mismatch == null) {
                mismatch =
                        checks.section("additional", spec.validate().additional(), question, texts(first.additional()));
            }
            if (mismatch != null) {
                attempt.fact(Fact.FAILED_DUE_TO_REGEX, 1);
            }
        }
        boolean answered = rcode.equals("NOERROR");
        if (mismatch == null && answered) {
            mismatch = checks.answers(spec.expectAnswer(), question, outcome.values());
        }
        if (mismatch != null) {
            String why = mismatch.message();
            attempt.explain(() -> "failed: " + why);
        }
        ProbeResult result = mismatch == null ? attempt.succeed() : attempt.fail(mismatch.reason(), mismatch.message());
        // The records travel with the result: the aggregator reads them to see where DNS sends this vantage point.
        return answered ? result.withAnswers(outcome.values(), outcome.chain()) : result;
    }

    private static List<String> texts(List<ResourceRecord> records) {
        return records.stream().map(ResourceRecord::text).toList();
    }

    /** The serial of the first SOA record among {@code records}. */
    private static Optional<Double> serial(List<ResourceRecord> records) {
        return records.stream()
                .filter(record -> record.type().equals("SOA"))
                .map(record -> Double.parseDouble(record.values().get(0).split(" ")[2]))
                .findFirst();
    }

    private static void explain(Attempt attempt, DnsExchange.Response response) {
        attempt.explain(() -> "response: " + DnsSpec.rcodeName(response.rcode()) + ", "
                + response.answer().size()
                + " answer, " + response.authority().size() + " authority, "
                + response.additional().size()
                + " additional records");
        section(attempt, "answer", response.answer());
        section(attempt, "authority", response.authority());
        section(attempt, "additional", response.additional());
    }

    private static void section(Attempt attempt, String name, List<ResourceRecord> records) {
        for (ResourceRecord record : records) {
            attempt.explain(() -> name + ": " + record.text());
        }
    }

    /** Moves the attempt to {@code phase}, ending the current one, unless it is there already or finished. */
    private static void into(Attempt attempt, Phase phase) {
        if (!attempt.finished() && attempt.phase() != phase) {
            attempt.enter(phase);
        }
    }

    /** Whether no server answered in time. */
    private static boolean timedOut(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
