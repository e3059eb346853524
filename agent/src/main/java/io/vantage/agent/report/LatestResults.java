package io.vantage.agent.report;

import io.vantage.wire.report.ProbeResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Unsent results, newest per target. Health is about now: an older unsent result for a target is
 * replaced, never queued behind, so memory is bounded by the number of targets. Not thread-safe: one
 * event loop owns it.
 */
public final class LatestResults {
    private final Map<String, ProbeResult> pending = new LinkedHashMap<>();
    private long superseded;

    /**
     * Keeps {@code result} unless a newer one for its target is already waiting, or it is no vote (measured
     * while the agent ran late) and a vote is waiting: a real measurement is never pushed out by the agent's
     * own lateness.
     */
    public void offer(ProbeResult result) {
        ProbeResult previous = pending.get(result.target());
        if (previous != null) {
            superseded++; // one of the two is dropped
            if (previous.timestamp() > result.timestamp() || (previous.isVote() && !result.isVote())) {
                return;
            }
        }
        pending.put(result.target(), result);
    }

    /** Removes and returns up to {@code max} results, oldest target first. */
    public List<ProbeResult> take(int max) {
        List<ProbeResult> batch = new ArrayList<>(Math.min(max, pending.size()));
        Iterator<ProbeResult> iterator = pending.values().iterator();
        while (iterator.hasNext() && batch.size() < max) {
            batch.add(iterator.next());
            iterator.remove();
        }
        return batch;
    }

    /** Puts back results that failed to send, unless a newer result for the target arrived meanwhile. */
    public void restore(List<ProbeResult> unsent) {
        for (ProbeResult result : unsent) {
            pending.merge(result.target(), result, (newer, old) -> newer.timestamp() >= old.timestamp() ? newer : old);
        }
    }

    /** Drops results of targets no longer probed; returns how many were dropped. */
    public int retain(Set<String> targets) {
        int before = pending.size();
        pending.keySet().retainAll(targets);
        return before - pending.size();
    }

    public int size() {
        return pending.size();
    }

    public long superseded() {
        return superseded;
    }
}
