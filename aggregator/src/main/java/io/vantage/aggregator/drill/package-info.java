/** Drills at run time: which configured drills each round honours, under {@code config.DrillPolicy}. */
package io.vantage.aggregator.drill;
