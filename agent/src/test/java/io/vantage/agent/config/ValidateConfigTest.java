package io.vantage.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.testing.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vantage-agent validate-config} checks the file where its tokens are not (a CI job); starting still needs them. */
class ValidateConfigTest {
    @TempDir
    Path directory;

    private static CommandRun validate(Path file) throws InterruptedException {
        return CommandRun.of("validate-config", "--config", file.toString());
    }

    @Test
    void aConfigIsValidWithoutItsTokensButTheAgentStillNeedsThem() throws Exception {
        Path file = Files.writeString(
                directory.resolve("agent.yaml"),
                "agent:\n  region: eu-west-1\n"
                        + "  aggregators: [{url: 'https://a.example.internal:8443', tokenFile: /run/secrets/not-here}]\n");
        CommandRun run = validate(file);
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out())
                .contains("valid; 0 local targets, 1 aggregators (their tokens are read when the agent starts)");
        Assertions.assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(file))
                .hasMessageContaining("agent.aggregators[0].tokenFile: cannot read /run/secrets/not-here");
    }

    @Test
    void anAggregatorListedTwiceIsRefusedEitherWay() throws Exception {
        Path file = Files.writeString(
                directory.resolve("agent.yaml"),
                "agent:\n  region: eu-west-1\n  aggregators:\n"
                        + "    - {url: 'https://a.example.internal:8443', tokenEnv: T}\n"
                        + "    - {url: 'https://a.example.internal:8443', tokenEnv: T}\n");
        CommandRun run = validate(file);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).contains("agent.aggregators[1].url: https://a.example.internal:8443 is listed twice");
    }
}
