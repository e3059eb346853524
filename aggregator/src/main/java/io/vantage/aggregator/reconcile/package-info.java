/**
 * Making AWS match the config: the alarms and Route 53 health checks vantage owns are read, compared with
 * what the config wants, and changed only where they differ ({@code plan} shows, {@code apply} does).
 * Resources vantage did not create (no ownership tags) are never changed or deleted.
 */
package io.vantage.aggregator.reconcile;
