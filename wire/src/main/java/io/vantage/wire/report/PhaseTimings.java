package io.vantage.wire.report;

/**
 * Seconds spent in each phase of one probe; a phase not reached (or not applicable, such as dns for an
 * address or tls for plain HTTP) is null. {@code total} covers the whole probe.
 */
public record PhaseTimings(Double dns, Double connect, Double tls, Double firstByte, Double total) {
    public PhaseTimings {
        check("dns", dns);
        check("connect", connect);
        check("tls", tls);
        check("firstByte", firstByte);
        check("total", total);
    }

    private static void check(String key, Double seconds) {
        if (seconds != null && (seconds.isNaN() || seconds < 0 || seconds > 3600)) {
            throw new IllegalArgumentException(
                    key + ": " + seconds + " is not a duration in seconds between 0 and 3600");
        }
    }
}
