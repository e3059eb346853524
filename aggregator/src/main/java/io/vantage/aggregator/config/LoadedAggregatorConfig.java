package io.vantage.aggregator.config;

import io.vantage.runtime.ReadAccess;
import java.util.List;

/**
 * A validated config with each agent's token read, and who may read the status and metrics ({@code server.readToken*}).
 * Tokens never appear in {@link #toString()}.
 */
public record LoadedAggregatorConfig(AggregatorConfig config, List<Credential> credentials, ReadAccess readers) {
    public LoadedAggregatorConfig {
        credentials = List.copyOf(credentials);
    }

    /** One agent's identity and the SHA-256 of its token (the token itself is not kept). */
    public record Credential(String agentId, String region, byte[] tokenHash) {
        @Override
        public String toString() {
            return "Credential[" + agentId + "@" + region + "]";
        }
    }

    @Override
    public String toString() {
        return "LoadedAggregatorConfig[agents=" + credentials + ", targets="
                + config.targets().size() + "]";
    }
}
