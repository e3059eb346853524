package io.vantage.wire;

/** HTTP headers of the wire protocol beyond the standard ones. */
public final class Headers {
    /**
     * On every aggregator answer: the name of the replica that answered (its host name). An agent that sees two names
     * behind one URL knows that URL is balanced over replicas, so no single replica hears all of the fleet.
     */
    public static final String REPLICA = "Vantage-Replica";

    /**
     * On every agent report and target-list fetch: which member of its vantage point the agent process is
     * ({@code VANTAGE_INSTANCE}, a pod's name, else random at each start). The aggregator gives each member its own
     * share of the targets and counts its results in its own seat.
     */
    public static final String INSTANCE = "Vantage-Instance";

    private Headers() {}
}
