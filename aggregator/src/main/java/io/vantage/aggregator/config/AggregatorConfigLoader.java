package io.vantage.aggregator.config;

import io.vantage.runtime.ReadAccess;
import io.vantage.wire.Documents;
import io.vantage.wire.InvalidDocumentException;
import io.vantage.wire.Tokens;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads and validates an aggregator file; every failure is an {@link InvalidDocumentException} naming the key. */
public final class AggregatorConfigLoader {
    private final Map<String, String> environment;

    public AggregatorConfigLoader(Map<String, String> environment) {
        this.environment = environment;
    }

    /** The config with every agent's token read: for the process that serves agents. */
    public LoadedAggregatorConfig load(Path file) {
        return parse(Documents.readFile(file), file.toAbsolutePath().getParent());
    }

    /**
     * The config alone, validated, with its token sources checked for form (exactly one of tokenFile and tokenEnv)
     * but not read: for commands that serve no agent (validate-config, plan, apply, simulate), which may run where
     * the tokens are not.
     */
    public static AggregatorConfig loadWithoutTokens(Path file) {
        return Documents.readYaml(Documents.readFile(file), AggregatorConfig.class);
    }

    public LoadedAggregatorConfig parse(String text, Path baseDirectory) {
        AggregatorConfig config = Documents.readYaml(text, AggregatorConfig.class);
        List<LoadedAggregatorConfig.Credential> credentials = new ArrayList<>();
        List<Integer> owners = new ArrayList<>(); // the agents[] index of each credential
        for (int i = 0; i < config.agents().size(); i++) {
            AggregatorConfig.AgentEntry agent = config.agents().get(i);
            String token =
                    Tokens.read("agents[" + i + "]", agent.tokenFile(), agent.tokenEnv(), baseDirectory, environment);
            credentials.add(new LoadedAggregatorConfig.Credential(agent.id(), agent.region(), Tokens.sha256(token)));
            owners.add(i);
            if (agent.rotating()) {
                String previous = Tokens.read(
                        "agents[" + i + "].previous",
                        agent.previousTokenFile(),
                        agent.previousTokenEnv(),
                        baseDirectory,
                        environment);
                credentials.add(
                        new LoadedAggregatorConfig.Credential(agent.id(), agent.region(), Tokens.sha256(previous)));
                owners.add(i);
            }
        }
        for (int i = 0; i < credentials.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (!owners.get(i).equals(owners.get(j))
                        && MessageDigest.isEqual(
                                credentials.get(i).tokenHash(),
                                credentials.get(j).tokenHash())) {
                    throw new InvalidDocumentException("agents[" + owners.get(i) + "]: shares its token with agents["
                            + owners.get(j) + "]; each agent needs its own token so that one cannot report as another");
                }
            }
        }
        Map<String, String> otlpHeaders =
                config.otlp() == null ? Map.of() : config.otlp().headerValues("otlp", baseDirectory, environment);
        return new LoadedAggregatorConfig(
                config, credentials, readers(config.server(), credentials, baseDirectory), otlpHeaders);
    }

    private ReadAccess readers(
            AggregatorConfig.Server server, List<LoadedAggregatorConfig.Credential> credentials, Path baseDirectory) {
        if (server.readToken() == null) {
            return ReadAccess.OPEN;
        }
        String token = server.readToken().read("server.readToken", baseDirectory, environment);
        for (LoadedAggregatorConfig.Credential credential : credentials) {
            if (MessageDigest.isEqual(Tokens.sha256(token), credential.tokenHash())) {
                throw new InvalidDocumentException("server.readToken: is agent " + credential.agentId()
                        + "'s token; a reader must not be able to report as an agent: give readers their own token");
            }
        }
        return ReadAccess.token(token);
    }
}
