/**
 * Verdicts as CloudWatch datums (namespace, dimension {@code Target}, standard resolution). This build has
 * the dry-run sink only: it logs what it would send. The AWS publisher, alarms and Route 53 are a later issue.
 */
package io.vantage.aggregator.cloudwatch;
