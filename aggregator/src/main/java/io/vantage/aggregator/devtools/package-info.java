/**
 * Development tools shipped for the tests and the docker-compose demo, never used by a production path:
 * {@code vantage-aggregator local-aws-bridge} puts the CBOR/JSON protocol bridge in front of moto_server.
 */
package io.vantage.aggregator.devtools;
