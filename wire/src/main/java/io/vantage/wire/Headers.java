package io.vantage.wire;

/** HTTP headers of the wire protocol beyond the standard ones. */
public final class Headers {
    /**
     * On every aggregator answer: the name of the replica that answered (its host name). An agent that sees two names
     * behind one URL knows that URL is balanced over replicas, so no single replica hears all of the fleet.
     */
    public static final String REPLICA = "Vantage-Replica";

    private Headers() {}
}
