package io.vantage.agent.schedule;

import io.vantage.agent.metrics.AgentMetrics;
import io.vantage.agent.overload.LoopLag;
import io.vantage.agent.probe.Attempt;
import io.vantage.agent.probe.Dialer;
import io.vantage.agent.probe.ProbeRunner;
import io.vantage.agent.probe.Resolver;
import io.vantage.agent.probe.TlsEngine;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * One event loop's share of the probes: its own scheduler, client, resolver and lag sampler, all used from
 * this verticle's loop only, so the probe path takes no lock. Results leave through {@code sink}, on this loop, in
 * batches: handing each result to another thread on its own woke that thread once per probe, 3-4 % of the agent's CPU
 * at 300 HTTPS probes/s (docs/benchmarks.md).
 */
final class ProbeLoop extends VerticleBase {
    /** A result waits at most this long on its loop before it is handed on with the others measured meanwhile. */
    static final long HANDOFF_MILLIS = 100;

    private final TlsEngine engine;
    private final List<SocketAddress> dnsServers;
    private final Duration dnsTimeout;
    private final Clock clock;
    private final AgentMetrics metrics;
    private final Consumer<List<ProbeResult>> sink;
    private final int maxInFlight;
    private final List<ProbeResult> pending = new ArrayList<>();
    private Scheduler scheduler;
    private ProbeRunner runner;
    private LoopLag lag;

    ProbeLoop(
            TlsEngine engine,
            List<SocketAddress> dnsServers,
            Duration dnsTimeout,
            Clock clock,
            AgentMetrics metrics,
            Consumer<List<ProbeResult>> sink,
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
        Dialer dialer = new Dialer(vertx, engine, new Resolver(vertx, dnsServers, dnsTimeout));
        runner = new ProbeRunner(vertx, clock, dialer, lag);
        scheduler = new Scheduler(vertx, runner, metrics, this::collect, maxInFlight, new Random());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        scheduler.stop();
        lag.stop();
        if (!pending.isEmpty()) {
            handOff();
        }
        return Future.succeededFuture();
    }

    private void collect(ProbeResult result) {
        pending.add(result);
        if (pending.size() == 1) {
            vertx.setTimer(HANDOFF_MILLIS, timer -> handOff());
        }
    }

    private void handOff() {
        List<ProbeResult> batch = List.copyOf(pending);
        pending.clear();
        sink.accept(batch);
    }

    /** Makes {@code targets} this loop's schedule; may be called from any thread. */
    void update(List<TargetSpec> targets) {
        context.runOnContext(v -> scheduler.update(targets));
    }

    /**
     * One attempt of {@code target} outside the schedule, on this loop ({@code /probe}); completes on this loop. It
     * counts against no scheduling bound: {@code /probe} bounds its own probes.
     */
    Future<ProbeResult> probeOnce(TargetSpec target, Attempt attempt) {
        Promise<ProbeResult> result = Promise.promise();
        context.runOnContext(v -> runner.runOnce(target, attempt).onComplete(result));
        return result.future();
    }

    /** The scheduler's offsets, read on this loop. */
    Future<Map<String, Long>> offsets() {
        Promise<Map<String, Long>> offsets = Promise.promise();
        context.runOnContext(v -> offsets.complete(scheduler.offsets()));
        return offsets.future();
    }

    Scheduler scheduler() {
        return scheduler;
    }

    LoopLag lag() {
        return lag;
    }
}
