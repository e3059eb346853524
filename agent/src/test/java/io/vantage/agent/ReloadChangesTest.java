package io.vantage.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.config.AgentConfig;
import io.vantage.agent.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's reload line names what changed in its config file. */
class ReloadChangesTest {
    private static AgentConfig parse(String yaml) {
        return new ConfigLoader(Map.of()).parse(yaml, null).config();
    }

    @Test
    void namesTheTargetsAndSettingsThatChanged() {
        AgentConfig before = parse("""
                agent: {id: a1, region: eu}
                server: {port: 9100}
                targets:
                  - {name: api, tcp: {host: 127.0.0.1, port: 80}}
                  - {name: db, tcp: {host: 127.0.0.1, port: 5432}}
                """);
        AgentConfig after = parse("""
                agent: {id: a1, region: eu}
                server: {port: 9200}
                targets:
                  - {name: api, tcp: {host: 127.0.0.1, port: 81}}
                  - {name: cache, tcp: {host: 127.0.0.1, port: 6379}}
                """);
        assertThat(Agent.changes(before, after))
                .isEqualTo("targets added cache, removed db, changed api; settings changed server.port");
        assertThat(Agent.changes(before, before)).isEqualTo("nothing changed");
    }
}
