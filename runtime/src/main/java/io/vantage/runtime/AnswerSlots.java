package io.vantage.runtime;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A bound on answers being built or handed to their connections at once ({@code /metrics} of both processes), shared by
 * every event loop of a process, and a deadline for each: a streamed answer whose client stops reading holds its slot
 * until the deadline, then its connection is closed. Over the bound, the answer is a 503 with {@code Retry-After}: the
 * process stays within its memory whatever the clients do, and says it is busy rather than failing.
 */
public final class AnswerSlots {
    /** The reasons {@code refused} is told. */
    public static final String BUSY = "busy";

    public static final String DEADLINE = "deadline";

    private final int max;
    private final long deadlineMillis;
    private final Consumer<String> refused;
    private final AtomicInteger taken = new AtomicInteger();

    /** {@code refused} is told each refusal's reason: {@code busy} (no slot) or {@code deadline} (closed unfinished). */
    public AnswerSlots(int max, long deadlineMillis, Consumer<String> refused) {
        if (max < 1 || deadlineMillis < 1) {
            throw new IllegalArgumentException("max and deadlineMillis must be positive");
        }
        this.max = max;
        this.deadlineMillis = deadlineMillis;
        this.refused = refused;
    }

    /** A taken slot; {@link #release()} it once the answer's last bytes are handed to the connection. */
    @FunctionalInterface
    public interface Slot {
        void release();
    }

    /**
     * Takes a slot for {@code request}'s answer, given back by {@link Slot#release()} (the answer has been handed over:
     * a client that does not read it holds no slot, only its connection, which the idle timeout closes), when the
     * connection closes, or at the deadline, which closes the connection. When none is free, answers 503 itself and
     * returns null.
     */
    public Slot take(Vertx vertx, HttpServerRequest request) {
        if (taken.incrementAndGet() > max) {
            taken.decrementAndGet();
            refused.accept(BUSY);
            request.response()
                    .setStatusCode(503)
                    .putHeader(HttpHeaders.RETRY_AFTER, "5")
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(max + " answers are being built or written already; try again in a few seconds\n");
            return null;
        }
        AtomicBoolean given = new AtomicBoolean();
        long deadline = vertx.setTimer(deadlineMillis, fired -> {
            if (given.compareAndSet(false, true)) {
                taken.decrementAndGet();
                refused.accept(DEADLINE);
                request.connection().close();
            }
        });
        Slot slot = () -> {
            if (given.compareAndSet(false, true)) {
                taken.decrementAndGet();
                vertx.cancelTimer(deadline);
            }
        };
        request.response().closeHandler(closed -> slot.release());
        return slot;
    }

    /** Slots taken now. */
    public int taken() {
        return taken.get();
    }
}
