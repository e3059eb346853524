package io.vantage.aggregator.quorum;

/**
 * What the evaluator remembers between evaluations of one target: the published verdict and since when,
 * the verdict it is leaning towards and for how many rounds, and the newest input it has counted.
 */
public record VerdictState(Verdict published, long since, Verdict candidate, int streak, long lastCountedInput) {
    public static VerdictState initial(long now) {
        return new VerdictState(Verdict.INSUFFICIENT_DATA, now, null, 0, Long.MIN_VALUE);
    }
}
