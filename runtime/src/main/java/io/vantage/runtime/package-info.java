/**
 * What the agent and the aggregator share at start-up and while serving: Vert.x with Micrometer metrics
 * ({@link io.vantage.runtime.Startup}), stopping cleanly on a signal, the config watcher and its reload metrics,
 * and answers built on worker threads such as {@code /metrics} ({@link io.vantage.runtime.Answers}). Neither
 * process depends on the other; both depend on this.
 */
package io.vantage.runtime;
