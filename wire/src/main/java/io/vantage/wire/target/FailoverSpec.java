package io.vantage.wire.target;

import io.vantage.wire.Checks;
import java.time.Duration;

/** What the aggregator needs to predict time to failover; agents ignore it. */
public record FailoverSpec(Duration dnsTtl) {
    public static final FailoverSpec DEFAULT = new FailoverSpec(null);

    public FailoverSpec {
        dnsTtl = dnsTtl == null ? Duration.ofSeconds(60) : dnsTtl;
        Checks.positive("dnsTtl", dnsTtl, Duration.ZERO, Duration.ofDays(2));
    }
}
