package io.vantage.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An agent's config file, built: {@code AgentYaml.agent("a", "eu-west-1").aggregator(url, "token").server("127.0.0.1",
 * 0).target(Target.tcp("t", "127.0.0.1", 9)).write(file)}.
 */
public final class AgentYaml extends ConfigYaml<AgentYaml> {
    private AgentYaml() {}

    /** The agent's {@code id} and {@code region}. */
    public static AgentYaml agent(String id, String region) {
        AgentYaml config = new AgentYaml();
        config.nested("agent").put("id", id);
        config.nested("agent").put("region", region);
        return config;
    }

    /** A config with no {@code agent:} section (its defaults). */
    public static AgentYaml anonymous() {
        return new AgentYaml();
    }

    /** Another key of the {@code agent:} section ({@code maxInFlight}, {@code pushInterval}, {@code targetsRefresh}). */
    public AgentYaml agentSetting(String key, Object value) {
        nested("agent").put(key, value);
        return this;
    }

    /** An aggregator to report to and fetch targets from, with its token in {@code tokenFile}. */
    public AgentYaml aggregator(String url, String tokenFile) {
        return aggregator(url, tokenFile, null);
    }

    /** The same, its certificate verified against {@code caFile} (when not null) instead of the JVM's trust store. */
    public AgentYaml aggregator(String url, String tokenFile, String caFile) {
        Map<String, Object> aggregator = new LinkedHashMap<>();
        aggregator.put("url", url);
        aggregator.put("tokenFile", tokenFile);
        if (caFile != null) {
            aggregator.put("caFile", caFile);
        }
        list(nested("agent"), "aggregators").add(aggregator);
        return this;
    }

    public AgentYaml server(String host, int port) {
        nested("server").put("host", host);
        nested("server").put("port", port);
        return this;
    }

    @Override
    AgentYaml self() {
        return this;
    }
}
