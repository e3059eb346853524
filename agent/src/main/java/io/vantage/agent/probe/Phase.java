package io.vantage.agent.probe;

/** Where a probe is; a timeout or error is classified by the phase it interrupted. */
public enum Phase {
    DNS,
    CONNECT,
    TLS,
    /** Request sent, waiting for the first byte of the answer. */
    WAIT,
    /** Reading the rest of the answer. */
    BODY,
    DONE
}
