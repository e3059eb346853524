/** The aggregator's config file: records that validate themselves, and a loader that resolves agent tokens. */
package io.vantage.aggregator.config;
