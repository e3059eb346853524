/** What an operator sees: {@code /v1/status} (JSON) and the status page at {@code /}, built from one immutable snapshot. */
package io.vantage.aggregator.status;
