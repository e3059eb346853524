package io.vantage.aggregator.quorum;

import java.util.Locale;

/** What the fleet concludes about one target. */
public enum Verdict {
    HEALTHY,
    UNHEALTHY,
    /** Too few fresh vantage points to say: publish nothing, so that a blind fleet never fails traffic over. */
    INSUFFICIENT_DATA;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
