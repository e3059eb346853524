package io.vantage.agent.schedule;

import io.vantage.agent.metrics.AgentMetrics;
import io.vantage.agent.probe.ProbeRunner;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each target's probe once per interval. Must be used from one Vert.x context (its probe loop's),
 * which is also where its timers fire and its probes run, so its state needs no locks; the counters other
 * threads read (size, in flight, started) are volatile, written by that loop only.
 */
public final class Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private final Vertx vertx;
    private final ProbeRunner runner;
    private final AgentMetrics metrics;
    private final Consumer<ProbeResult> sink;
    private final int maxInFlight;
    private final Random random;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private volatile int inFlight;
    private volatile long started;
    private volatile int size;

    public Scheduler(
            Vertx vertx,
            ProbeRunner runner,
            AgentMetrics metrics,
            Consumer<ProbeResult> sink,
            int maxInFlight,
            Random random) {
        this.vertx = vertx;
        this.runner = runner;
        this.metrics = metrics;
        this.sink = sink;
        this.maxInFlight = maxInFlight;
        this.random = random;
    }

    /**
     * Makes {@code targets} the schedule. Targets probed the same way as before keep their timers (and so
     * their phase); new or changed ones are spread over their interval; removed ones stop.
     */
    public void update(List<TargetSpec> targets) {
        Map<String, TargetSpec> wanted = new LinkedHashMap<>();
        targets.forEach(target -> wanted.put(target.name(), target));
        int removed = 0;
        for (var iterator = entries.values().iterator(); iterator.hasNext(); ) {
            Entry entry = iterator.next();
            TargetSpec next = wanted.get(entry.spec.name());
            if (entry.spec.sameProbe(next)) {
                entry.spec = next; // quorum or failover changed only: same schedule
                continue;
            }
            vertx.cancelTimer(entry.timer);
            iterator.remove();
            removed++;
        }
        Map<Duration, List<TargetSpec>> added = new HashMap<>();
        for (TargetSpec target : wanted.values()) {
            if (!entries.containsKey(target.name())) {
                added.computeIfAbsent(target.interval(), interval -> new ArrayList<>())
                        .add(target);
            }
        }
        int count = 0;
        for (List<TargetSpec> group : added.values()) {
            for (int i = 0; i < group.size(); i++) {
                TargetSpec target = group.get(i);
                long interval = target.interval().toMillis();
                Entry entry = new Entry(target, Spread.offsetMillis(i, group.size(), interval, random));
                entry.timer = vertx.setPeriodic(Math.max(1, entry.offsetMillis), interval, tick -> fire(entry));
                entries.put(target.name(), entry);
                count++;
            }
        }
        size = entries.size();
        LOG.debug(
                "schedule updated: {} targets ({} added or changed, {} removed or changed, {} unchanged)",
                entries.size(),
                count,
                removed,
                entries.size() - count);
    }

    public void stop() {
        entries.values().forEach(entry -> vertx.cancelTimer(entry.timer));
        entries.clear();
        size = 0;
    }

    public int size() {
        return size;
    }

    public int inFlight() {
        return inFlight;
    }

    /** Probes started since the scheduler was created. */
    public long started() {
        return started;
    }

    /** The offset in its interval at which each target was first scheduled; from the scheduler's context only. */
    public Map<String, Long> offsets() {
        Map<String, Long> offsets = new LinkedHashMap<>();
        entries.forEach((name, entry) -> offsets.put(name, entry.offsetMillis));
        return offsets;
    }

    private void fire(Entry entry) {
        if (entry.running) {
            metrics.overrun(entry.spec.name());
            return;
        }
        if (inFlight >= maxInFlight) {
            metrics.skippedInFlight();
            return;
        }
        entry.running = true;
        inFlight++;
        started++;
        runner.run(entry.spec).onComplete(outcome -> {
            entry.running = false;
            inFlight--;
            if (entries.get(entry.spec.name()) == entry && outcome.succeeded()) {
                sink.accept(outcome.result());
            } else if (outcome.failed()) {
                LOG.error("probe runner failed for {}", entry.spec.name(), outcome.cause());
            }
        });
    }

    private static final class Entry {
        private final long offsetMillis;
        private TargetSpec spec;
        private long timer;
        private boolean running;

        Entry(TargetSpec spec, long offsetMillis) {
            this.spec = spec;
            this.offsetMillis = offsetMillis;
        }
    }
}
