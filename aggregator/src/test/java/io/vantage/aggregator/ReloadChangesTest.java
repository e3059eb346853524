package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The aggregator's reload line names the targets, agents and settings that changed. */
class ReloadChangesTest {
    private static AggregatorConfig parse(String agents, String alarm, String targets) {
        return new AggregatorConfigLoader(Map.of(
                        "T1", "token-of-agent-one-0123456789",
                        "T2", "token-of-agent-two-0123456789",
                        "T3", "token-of-agent-three-01234567"))
                .parse("agents:\n" + agents + alarm + "targets:\n" + targets, null)
                .config();
    }

    @Test
    void namesTargetsAgentsAndSettingsThatChanged() {
        AggregatorConfig before = parse(
                "  - {id: a1, region: eu, tokenEnv: T1}\n  - {id: a2, region: us, tokenEnv: T2}\n",
                "",
                "  - {name: api, tcp: {host: 127.0.0.1, port: 80}}\n");
        AggregatorConfig after = parse(
                "  - {id: a1, region: eu, tokenEnv: T1}\n  - {id: a3, region: ap, tokenEnv: T3}\n",
                "alarm: {evaluationPeriods: 5, datapointsToAlarm: 3}\n",
                "  - {name: api, tcp: {host: 127.0.0.1, port: 80}}\n  - {name: web, tcp: {host: 127.0.0.1, port: 8080}}\n");
        assertThat(Aggregator.changes(before, after))
                .isEqualTo("targets added web; agents added a3, removed a2; settings changed alarm.evaluationPeriods, "
                        + "alarm.datapointsToAlarm");
    }
}
