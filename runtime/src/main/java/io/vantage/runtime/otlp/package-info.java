/**
 * OTLP metrics export for both processes: a small protobuf writer for the few OTLP messages it needs
 * ({@link io.vantage.runtime.otlp.OtlpWriter}), fed at export time from the same state the Prometheus exposition is
 * written from, in parts of bounded size ({@link io.vantage.runtime.otlp.OtlpParts}), and pushed over HTTP by
 * {@link io.vantage.runtime.otlp.OtlpExporter}. No meter is kept for it: the per-target series stay fields.
 */
package io.vantage.runtime.otlp;
