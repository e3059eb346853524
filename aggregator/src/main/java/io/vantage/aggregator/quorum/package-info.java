/**
 * The verdict: each (target, agent) pair's latest result kept in place ({@link io.vantage.aggregator.quorum.Vantage},
 * the vote-confirmation rule) and a pure function from a target's vantage points, the previous state and the time to
 * the next state. No Vert.x, no clock of its own; table-tested.
 */
package io.vantage.aggregator.quorum;
