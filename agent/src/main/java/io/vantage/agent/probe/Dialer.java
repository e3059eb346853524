package io.vantage.agent.probe;

import io.vantage.wire.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The dns, connect and tls phases every prober shares. Each step is timed separately (a resolved address
 * is dialled, then the plain socket is upgraded), which is what makes per-phase timings real.
 */
public final class Dialer {
    private final Vertx vertx;
    private final NetClient client;
    private final Resolver resolver;
    private final Map<String, Future<ClientSSLOptions>> tlsOptions = new ConcurrentHashMap<>();

    public Dialer(Vertx vertx, NetClient client, Resolver resolver) {
        this.vertx = vertx;
        this.client = client;
        this.resolver = resolver;
    }

    /** At most this many addresses of one name are dialled in one probe, in turn, while each refuses at once. */
    static final int MAX_ADDRESSES_TRIED = 4;

    /**
     * Resolves and connects. {@code tlsName}, when TLS will follow, is recorded as the peer's name so that
     * the handshake verifies the certificate against that name only, never against the bare address.
     * A name with several addresses is dialled address by address, as clients do, while each one refuses or is
     * unreachable at once (at most {@link #MAX_ADDRESSES_TRIED}); a connect timeout ends the probe, whose deadline it
     * is. The caller registers with the attempt how the socket is released.
     */
    public Future<NetSocket> connect(Attempt attempt, String host, int port, int timeoutMillis, String tlsName) {
        Future<List<String>> addresses;
        if (Resolver.isAddress(host)) {
            attempt.skip(Phase.CONNECT);
            addresses =
                    Future.succeededFuture(List.of(host.startsWith("[") ? host.substring(1, host.length() - 1) : host));
        } else {
            Future<List<String>> resolution =
                    attempt.sharedResolution() != null ? attempt.sharedResolution() : resolver.resolve(host);
            addresses = resolution.map(resolved -> {
                attempt.enter(Phase.CONNECT);
                attempt.resolved(resolved.stream().map(Addresses::canonical).toList());
                return attempt.sharedResolution() == null ? resolved : List.of(resolved.get(attempt.pinnedIndex()));
            });
        }
        return addresses.compose(all -> dial(attempt, all, 0, port, timeoutMillis, tlsName));
    }

    /** The addresses of {@code host}, as {@link #connect} would dial them. */
    public Future<List<String>> resolve(String host) {
        return resolver.resolve(host);
    }

    private Future<NetSocket> dial(
            Attempt attempt, List<String> addresses, int index, int port, int timeoutMillis, String tlsName) {
        String ip = addresses.get(index);
        attempt.address(Addresses.canonical(ip));
        return client.connect(new ConnectOptions()
                        .setRemoteAddress(remote(ip, port, tlsName))
                        .setTimeout(timeoutMillis))
                .recover(error -> {
                    boolean another = index + 1 < Math.min(addresses.size(), MAX_ADDRESSES_TRIED);
                    if (!another || attempt.finished() || !refusedAtOnce(error)) {
                        return Future.failedFuture(error);
                    }
                    return dial(attempt, addresses, index + 1, port, timeoutMillis, tlsName);
                });
    }

    /** A connect failure that came back at once (refused, unreachable), as opposed to a timeout. */
    private static boolean refusedAtOnce(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException
                    && !(cause instanceof io.netty.channel.ConnectTimeoutException)) {
                return true;
            }
        }
        return false;
    }

    /** The agent's own DNS servers ({@code dns.servers}); empty: the operating system's resolver. */
    public List<SocketAddress> dnsServers() {
        return resolver.servers();
    }

    private static SocketAddress remote(String ip, int port, String tlsName) {
        if (tlsName == null || Resolver.isAddress(tlsName)) {
            return SocketAddress.inetSocketAddress(port, ip);
        }
        try {
            // An address literal is parsed, never looked up; the name rides along for TLS identity checks.
            byte[] raw = InetAddress.getByName(ip).getAddress();
            return SocketAddress.inetSocketAddress(new InetSocketAddress(InetAddress.getByAddress(tlsName, raw), port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + ip, e);
        }
    }

    /**
     * Upgrades to TLS, presenting and verifying {@code serverName}, the name {@link #connect} attached to the address;
     * returns the leaf certificate.
     * {@code caFile} replaces the JVM's trust store; verification is skipped only when asked for by name. Chains are
     * validated by the JDK's trust manager, which remembers the ones it accepted ({@link VerifiedChains}).
     */
    public Future<X509Certificate> secure(
            Attempt attempt, NetSocket socket, String serverName, String caFile, boolean insecureSkipVerify) {
        attempt.enter(Phase.TLS);
        return tlsOptions(caFile, insecureSkipVerify)
                .compose(options -> socket.upgradeToSsl(options, explicitSni(serverName)))
                .compose(done -> {
                    try {
                        List<Certificate> chain = socket.peerCertificates();
                        X509Certificate leaf = (X509Certificate) chain.get(0);
                        attempt.tlsNotAfter(leaf.getNotAfter().toInstant().getEpochSecond());
                        return Future.succeededFuture(leaf);
                    } catch (SSLPeerUnverifiedException | RuntimeException e) {
                        return Future.failedFuture(e);
                    }
                });
    }

    /**
     * The SNI name to hand to Vert.x, or null when the TLS engine sends it without being asked. Both engines (the JDK's
     * and BoringSSL's) send the peer's host, which {@link #connect} attached to the address, when it is a dotted name
     * (RFC 6066 asks for a fully qualified name); asking Vert.x for it again makes it read and rewrite the engine's
     * parameters on every handshake, 2-3 % of the agent's CPU at 300 HTTPS probes/s with BoringSSL
     * (docs/benchmarks.md). A single-label name (localhost, a Kubernetes service), which the engines leave out, is
     * handed over so that it is still sent; an address is never sent.
     */
    static String explicitSni(String serverName) {
        boolean enginesSendIt = serverName.indexOf('.') > 0 && !serverName.endsWith(".");
        return Resolver.isAddress(serverName) || enginesSendIt ? null : serverName;
    }

    /**
     * The options for this trust setting. The first probe of each setting reads the trust store (the JVM's, or {@code
     * caFile}) on a worker thread, never on the probe loop, and probes of the same setting that start meanwhile wait for
     * that one read. A store that cannot be read fails those probes, not the loop; the failed read is not kept, so the
     * next probe reads again. Once read, a lookup takes no lock.
     */
    private Future<ClientSSLOptions> tlsOptions(String caFile, boolean insecureSkipVerify) {
        String key = insecureSkipVerify ? "\0insecure" : caFile == null ? "" : caFile;
        Future<ClientSSLOptions> known = tlsOptions.get(key);
        if (known != null && !known.failed()) {
            return known;
        }
        return tlsOptions.compute(
                key, (k, current) -> current == null || current.failed() ? read(caFile, insecureSkipVerify) : current);
    }

    private Future<ClientSSLOptions> read(String caFile, boolean insecureSkipVerify) {
        return vertx.executeBlocking(
                () -> {
                    ClientSSLOptions options = new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS");
                    if (insecureSkipVerify) {
                        return options.setTrustAll(true).setHostnameVerificationAlgorithm("");
                    }
                    try {
                        return options.setTrustOptions(TrustOptions.wrap(VerifiedChains.trusting(caFile)));
                    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                        throw new IllegalStateException(
                                (caFile == null ? "the JVM's trust store" : "caFile " + caFile)
                                        + " could not be loaded: " + e.getMessage(),
                                e);
                    }
                },
                false);
    }
}
