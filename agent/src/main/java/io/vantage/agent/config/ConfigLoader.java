package io.vantage.agent.config;

import io.vantage.agent.exporter.ProbeModules;
import io.vantage.runtime.ReadAccess;
import io.vantage.wire.Documents;
import io.vantage.wire.InvalidDocumentException;
import io.vantage.wire.Limits;
import io.vantage.wire.Tokens;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and validates an agent file; every failure is an {@link InvalidDocumentException} naming the key. */
public final class ConfigLoader {
    public static final String ENV_AGENT_ID = "VANTAGE_AGENT_ID";
    public static final String ENV_REGION = "VANTAGE_REGION";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private final Map<String, String> environment;

    public ConfigLoader(Map<String, String> environment) {
        this.environment = environment;
    }

    public LoadedConfig load(Path file) {
        return parse(Documents.readFile(file), file.toAbsolutePath().getParent());
    }

    /**
     * The config alone, validated, without reading its tokens: for {@code validate-config}, which may run where the
     * tokens are not (a CI job, a laptop).
     */
    public static AgentConfig loadWithoutTokens(Path file) {
        return checked(Documents.readYaml(Documents.readFile(file), AgentConfig.class));
    }

    /** Relative token and CA paths are resolved against {@code baseDirectory}. */
    public LoadedConfig parse(String text, Path baseDirectory) {
        AgentConfig config = checked(Documents.readYaml(text, AgentConfig.class));
        String id = identity("agent.id", config.agent().id(), ENV_AGENT_ID, hostName());
        String region = identity("agent.region", config.agent().region(), ENV_REGION, "local");
        Map<String, String> tokens = new LinkedHashMap<>();
        List<AgentConfig.Aggregator> aggregators = config.agent().aggregators();
        for (int i = 0; i < aggregators.size(); i++) {
            AgentConfig.Aggregator aggregator = aggregators.get(i);
            tokens.put(
                    aggregator.label(),
                    Tokens.read(
                            "agent.aggregators[" + i + "]",
                            aggregator.tokenFile(),
                            aggregator.tokenEnv(),
                            baseDirectory,
                            environment));
        }
        Tokens.Source readToken = config.server().readToken();
        ReadAccess readers = readToken == null
                ? ReadAccess.OPEN
                : ReadAccess.token(readToken.read("server.readToken", baseDirectory, environment));
        Map<String, String> otlpHeaders =
                config.otlp() == null ? Map.of() : config.otlp().headerValues("otlp", baseDirectory, environment);
        return new LoadedConfig(
                config, id, region, tokens, readers, ProbeModules.load(config.probe(), baseDirectory), otlpHeaders);
    }

    /** What the records cannot check alone: each aggregator listed once. */
    private static AgentConfig checked(AgentConfig config) {
        Set<String> labels = new HashSet<>();
        List<AgentConfig.Aggregator> aggregators = config.agent().aggregators();
        for (int i = 0; i < aggregators.size(); i++) {
            if (!labels.add(aggregators.get(i).label())) {
                throw new InvalidDocumentException("agent.aggregators[" + i + "].url: "
                        + aggregators.get(i).url() + " is listed twice");
            }
        }
        return config;
    }

    private String identity(String key, String configured, String variable, String fallback) {
        if (configured != null) {
            return configured;
        }
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        if (value.length() > Limits.MAX_IDENTITY_LENGTH || !NAME.matcher(value).matches()) {
            throw new InvalidDocumentException(key + ": environment variable " + variable + " = '" + value
                    + "' must be letters, digits, '.', '_' or '-'");
        }
        return value;
    }

    private static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return NAME.matcher(name).matches() && name.length() <= Limits.MAX_IDENTITY_LENGTH ? name : "agent";
        } catch (IOException e) {
            return "agent";
        }
    }
}
