package io.vantage.agent.probe;

import io.vantage.agent.check.Checks;
import io.vantage.agent.overload.LoopLag;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.DnsSpec;
import io.vantage.wire.target.GrpcSpec;
import io.vantage.wire.target.HttpSpec;
import io.vantage.wire.target.ProbeSpec;
import io.vantage.wire.target.TargetSpec;
import io.vantage.wire.target.TcpSpec;
import io.vantage.wire.target.TlsSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The work shared by all probers, done once: dispatch by protocol, enforce the timeout, turn an
 * unexpected error into a classified failure, release the attempt's resources, and be honest about
 * itself: a timeout or too_slow measured while this loop ran late is {@code agent_overloaded}, no vote
 * (see {@link LoopLag}). The returned future always succeeds with a result.
 */
public final class ProbeRunner {
    private final Vertx vertx;
    private final Clock clock;
    private final HttpProber http;
    private final Http3Prober http3;
    private final TcpProber tcp;
    private final TlsProber tls;
    private final DnsProber dns;
    private final GrpcProber grpc;
    private final LoopLag lag;
    private final Dialer dialer;

    public ProbeRunner(Vertx vertx, Clock clock, Dialer dialer, LoopLag lag) {
        this.vertx = vertx;
        this.clock = clock;
        this.lag = lag;
        this.dialer = dialer;
        Checks checks = new Checks(); // one pattern cache for the loop's probes
        this.http = new HttpProber(dialer, checks);
        this.http3 = new Http3Prober(vertx, dialer, http);
        this.tcp = new TcpProber(dialer, checks);
        this.tls = new TlsProber(dialer, clock, checks);
        this.dns = new DnsProber(vertx, dialer, checks, Path.of("/etc/resolv.conf"));
        this.grpc = new GrpcProber(dialer);
    }

    public Future<ProbeResult> run(TargetSpec target) {
        long startMillis = clock.millis();
        long startNanos = System.nanoTime();
        String host = target.everyAddress() ? dialledName(target.probe()) : null;
        if (host == null) {
            return run(target, new Attempt(target.name(), startMillis, startNanos));
        }
        // addresses: every: one resolution, then one attempt per address, all within the one deadline.
        Future<List<String>> resolution = dialer.resolve(host);
        Attempt first = new Attempt(target.name(), startMillis, startNanos);
        first.pin(resolution, 0);
        Future<ProbeResult> firstResult = run(target, first);
        return resolution.transform(resolved -> {
            int count = resolved.succeeded() ? Math.min(resolved.result().size(), TargetSpec.MAX_EVERY_ADDRESSES) : 1;
            if (count <= 1) {
                return firstResult;
            }
            List<Future<ProbeResult>> results = new ArrayList<>(List.of(firstResult));
            for (int index = 1; index < count; index++) {
                Attempt attempt = new Attempt(target.name(), startMillis, startNanos);
                attempt.pin(resolution, index);
                results.add(run(target, attempt));
            }
            return Future.all(results).map(done -> everyAddress(done.list()));
        });
    }

    /**
     * One attempt of {@code target}, made by the caller so that it can read what the probe learned ({@link
     * Attempt#facts()}, {@link Attempt#explanation()}) once the result is in: {@code /probe}'s entry. Whatever the
     * target's {@code addresses}, one address is dialled, as by a client. Call on this runner's event loop.
     */
    public Future<ProbeResult> runOnce(TargetSpec target, Attempt attempt) {
        return run(target, attempt)
                .onSuccess(result -> attempt.explain(() -> result.success()
                        ? "probe succeeded" + (result.statusCode() == null ? "" : ": status " + result.statusCode())
                        : "probe failed: " + result.reason().label() + ": " + result.message()));
    }

    /**
     * The verdict of an {@code addresses: every} round: the first failing address's result (a vote), naming it and how
     * many failed; else, when one was measured while this agent ran late, that no-vote; else the slowest success.
     */
    static ProbeResult everyAddress(List<ProbeResult> results) {
        List<ProbeResult> failed =
                results.stream().filter(r -> !r.success() && r.isVote()).toList();
        if (!failed.isEmpty()) {
            ProbeResult first = failed.get(0);
            return first.withMessage("address " + first.address() + " (" + failed.size() + " of " + results.size()
                    + " addresses failing): " + first.message());
        }
        return results.stream()
                .filter(r -> !r.isVote())
                .findFirst()
                .orElseGet(() -> results.stream()
                        .max(Comparator.comparingDouble(r -> r.timings().total()))
                        .orElseThrow());
    }

    /** The host name a probe dials, or null when it dials an address or is a dns probe. */
    private static String dialledName(ProbeSpec spec) {
        String host = spec.accept(new ProbeSpec.Visitor<String>() {
            @Override
            public String http(HttpSpec spec) {
                return spec.host();
            }

            @Override
            public String tcp(TcpSpec spec) {
                return spec.host();
            }

            @Override
            public String tls(TlsSpec spec) {
                return spec.host();
            }

            @Override
            public String dns(DnsSpec spec) {
                return null;
            }

            @Override
            public String grpc(GrpcSpec spec) {
                return spec.host();
            }
        });
        return host == null || Resolver.isAddress(host) ? null : host;
    }

    private Future<ProbeResult> run(TargetSpec target, Attempt attempt) {
        int timeoutMillis = (int) target.timeout().toMillis();
        long left = timeoutMillis - attempt.elapsedNanos() / 1_000_000;
        Promise<ProbeResult> result = Promise.promise();
        long timer = vertx.setTimer(Math.max(1, left), fired -> {
            // The deadline's own timer is a lag sample: how late it fired is how late this loop runs.
            long now = System.nanoTime();
            lag.observe(now, now - attempt.startNanos() - timeoutMillis * 1_000_000L);
            if (!result.future().isComplete()) {
                result.complete(honest(attempt, attempt.timeOut(timeoutMillis)));
            }
        });
        Future<ProbeResult> probed;
        try {
            probed = dispatch(target.probe(), attempt, timeoutMillis);
        } catch (RuntimeException e) {
            probed = Future.failedFuture(e);
        }
        probed.onComplete(outcome -> {
            vertx.cancelTimer(timer);
            if (result.future().isComplete()) {
                return; // timed out earlier; that result stands
            }
            result.complete(honest(
                    attempt,
                    outcome.succeeded()
                            ? outcome.result()
                            : attempt.fail(
                                    Failures.classify(outcome.cause(), attempt.phase()),
                                    Failures.describe(outcome.cause()))));
        });
        return result.future();
    }

    /** The result, unless it is a failure that this loop's own lateness during the attempt could explain. */
    private ProbeResult honest(Attempt attempt, ProbeResult measured) {
        if (measured.success()
                || !measured.reason().dependsOnAgentTiming()
                || !lag.overloadedSince(attempt.startNanos())) {
            return measured;
        }
        return measured.overloaded(
                "no vote: this agent's event loop ran " + lag.overloadLagMillis() + "ms late during the probe");
    }

    private Future<ProbeResult> dispatch(ProbeSpec spec, Attempt attempt, int timeoutMillis) {
        return spec.accept(new ProbeSpec.Visitor<>() {
            @Override
            public Future<ProbeResult> http(HttpSpec spec) {
                return spec.http3()
                        ? http3.probe(spec, attempt, timeoutMillis)
                        : http.probe(spec, attempt, timeoutMillis);
            }

            @Override
            public Future<ProbeResult> tcp(TcpSpec spec) {
                return tcp.probe(spec, attempt, timeoutMillis);
            }

            @Override
            public Future<ProbeResult> tls(TlsSpec spec) {
                return tls.probe(spec, attempt, timeoutMillis);
            }

            @Override
            public Future<ProbeResult> dns(DnsSpec spec) {
                return dns.probe(spec, attempt, timeoutMillis);
            }

            @Override
            public Future<ProbeResult> grpc(GrpcSpec spec) {
                return grpc.probe(spec, attempt, timeoutMillis);
            }
        });
    }
}
