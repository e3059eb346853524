package io.vantage.aggregator.members;

/**
 * A member as the status page, {@code /v1/status} and {@code /metrics} show it: its instance id (a pod's name), its
 * seat, whether it has a share ({@code sharing}; false while a returning member waits to rejoin), how many targets its
 * share holds, when it was last heard (any request) and when its results last counted (null: never).
 */
public record MemberView(String instance, int seat, boolean sharing, int targets, long lastSeen, Long lastReportAt) {}
