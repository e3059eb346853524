/** {@code vantage-aggregator demo}: an aggregator, three agents and three breakable endpoints in one process. */
package io.vantage.aggregator.demo;
