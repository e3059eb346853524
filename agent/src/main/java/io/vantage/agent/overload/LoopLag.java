package io.vantage.agent.overload;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * How late one event loop runs what is due on it: a timer every {@value #SAMPLE_MILLIS} ms that measures how
 * long after its due time it fired. A loop short of CPU (too many probes for it, a busy node, a throttled
 * container, a long GC pause) runs everything late, including the callbacks that end probes, so a probe
 * that overlapped a lag of {@link #OVERLOAD_NANOS} or more cannot tell "the endpoint was slow" from "we were
 * slow to look". Owned by its loop: written there only; the gauge reads a volatile.
 */
public final class LoopLag {
    static final long SAMPLE_MILLIS = 100;
    /** A lag this large makes a timeout or a too_slow measured during it ambiguous. */
    public static final long OVERLOAD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Vertx vertx;
    private long due;
    private long timer = -1;
    private long overloadSeenAt = Long.MIN_VALUE;
    private long overloadLagNanos;
    private volatile long lastLagNanos;
    private volatile long overloadedSamples;

    public LoopLag(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Starts sampling; call on the loop it measures. */
    public void start() {
        due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS);
        timer = vertx.setTimer(SAMPLE_MILLIS, this::tick);
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }

    private void tick(long id) {
        long now = System.nanoTime();
        observe(now, now - due);
        due = now + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS);
        timer = vertx.setTimer(SAMPLE_MILLIS, this::tick);
    }

    /** Records that something due at {@code now - lagNanos} ran at {@code now} (the sampler, or a probe's own timer). */
    public void observe(long now, long lagNanos) {
        lastLagNanos = Math.max(0, lagNanos);
        if (lagNanos >= OVERLOAD_NANOS) {
            overloadSeenAt = now;
            overloadLagNanos = lagNanos;
            overloadedSamples++;
        }
    }

    /** Whether a lag of at least {@link #OVERLOAD_NANOS} was seen at or after {@code sinceNanos} (a {@code System.nanoTime()}). */
    public boolean overloadedSince(long sinceNanos) {
        return overloadSeenAt != Long.MIN_VALUE && overloadSeenAt - sinceNanos >= 0;
    }

    /** The lag of the latest overloaded sample, in milliseconds. */
    public long overloadLagMillis() {
        return TimeUnit.NANOSECONDS.toMillis(overloadLagNanos);
    }

    /** The latest sample, in seconds. */
    public double lastLagSeconds() {
        return lastLagNanos / 1e9;
    }

    /** Samples at or over the overload limit since start. */
    public long overloadedSamples() {
        return overloadedSamples;
    }
}
