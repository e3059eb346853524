package io.vantage.agent.schedule;

import io.vantage.agent.metrics.AgentMetrics;
import io.vantage.agent.probe.Dialer;
import io.vantage.agent.probe.LoopLag;
import io.vantage.agent.probe.ProbeRunner;
import io.vantage.agent.probe.Resolver;
import io.vantage.agent.probe.TlsEngine;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * One event loop's share of the probes: its own scheduler, client, resolver and lag sampler, all used from
 * this verticle's loop only, so the probe path takes no lock. Results leave through {@code sink}, on this loop.
 */
final class ProbeLoop extends VerticleBase {
    private final TlsEngine engine;
    private final List<SocketAddress> dnsServers;
    private final Duration dnsTimeout;
    private final Clock clock;
    private final AgentMetrics metrics;
    private final Consumer<ProbeResult> sink;
    private final int maxInFlight;
    private Scheduler scheduler;
    private LoopLag lag;

    ProbeLoop(
            TlsEngine engine,
            List<SocketAddress> dnsServers,
            Duration dnsTimeout,
            Clock clock,
            AgentMetrics metrics,
            Consumer<ProbeResult> sink,
            int maxInFlight) {
        this.engine = engine;
        this.dnsServers = dnsServers;
        this.dnsTimeout = dnsTimeout;
        this.clock = clock;
        this.metrics = metrics;
        this.sink = sink;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public Future<?> start() {
        lag = new LoopLag(vertx);
        lag.start();
        Dialer dialer = new Dialer(
                vertx, vertx.createNetClient(engine.clientOptions()), new Resolver(vertx, dnsServers, dnsTimeout));
        scheduler = new Scheduler(
                vertx, new ProbeRunner(vertx, clock, dialer, lag), metrics, sink, maxInFlight, new Random());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        scheduler.stop();
        lag.stop();
        return Future.succeededFuture();
    }

    /** Makes {@code targets} this loop's schedule; may be called from any thread. */
    void update(List<TargetSpec> targets) {
        context.runOnContext(v -> scheduler.update(targets));
    }

    Scheduler scheduler() {
        return scheduler;
    }

    LoopLag lag() {
        return lag;
    }
}
