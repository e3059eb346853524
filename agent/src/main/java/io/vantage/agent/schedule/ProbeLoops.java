package io.vantage.agent.schedule;

import io.vantage.agent.metrics.AgentMetrics;
import io.vantage.agent.probe.Attempt;
import io.vantage.agent.probe.TlsEngine;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The agent's probes, spread over several event loops (by default one per core). Each target belongs to
 * one loop, chosen by its name, for as long as it exists, so its schedule, overrun state and keep-alive
 * connection live on that loop only. {@code maxInFlight} is divided between the loops, so together they
 * never run more than it.
 */
public final class ProbeLoops {
    private final List<ProbeLoop> loops;
    private final AtomicInteger next = new AtomicInteger();

    private ProbeLoops(List<ProbeLoop> loops) {
        this.loops = loops;
    }

    /**
     * Deploys {@code count} loops (fewer if {@code maxInFlight} is smaller). {@code sink} receives every result, on the
     * loop that measured it, in batches of the results a loop measured within {@link ProbeLoop#HANDOFF_MILLIS}.
     */
    public static Future<ProbeLoops> deploy(
            Vertx vertx,
            int count,
            int maxInFlight,
            TlsEngine engine,
            List<SocketAddress> dnsServers,
            Duration dnsTimeout,
            Clock clock,
            AgentMetrics metrics,
            Consumer<List<ProbeResult>> sink) {
        int n = Math.max(1, Math.min(count, maxInFlight));
        List<ProbeLoop> loops = new ArrayList<>(n);
        List<Future<String>> deployed = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int share = maxInFlight / n + (i < maxInFlight % n ? 1 : 0);
            ProbeLoop loop = new ProbeLoop(engine, dnsServers, dnsTimeout, clock, metrics, sink, share);
            loops.add(loop);
            deployed.add(vertx.deployVerticle(loop));
        }
        return Future.all(deployed).map(done -> {
            for (int i = 0; i < n; i++) {
                metrics.loopLag(i, loops.get(i).lag());
            }
            return new ProbeLoops(List.copyOf(loops));
        });
    }

    /** Makes {@code targets} the schedule, each target on its loop; unchanged targets keep their timers. */
    public void update(List<TargetSpec> targets) {
        List<List<TargetSpec>> shares = new ArrayList<>(loops.size());
        loops.forEach(loop -> shares.add(new ArrayList<>()));
        for (TargetSpec target : targets) {
            shares.get(loopOf(target.name())).add(target);
        }
        for (int i = 0; i < loops.size(); i++) {
            loops.get(i).update(shares.get(i));
        }
    }

    /**
     * One attempt of {@code target} outside the schedule ({@code /probe}), on the loops in turn; completes on the loop
     * that ran it, with the attempt's facts and explanation filled.
     */
    public Future<ProbeResult> probeOnce(TargetSpec target, Attempt attempt) {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size())).probeOnce(target, attempt);
    }

    private int loopOf(String target) {
        return Math.floorMod(target.hashCode(), loops.size());
    }

    public int count() {
        return loops.size();
    }

    public int size() {
        return loops.stream().mapToInt(loop -> loop.scheduler().size()).sum();
    }

    public int inFlight() {
        return loops.stream().mapToInt(loop -> loop.scheduler().inFlight()).sum();
    }

    public long started() {
        return loops.stream().mapToLong(loop -> loop.scheduler().started()).sum();
    }

    /** The offset in its interval at which each target was first scheduled. */
    public Future<Map<String, Long>> offsets() {
        List<Future<Map<String, Long>>> each =
                loops.stream().map(ProbeLoop::offsets).toList();
        return Future.all(each).map(done -> {
            Map<String, Long> offsets = new HashMap<>();
            each.forEach(loop -> offsets.putAll(loop.result()));
            return offsets;
        });
    }
}
