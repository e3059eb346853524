package io.vantage.agent.probe;

import io.vantage.wire.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a host name into an address, timed as the probe's dns phase. With no servers configured it
 * asks the operating system (hosts file, search domains, the JVM's cache) on a worker thread, like any
 * client on that host would; with servers it queries them directly, in order, skipping any cache.
 */
public final class Resolver {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** How many CNAMEs a name may lead through before the chain is given up (a loop, or a misconfiguration). */
    static final int MAX_CNAME_HOPS = 8;

    private final Vertx vertx;
    private final List<SocketAddress> configured;
    private final List<DnsClient> servers;

    public Resolver(Vertx vertx, List<SocketAddress> servers, Duration queryTimeout) {
        this.vertx = vertx;
        this.configured = List.copyOf(servers);
        this.servers = servers.stream()
                .map(server -> vertx.createDnsClient(new DnsClientOptions()
                        .setHost(server.host())
                        .setPort(server.port())
                        .setQueryTimeout(queryTimeout.toMillis())))
                .toList();
    }

    public List<SocketAddress> servers() {
        return configured;
    }

    public static boolean isAddress(String host) {
        return IPV4.matcher(host).matches() || host.indexOf(':') >= 0;
    }

    /**
     * Every address of the name as text, in the order given (the first is dialled first); fails with {@link
     * UnknownHostException} when the name does not resolve.
     */
    public Future<List<String>> resolve(String host) {
        if (servers.isEmpty()) {
            return vertx.executeBlocking(
                    () -> Arrays.stream(InetAddress.getAllByName(host))
                            .map(InetAddress::getHostAddress)
                            .toList(),
                    false);
        }
        return query(host, host, 0, 0);
    }

    /**
     * Asks for {@code name}'s address; a name that has none but is a CNAME is followed (a server that is authoritative
     * for the alias only answers with the CNAME), at most {@link #MAX_CNAME_HOPS} times.
     */
    private Future<List<String>> query(String host, String name, int index, int hops) {
        DnsClient server = servers.get(index);
        return server.resolveA(name).transform(answer -> {
            if (answer.succeeded() && !answer.result().isEmpty()) {
                return Future.succeededFuture(answer.result());
            }
            if (answer.succeeded() && hops < MAX_CNAME_HOPS) {
                return server.resolveCNAME(name)
                        .transform(cname -> cname.succeeded() && !cname.result().isEmpty()
                                ? query(host, Addresses.canonical(cname.result().get(0)), index, hops + 1)
                                : Future.failedFuture(new UnknownHostException(host + ": no address record")));
            }
            boolean nameError = answer.succeeded() || answer.cause() instanceof DnsException;
            if (!nameError && index + 1 < servers.size()) {
                return query(host, name, index + 1, hops);
            }
            String why = answer.succeeded() ? "no address record" : Failures.describe(answer.cause());
            return Future.failedFuture(new UnknownHostException(host + ": " + why));
        });
    }
}
