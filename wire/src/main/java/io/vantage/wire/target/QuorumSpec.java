package io.vantage.wire.target;

import io.vantage.wire.Checks;
import java.time.Duration;

/**
 * How the aggregator turns vantage points into a verdict: at least {@code minVantages} fresh results
 * are needed for any verdict, {@code healthy} of them must be healthy, and the published verdict moves
 * only after {@code rise} (or {@code fall}) consecutive agreeing evaluations. A vantage point's own vote
 * changes only after {@code confirm} consecutive results agree (default 2), so an endpoint that fails every
 * other probe does not move any vote, let alone the verdict. {@code freshness} defaults to three intervals.
 * {@code regionLostAfter}: how long a vantage point in the target's own region (TargetSpec.region) must have been
 * missing, while every fresh vote is unhealthy, before it is taken as lost together with its region (fate sharing,
 * docs/architecture.md "The verdict"): longer than an agent's restart, shorter than the alarm.
 */
public record QuorumSpec(
        Integer minVantages,
        Integer healthy,
        Integer rise,
        Integer fall,
        Duration freshness,
        Integer confirm,
        Duration regionLostAfter) {
    public static final int DEFAULT_CONFIRM = 2;
    public static final Duration DEFAULT_REGION_LOST_AFTER = Duration.ofSeconds(30);
    // After the defaults it reads: static fields are initialised in order.
    public static final QuorumSpec DEFAULT = new QuorumSpec(null, null, null, null, null, null, null);

    /** Without {@code confirm} (it defaults to 2) and {@code regionLostAfter} (30 s). */
    public QuorumSpec(Integer minVantages, Integer healthy, Integer rise, Integer fall, Duration freshness) {
        this(minVantages, healthy, rise, fall, freshness, null, null);
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
        regionLostAfter = regionLostAfter == null ? DEFAULT_REGION_LOST_AFTER : regionLostAfter;
        Checks.positive("regionLostAfter", regionLostAfter, Duration.ofSeconds(1), Duration.ofHours(1));
    }
}
