/**
 * {@code vantage-demo}: the embedded demo (an aggregator, three agents and three breakable endpoints in one process,
 * CloudWatch in dry-run), the breakable endpoint the docker-compose demo runs per region, and the local AWS bridge
 * in front of moto_server. A jar of its own: none of this ships in the agent's or the aggregator's jar.
 */
package io.vantage.demo;
