/**
 * What the agent and the aggregator share at start-up and while serving: Vert.x with Micrometer metrics
 * ({@link io.vantage.runtime.Startup}), stopping cleanly on a signal, the config watcher, its reload metrics and
 * what a reload changed ({@link io.vantage.runtime.ConfigDiff}), answers built on worker threads such as
 * {@code /metrics} ({@link io.vantage.runtime.Answers}), the help layout of every program
 * ({@link io.vantage.runtime.Help}) and a failed listen in the user's terms ({@link io.vantage.runtime.Listening}).
 * Neither process depends on the other; both depend on this.
 */
package io.vantage.runtime;
