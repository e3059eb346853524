package io.vantage.aggregator.metrics;

import static io.vantage.runtime.Exposition.family;
import static io.vantage.runtime.Exposition.labels;
import static io.vantage.runtime.Exposition.sample;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.aggregator.round.Round;
import io.vantage.aggregator.round.RoundConsumer;
import io.vantage.runtime.Answers;
import io.vantage.wire.target.TargetSpec;
import java.util.function.Function;

/**
 * The per-target series of the latest round, written at scrape time straight from the round (and the predictions)
 * rather than kept as meters: registering four gauges per target blocked the evaluator's event loop for 8.3 s at the
 * start of 20,000 targets, and writing 60,000 predictions into a multi-gauge 7.3 s on a reload. Taking a round costs
 * one reference; a scrape walks it on a worker thread, in parts ({@link Answers.Parts}).
 * {@code vantage_target_healthy} exists only while a target has a verdict: a blind fleet is never mistaken for a
 * failure by an alert on it.
 */
public final class RoundSeries implements RoundConsumer {
    private static final String HEALTHY = "vantage_target_healthy";
    private static final String VANTAGES = "vantage_target_vantages";
    private static final String RECORD = "vantage_target_record";
    private static final String PREDICTED = "vantage_failover_predicted_seconds";

    private final PrometheusMeterRegistry registry;
    private final Family[] families;
    private volatile Round latest;

    /** {@code predicted}: a target's predicted failover, null until computed; read at scrape time. */
    public RoundSeries(PrometheusMeterRegistry registry, Function<TargetSpec, FailoverRange> predicted) {
        this.registry = registry;
        this.families = families(predicted);
    }

    @Override
    public void accept(Round round) {
        latest = round;
    }

    /** The exposition: the registry's meters, then the latest round's series, family by family. */
    public Answers.Parts scrape() {
        return new Answers.Parts() {
            private Round round;
            private int at; // the family being written
            private int next; // its next target
            private boolean headed; // whether its HELP and TYPE are written

            @Override
            public boolean next(StringBuilder out) {
                if (round == null) {
                    out.append(registry.scrape());
                    round = latest;
                    if (round == null) {
                        return false;
                    }
                }
                for (; at < families.length; at++, next = 0, headed = false) {
                    Family written = families[at];
                    while (next < round.targets().size()) {
                        if (out.length() >= Answers.PART_CHARS) {
                            return true;
                        }
                        int before = out.length();
                        written.samples()
                                .write(
                                        out,
                                        round.targets().get(next),
                                        round.evaluations().get(next));
                        if (!headed && out.length() > before) {
                            // A family is written only with a sample, as the registry writes one.
                            StringBuilder header = new StringBuilder();
                            family(header, written.name(), "gauge", written.help());
                            out.insert(before, header);
                            headed = true;
                        }
                        next++;
                    }
                }
                return false;
            }
        };
    }

    /** A family of per-target series: its name and help, and how one target's samples are written. */
    private record Family(String name, String help, Samples samples) {}

    @FunctionalInterface
    private interface Samples {
        void write(StringBuilder out, TargetSpec target, Evaluation evaluation);
    }

    private static Family[] families(Function<TargetSpec, FailoverRange> predicted) {
        return new Family[] {
            new Family(
                    HEALTHY,
                    "1 healthy, 0 unhealthy by quorum; absent while there is insufficient data",
                    (out, target, evaluation) -> {
                        if (evaluation.verdict() != Verdict.INSUFFICIENT_DATA) {
                            sample(
                                    out,
                                    HEALTHY,
                                    labels("target", target.name()),
                                    evaluation.verdict() == Verdict.HEALTHY ? 1 : 0);
                        }
                    }),
            new Family(
                    RECORD,
                    "1 for the record group (name and type) whose health check this target guards",
                    (out, target, evaluation) -> {
                        if (target.route53() != null) {
                            sample(
                                    out,
                                    RECORD,
                                    labels("record", target.route53().group(), "target", target.name()),
                                    1);
                        }
                    }),
            new Family(
                    VANTAGES,
                    "Vantage points by what their latest result says (stale: older than the freshness window)",
                    (out, target, evaluation) -> {
                        sample(
                                out,
                                VANTAGES,
                                labels("state", "healthy", "target", target.name()),
                                evaluation.healthy());
                        sample(
                                out,
                                VANTAGES,
                                labels("state", "unhealthy", "target", target.name()),
                                evaluation.fresh() - evaluation.healthy());
                        sample(out, VANTAGES, labels("state", "stale", "target", target.name()), evaluation.stale());
                    }),
            new Family(
                    PREDICTED,
                    "The model's time from an endpoint failing until clients are sent elsewhere (best, typical, worst), to "
                            + "put beside vantage_observed_failover_seconds",
                    (out, target, evaluation) -> {
                        FailoverRange times = predicted.apply(target);
                        if (times != null) {
                            sample(out, PREDICTED, labels("bound", "best", "target", target.name()), times.best());
                            sample(
                                    out,
                                    PREDICTED,
                                    labels("bound", "typical", "target", target.name()),
                                    times.typical());
                            sample(out, PREDICTED, labels("bound", "worst", "target", target.name()), times.worst());
                        }
                    }),
        };
    }
}
