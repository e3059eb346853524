/**
 * Probers: one class per protocol behind {@link io.vantage.agent.probe.Prober}. A prober dials, checks and
 * records into its {@link io.vantage.agent.probe.Attempt}; timeouts, scheduling and metrics live elsewhere.
 * An unhealthy endpoint is a failed {@code ProbeResult}, never an exception.
 */
package io.vantage.agent.probe;
