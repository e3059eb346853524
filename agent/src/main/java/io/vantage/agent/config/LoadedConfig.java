package io.vantage.agent.config;

import io.vantage.agent.exporter.ProbeModules;
import io.vantage.runtime.ReadAccess;
import java.util.Map;

/**
 * A validated config with what it refers to resolved: the agent's identity, each aggregator's token (keyed by
 * aggregator label), who may read its metrics and the OTLP export's header values. Tokens and header values never
 * appear in {@link #toString()}.
 */
public record LoadedConfig(
        AgentConfig config,
        String agentId,
        String region,
        Map<String, String> tokens,
        ReadAccess readers,
        ProbeModules probeModules,
        Map<String, String> otlpHeaders) {
    public LoadedConfig {
        tokens = Map.copyOf(tokens);
        otlpHeaders = Map.copyOf(otlpHeaders);
    }

    @Override
    public String toString() {
        return "LoadedConfig[agentId=" + agentId + ", region=" + region + ", targets="
                + config.targets().size() + ", aggregators=" + tokens.keySet() + "]";
    }
}
