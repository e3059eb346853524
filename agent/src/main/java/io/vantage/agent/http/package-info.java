/** The agent's own HTTP endpoints: {@code /metrics}, {@code /healthz}, {@code /readyz}. */
package io.vantage.agent.http;
