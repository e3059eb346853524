package io.vantage.aggregator.config;

import io.vantage.runtime.ReadAccess;
import java.util.List;
import java.util.Map;

/**
 * A validated config with each agent's token read, who may read the status and metrics ({@code server.readToken*}),
 * and the OTLP export's header values. Tokens and header values never appear in {@link #toString()}.
 */
public record LoadedAggregatorConfig(
        AggregatorConfig config, List<Credential> credentials, ReadAccess readers, Map<String, String> otlpHeaders) {
    public LoadedAggregatorConfig {
        credentials = List.copyOf(credentials);
        otlpHeaders = Map.copyOf(otlpHeaders);
    }

    /** Without OTLP headers. */
    public LoadedAggregatorConfig(AggregatorConfig config, List<Credential> credentials, ReadAccess readers) {
        this(config, credentials, readers, Map.of());
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
