/**
 * The verdict: a pure function from one target's latest results per vantage point, the previous state
 * and the time to the next state. No Vert.x, no clock of its own; table-tested.
 */
package io.vantage.aggregator.quorum;
