package io.vantage.aggregator.members;

/**
 * A member as the status page, {@code /v1/status} and {@code /metrics} show it: its instance id (a pod's name), its
 * seat, whether it has a share ({@code sharing}; false while a returning member waits to rejoin), how many targets its
 * share holds, when it was last heard (any request) and when its results last counted (null: never).
 */
public record MemberView(String instance, int seat, boolean sharing, int targets, long lastSeen, Long lastReportAt) {
    /** Silent for longer than a member may be: it leaves at the next round. */
    public boolean gone(long now) {
        return now - lastSeen > Point.GONE_AFTER_MILLIS;
    }

    /** In a share and not gone as of {@code now}. */
    public boolean alive(long now) {
        return sharing && !gone(now);
    }
}
