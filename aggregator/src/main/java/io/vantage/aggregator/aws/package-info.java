/**
 * The AWS SDK clients every AWS call goes through (CloudWatch and Route 53): endpoint override, call timeouts, the
 * standard retry mode, and {@code vantage_aws_attempts} per call.
 */
package io.vantage.aggregator.aws;
