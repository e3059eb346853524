package io.vantage.runtime.otlp;

/**
 * A process's metrics for one export, in parts: each call writes the next part into a new request (about
 * {@link OtlpWriter#PART_BYTES}, or all that is left) and says whether more follow. Calls come one at a time, on worker
 * threads, each after the previous request was answered; an exception ends the export. The OTLP counterpart of
 * {@link io.vantage.runtime.Answers.Parts}, walking the same state the Prometheus exposition is written from.
 */
@FunctionalInterface
public interface OtlpParts {
    boolean next(OtlpWriter out) throws Exception;
}
