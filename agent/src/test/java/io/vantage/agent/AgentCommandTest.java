package io.vantage.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.testing.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's command line: help and version exit 0; a wrong command line exits 2 and says what was wrong. */
class AgentCommandTest {
    @TempDir
    Path directory;

    @Test
    void helpAndVersionExitZero() throws Exception {
        CommandRun help = CommandRun.of("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out())
                .startsWith("Usage: vantage-agent --config FILE")
                .contains("vantage-agent validate-config --config examples/agent-with-aggregators.yaml");
        assertThat(CommandRun.of("validate-config", "-h").out()).startsWith("Usage:");
        CommandRun version = CommandRun.of("-V");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).isEqualTo(AgentCommand.VERSION + System.lineSeparator());
    }

    @Test
    void aWrongCommandLineSaysWhatIsWrong() throws Exception {
        assertThat(CommandRun.of()).isEqualTo(new CommandRun(2, usageError("--config FILE is required")));
        assertThat(CommandRun.of("simulate", "--config", "a.yaml"))
                .isEqualTo(new CommandRun(2, usageError("unknown command 'simulate'; the command is validate-config")));
        assertThat(CommandRun.of("--confg", "a.yaml"))
                .isEqualTo(new CommandRun(2, usageError("unknown argument '--confg'")));
        assertThat(CommandRun.of("-c")).isEqualTo(new CommandRun(2, usageError("-c needs a FILE")));
        assertThat(CommandRun.of("-c", "a.yaml", "--config=b.yaml"))
                .isEqualTo(new CommandRun(2, usageError("--config is given twice")));
        assertThat(CommandRun.of("validate-config"))
                .isEqualTo(new CommandRun(2, usageError("validate-config needs --config FILE")));
        assertThat(CommandRun.of("validate-config", "--config", "a.yaml", "--output", "json"))
                .isEqualTo(new CommandRun(2, usageError("unknown argument '--output'")));
    }

    @Test
    void validateConfigTakesConfigLikeRunAndTheOldSpellingWithAHint() throws Exception {
        Path file = directory.resolve("agent.yaml");
        Files.writeString(file, "targets:\n  - {name: api, tcp: {host: 127.0.0.1, port: 80}}\n");
        String valid = file + ": valid; 1 local targets, standalone" + System.lineSeparator();
        assertThat(CommandRun.of("validate-config", "--config", file.toString()))
                .isEqualTo(new CommandRun(0, valid));
        assertThat(CommandRun.of("validate-config", "-c", file.toString())).isEqualTo(new CommandRun(0, valid));
        assertThat(CommandRun.of("validate-config", file.toString()))
                .isEqualTo(new CommandRun(
                        0,
                        "vantage-agent: validate-config FILE is the old spelling; use validate-config --config FILE"
                                + System.lineSeparator() + valid));
        assertThat(CommandRun.of("validate-config", file.toString(), "--config", file.toString()))
                .extracting(CommandRun::exit)
                .isEqualTo(2);
    }

    @Test
    void everySpellingOfConfigReadsTheFile() throws Exception {
        Path missing = directory.resolve("missing.yaml");
        for (String[] args :
                new String[][] {{"-c", missing.toString()}, {"--config", missing.toString()}, {"--config=" + missing}
                }) {
            CommandRun run = CommandRun.of(args);
            assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.out()).startsWith("vantage-agent: invalid config " + missing + ": ");
        }
    }

    private static String usageError(String problem) {
        return "vantage-agent: " + problem + "; see --help" + System.lineSeparator();
    }
}
