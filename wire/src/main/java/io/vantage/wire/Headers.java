package io.vantage.wire;

/** HTTP headers of the wire protocol beyond the standard ones. */
public final class Headers {
    /**
     * On every aggregator answer: the name of the replica that answered (its host name). An agent that sees two names
     * behind one URL knows that URL is balanced over replicas, so no single replica hears all of the fleet.
     */
    public static final String REPLICA = "Vantage-Replica";

    /**
     * On every agent report: a random id of the agent's process, new at each start. An aggregator that sees two ids
     * reporting as one agent at once knows two processes share its id and token.
     */
    public static final String INSTANCE = "Vantage-Instance";

    private Headers() {}
}
