package io.vantage.aggregator;

import java.util.List;

/** What the status page may do to demo endpoints; absent outside {@code vantage-demo}. */
public interface DemoControl {
    List<String> regions();

    /** Applies {@code action} (break, slow, repair) to the region's endpoint; false when either is unknown. */
    boolean apply(String region, String action);
}
