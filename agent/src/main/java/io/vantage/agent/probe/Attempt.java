package io.vantage.agent.probe;

import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One run of one probe: its phase, the time spent in each phase, what was learned (status, certificate
 * expiry) and the resources to release if it is abandoned. Used from one event-loop thread only.
 */
public final class Attempt {
    private final String target;
    private final long startedAtMillis;
    private final long startNanos;
    // first_byte counts from the start of the probe, as curl's time_starttransfer does.
    private final long[] phaseNanos = new long[Phase.values().length];
    private final boolean[] phaseReached = new boolean[Phase.values().length];
    private final List<Runnable> cleanups = new ArrayList<>(2);
    private Phase phase;
    private long phaseStartNanos;
    private Integer statusCode;
    private Long tlsNotAfter;
    private String address;
    private List<String> resolved;
    private long firstByteNanos = -1;
    private boolean finished;
    private Future<List<String>> sharedResolution;
    private int pinnedIndex = -1;
    private final EnumMap<Fact, Double> facts = new EnumMap<>(Fact.class);
    private List<String> explanation;
    private DialCheck dialCheck;
    private String refused;

    /** Why an address may not be dialled, or null when it may. */
    @FunctionalInterface
    public interface DialCheck {
        String refusal(String host, String address, int port);
    }

    public Attempt(String target, long startedAtMillis, long startNanos) {
        this.target = target;
        this.startedAtMillis = startedAtMillis;
        this.startNanos = startNanos;
        this.phaseStartNanos = startNanos;
        this.phase = Phase.DNS;
    }

    public String target() {
        return target;
    }

    /** When the attempt started, as {@code System.nanoTime()}. */
    public long startNanos() {
        return startNanos;
    }

    public Phase phase() {
        return phase;
    }

    public boolean finished() {
        return finished;
    }

    /** Ends the current phase now and starts {@code next}. */
    public void enter(Phase next) {
        long now = System.nanoTime();
        phaseNanos[phase.ordinal()] += now - phaseStartNanos;
        phaseReached[phase.ordinal()] = true;
        phase = next;
        phaseStartNanos = now;
        if (next == Phase.BODY) {
            firstByteNanos = now - startNanos;
        }
    }

    /** Skips a phase that does not apply (no DNS for an address, no TLS for plain HTTP) without timing it. */
    public void skip(Phase next) {
        phase = next;
    }

    public long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    public void statusCode(int statusCode) {
        this.statusCode = statusCode;
    }

    public void tlsNotAfter(long epochSeconds) {
        this.tlsNotAfter = epochSeconds;
    }

    /** The address the probe connects to (canonical form): it travels with the result. */
    public void address(String connectedTo) {
        this.address = connectedTo;
    }

    /** What the dns phase answered for the target's name (canonical form): it travels with the result as its answers. */
    public void resolved(List<String> addresses) {
        this.resolved = addresses;
    }

    /**
     * Makes this attempt one of an {@code addresses: every} round: it dials only address {@code index} of {@code
     * resolution}, the name's one resolution that the round's attempts share (each times its dns phase to it).
     */
    public void pin(Future<List<String>> resolution, int index) {
        this.sharedResolution = resolution;
        this.pinnedIndex = index;
    }

    /** The shared resolution this attempt is pinned to, or null when it resolves and dials as a client does. */
    public Future<List<String>> sharedResolution() {
        return sharedResolution;
    }

    /** Which address of {@link #sharedResolution()} this attempt dials. */
    public int pinnedIndex() {
        return pinnedIndex;
    }

    /** Records what the probe learned beyond its result (for {@code /probe}'s answer; never sent to an aggregator). */
    public void fact(Fact fact, double value) {
        facts.put(fact, value);
    }

    /** What the probe learned beyond its result, by {@link Fact}. */
    public Map<Fact, Double> facts() {
        return facts;
    }

    /** Makes this attempt keep the lines probers {@link #explain} (a {@code /probe?debug=true} request). */
    public void explaining() {
        explanation = new ArrayList<>();
    }

    /** One step of the probe in words, kept only when {@link #explaining()}: the text is built only then. */
    public void explain(Supplier<String> line) {
        if (explanation != null) {
            explanation.add(String.format("%.6fs %s", elapsedNanos() / 1e9, line.get()));
        }
    }

    /** The lines explained so far (empty unless {@link #explaining()}). */
    public List<String> explanation() {
        return explanation == null ? List.of() : explanation;
    }

    /**
     * Makes every address this attempt dials pass {@code check} first ({@code /probe}'s allow-list), those of a
     * redirect's host included; a refused address ends the probe before it is dialled.
     */
    public void checkDials(DialCheck check) {
        this.dialCheck = check;
    }

    /** Why a dial was refused by the {@link #checkDials} check, or null. */
    public String refused() {
        return refused;
    }

    /** The check's refusal of {@code address} (dialled for {@code host}), remembered; null when it may be dialled. */
    String refusal(String host, String address, int port) {
        String refusal = dialCheck == null ? null : dialCheck.refusal(host, address, port);
        if (refusal != null) {
            refused = refusal;
        }
        return refusal;
    }

    /** Registers something to release (a socket) when the attempt ends, however it ends. */
    public void onFinish(Runnable cleanup) {
        if (finished) {
            cleanup.run();
        } else {
            cleanups.add(cleanup);
        }
    }

    public ProbeResult succeed() {
        return finish(null, null);
    }

    public ProbeResult fail(FailureReason reason, String message) {
        return finish(reason, message);
    }

    /** The result when the deadline passes, classified by the phase it interrupted. */
    public ProbeResult timeOut(long timeoutMillis) {
        String where = switch (phase) {
            case DNS -> "resolving the name";
            case CONNECT -> "connecting";
            case TLS -> "in the TLS handshake";
            case WAIT -> "waiting for the response";
            case BODY -> "reading the response body";
            case DONE -> "finishing";
        };
        FailureReason reason = switch (phase) {
            case DNS -> FailureReason.DNS;
            case CONNECT -> FailureReason.CONNECT_TIMEOUT;
            case TLS, WAIT, BODY, DONE -> FailureReason.TIMEOUT;
        };
        return finish(reason, "no answer within " + timeoutMillis + "ms: timed out " + where);
    }

    private ProbeResult finish(FailureReason reason, String message) {
        if (phase != Phase.DONE) {
            enter(Phase.DONE);
        }
        finished = true;
        for (Runnable cleanup : cleanups) {
            cleanup.run();
        }
        cleanups.clear();
        long totalNanos = System.nanoTime() - startNanos;
        PhaseTimings timings = new PhaseTimings(
                seconds(Phase.DNS),
                seconds(Phase.CONNECT),
                seconds(Phase.TLS),
                firstByteNanos >= 0 ? secondsOf(firstByteNanos) : null,
                totalNanos / 1e9);
        return new ProbeResult(
                target,
                startedAtMillis,
                reason == null,
                reason,
                statusCode,
                timings,
                tlsNotAfter,
                reason == null ? null : message,
                resolved == null ? null : resolved.subList(0, Math.min(ProbeResult.MAX_ANSWERS, resolved.size())),
                null,
                address);
    }

    private Double seconds(Phase of) {
        return phaseReached[of.ordinal()] ? secondsOf(phaseNanos[of.ordinal()]) : null;
    }

    private static Double secondsOf(long nanos) {
        return nanos / 1e9;
    }
}
