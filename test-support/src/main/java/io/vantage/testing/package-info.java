/**
 * Real parts for tests, shared by every module's tests and the system tests: servers that tests start and break
 * (HTTP/TLS, DNS, raw TCP), a private PKI, free ports, promtool, a watch for Vert.x blocked-thread warnings, and
 * builders of what tests send (report batches, agent and aggregator configs).
 * Nothing here is used by a production jar.
 */
package io.vantage.testing;
