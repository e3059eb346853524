package io.vantage.agent.testing;

import io.vantage.agent.overload.LoopLag;
import io.vantage.agent.probe.Dialer;
import io.vantage.agent.probe.ProbeRunner;
import io.vantage.agent.probe.Resolver;
import io.vantage.agent.probe.TlsEngine;
import io.vantage.wire.Documents;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Runs real probes from a test: the production runner, on one Vert.x context, as a probe loop does. */
public final class Probes {
    private final Context context;
    private final ProbeRunner runner;

    public Probes(Vertx vertx, List<SocketAddress> dnsServers) {
        this(vertx, dnsServers, TlsEngine.detect());
    }

    public Probes(Vertx vertx, List<SocketAddress> dnsServers, TlsEngine engine) {
        this.context = vertx.getOrCreateContext();
        Dialer dialer = new Dialer(vertx, engine, new Resolver(vertx, dnsServers, Duration.ofSeconds(2)));
        this.runner = new ProbeRunner(vertx, Clock.systemUTC(), dialer, new LoopLag(vertx));
    }

    /** The context the probes run on (one event loop, as a probe loop's). */
    public Context context() {
        return context;
    }

    public static TargetSpec target(String yaml) {
        return Documents.readYaml(yaml, TargetSpec.class);
    }

    public ProbeResult probe(TargetSpec target) {
        Promise<ProbeResult> result = Promise.promise();
        context.runOnContext(v -> runner.run(target).onComplete(result));
        return result.future().await();
    }

    public ProbeResult probe(String yaml) {
        return probe(target(yaml));
    }
}
