package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.AgentCommand;
import io.vantage.aggregator.AggregatorCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The agent's, the aggregator's and the demo's {@code --help} share one layout: a usage line, what it does, then the
 * sections Commands, Options (with defaults), Environment and Examples, in that order.
 */
class HelpLayoutTest {
    private static final List<String> SECTIONS = List.of("Commands:", "Options:", "Environment:", "Examples:");

    private static String printed(Callable<Integer> command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(command.call()).isZero();
        } finally {
            System.setOut(stdout);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyProgramPrintsTheSameSectionsInTheSameOrder() throws Exception {
        String agent = printed(() -> AgentCommand.run("--help"));
        String aggregator = printed(() -> AggregatorCommand.commandLine().execute("--help"));
        String demo = printed(() -> DemoCommand.commandLine().execute("--help"));
        for (var help : List.of(
                List.of("vantage-agent", agent),
                List.of("vantage-aggregator", aggregator),
                List.of("vantage-demo", demo))) {
            String program = help.get(0);
            String text = help.get(1);
            assertThat(text).as(program).startsWith("Usage: " + program + " ");
            List<String> lines = text.lines().toList();
            assertThat(lines.stream().filter(line -> !line.startsWith(" ") && line.endsWith(":")))
                    .as(program)
                    .containsExactlyElementsOf(SECTIONS);
            assertThat(lines.stream().filter(line -> line.startsWith("  " + program + " ")))
                    .as(program + " examples")
                    .isNotEmpty();
            assertThat(text).as(program).contains("  -h, --help ").contains("  VANTAGE_LOG_LEVEL ");
        }
        assertThat(demo).contains("--port PORT").contains("(default 8080)").contains("VANTAGE_DEMO_PORT");
    }
}
