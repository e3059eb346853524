/**
 * The agent benchmark: the packaged agent, Debian's prometheus-blackbox-exporter and a bare Vert.x client
 * probe the same local nginx at the same rate with fresh connections, each in its own process, and the
 * harness prints probes per second, CPU per probe and memory from /proc.
 */
package io.vantage.bench;
