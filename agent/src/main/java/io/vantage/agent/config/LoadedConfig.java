package io.vantage.agent.config;

import io.vantage.agent.exporter.ProbeModules;
import io.vantage.runtime.ReadAccess;
import java.util.Map;

/**
 * A validated config with what it refers to resolved: the agent's identity, each aggregator's token (keyed by
 * aggregator label) and who may read its metrics. Tokens never appear in {@link #toString()}.
 */
public record LoadedConfig(
        AgentConfig config,
        String agentId,
        String region,
        Map<String, String> tokens,
        ReadAccess readers,
        ProbeModules probeModules) {
    public LoadedConfig {
        tokens = Map.copyOf(tokens);
    }

    @Override
    public String toString() {
        return "LoadedConfig[agentId=" + agentId + ", region=" + region + ", targets="
                + config.targets().size() + ", aggregators=" + tokens.keySet() + "]";
    }
}
