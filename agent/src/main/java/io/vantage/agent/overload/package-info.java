/**
 * How late a probe loop runs ({@link io.vantage.agent.overload.LoopLag}, one sampler per loop), and so when the agent
 * cannot trust its own measurement: the probe runner reads it to declare an ambiguous failure no vote, metrics export
 * it. It knows nothing of probes, schedules or metrics.
 */
package io.vantage.agent.overload;
