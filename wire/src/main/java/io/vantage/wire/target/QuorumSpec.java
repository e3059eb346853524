package io.vantage.wire.target;

import io.vantage.wire.Checks;
import java.time.Duration;

/**
 * How the aggregator turns vantage points into a verdict: at least {@code minVantages} fresh results
 * are needed for any verdict, {@code healthy} of them must be healthy, and the published verdict moves
 * only after {@code rise} (or {@code fall}) consecutive agreeing evaluations. A vantage point's own vote
 * changes only after {@code confirm} consecutive results agree (default 2), so an endpoint that fails every
 * other probe does not move any vote, let alone the verdict. {@code freshness} defaults to three intervals.
 */
public record QuorumSpec(
        Integer minVantages, Integer healthy, Integer rise, Integer fall, Duration freshness, Integer confirm) {
    public static final QuorumSpec DEFAULT = new QuorumSpec(null, null, null, null, null, null);
    public static final int DEFAULT_CONFIRM = 2;

    /** Without {@code confirm} (it defaults to 2). */
    public QuorumSpec(Integer minVantages, Integer healthy, Integer rise, Integer fall, Duration freshness) {
        this(minVantages, healthy, rise, fall, freshness, null);
    }

    public QuorumSpec {
        minVantages = minVantages == null ? 2 : minVantages;
        healthy = healthy == null ? Math.min(2, minVantages) : healthy;
        rise = rise == null ? 2 : rise;
        fall = fall == null ? 2 : fall;
        Checks.range("minVantages", minVantages, 1, 100);
        Checks.range("healthy", healthy, 1, 100);
        if (healthy > minVantages) {
            // Otherwise minVantages fresh and all healthy would still be UNHEALTHY: a partly blind
            // fleet would fail traffic over, which insufficient data exists to prevent.
            throw Checks.invalid("healthy", healthy + " must not exceed minVantages (" + minVantages + ")");
        }
        Checks.range("rise", rise, 1, 100);
        Checks.range("fall", fall, 1, 100);
        confirm = confirm == null ? DEFAULT_CONFIRM : confirm;
        Checks.range("confirm", confirm, 1, 10);
        if (freshness != null) {
            Checks.positive("freshness", freshness, Duration.ofSeconds(1), Duration.ofHours(1));
        }
    }
}
