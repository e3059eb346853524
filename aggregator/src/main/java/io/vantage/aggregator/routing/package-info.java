/**
 * Observed routing: where DNS sends each vantage point for the names the config observes, and how long a failover
 * and a failback really take, from the verdict until the vantage points are sent elsewhere (or back).
 */
package io.vantage.aggregator.routing;
