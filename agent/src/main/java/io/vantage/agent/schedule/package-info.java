/**
 * When each target is probed: start times spread evenly over the interval with jitter, one probe per
 * target at a time (a due probe whose previous run is still going is an overrun, not queued), and a bound
 * on probes in flight across all targets.
 */
package io.vantage.agent.schedule;
