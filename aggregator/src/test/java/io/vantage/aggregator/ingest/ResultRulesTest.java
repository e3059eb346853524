package io.vantage.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.metrics.AggregatorMetrics.IngestOutcome;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each result of a batch classified before it reaches the store, one row per rule: the batch was sent at {@link #SENT}
 * on the agent's clock (two minutes behind the aggregator's) and received at {@link #RECEIVED}; maxClockSkew is 30 s.
 */
class ResultRulesTest {
    static final long SENT = 1_000_000;
    static final long RECEIVED = SENT + 120_000;
    static final ResultRules RULES = new ResultRules(Map.of("api", 2, "db", 3), 30_000);

    static ProbeResult ok(String target, long timestamp) {
        return ProbeResult.success(target, timestamp, 200, null, null);
    }

    static ProbeResult down(String target, long timestamp) {
        return ProbeResult.failure(target, timestamp, FailureReason.REFUSED, null, null, null, "refused");
    }

    static ProbeResult late(String target, long timestamp) {
        return ProbeResult.failure(target, timestamp, FailureReason.TIMEOUT, null, null, null, "timed out")
                .overloaded("no vote: the agent ran late");
    }

    /** The result, then how it is refused (null: offered) and, when offered, its observedAt and confirm. */
    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("a target not configured", ok("nope", SENT), IngestOutcome.UNKNOWN_TARGET, 0L, 0),
                Arguments.of(
                        "an unknown target is that even when stamped in the future",
                        ok("nope", SENT + 60_000),
                        IngestOutcome.UNKNOWN_TARGET,
                        0L,
                        0),
                Arguments.of(
                        "stamped more than maxClockSkew after its batch was sent",
                        ok("api", SENT + 30_001),
                        IngestOutcome.FUTURE,
                        0L,
                        0),
                Arguments.of("a future no-vote is future", late("api", SENT + 60_000), IngestOutcome.FUTURE, 0L, 0),
                Arguments.of(
                        "measured while the agent ran late: no vote",
                        late("api", SENT - 1_000),
                        IngestOutcome.NO_VOTE,
                        0L,
                        0),
                Arguments.of(
                        "a vote, as old when received as when sent: the agent's clock offset cancels out",
                        ok("api", SENT - 2_000),
                        null,
                        RECEIVED - 2_000,
                        2),
                Arguments.of(
                        "a failure is a vote too, with its own target's confirm",
                        down("db", SENT - 500),
                        null,
                        RECEIVED - 500,
                        3),
                Arguments.of(
                        "stamped after sentAt within maxClockSkew: observed on arrival",
                        ok("api", SENT + 30_000),
                        null,
                        RECEIVED,
                        2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRule(String rule, ProbeResult result, IngestOutcome refused, long observedAt, int confirm) {
        ResultRules.Classification classified = RULES.classify(result, SENT, RECEIVED);

        assertThat(classified.refused()).as(rule).isEqualTo(refused);
        assertThat(classified.offered()).as(rule).isEqualTo(refused == null);
        assertThat(classified.observedAt()).as(rule).isEqualTo(observedAt);
        assertThat(classified.confirm()).as(rule).isEqualTo(confirm);
    }
}
