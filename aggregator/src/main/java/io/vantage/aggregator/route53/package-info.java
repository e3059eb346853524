/** One Route 53 alarm-based ({@code CLOUDWATCH_METRIC}) health check per target, reconciled against the config. */
package io.vantage.aggregator.route53;
