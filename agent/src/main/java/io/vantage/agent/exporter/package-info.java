/**
 * The blackbox_exporter-compatible {@code /probe?target=&module=} endpoint: modules (the agent's own and those read
 * from a blackbox_exporter module file), the bounds on what may be probed, and the answer in blackbox_exporter's
 * metric names.
 */
package io.vantage.agent.exporter;
