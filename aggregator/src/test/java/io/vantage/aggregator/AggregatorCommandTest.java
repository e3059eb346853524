package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The aggregator's command line: validate-config takes --config like every command, and the old spelling with a hint. */
class AggregatorCommandTest {
    private static final String EXAMPLE = Path.of("../examples/aggregator.yaml").toString();

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = AggregatorCommand.commandLine().execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    @Test
    void validateConfigTakesConfigAndTheOldSpellingWithAHint() {
        Run current = run("validate-config", "--config", EXAMPLE);
        assertThat(current.exit()).isZero();
        assertThat(current.out()).startsWith(EXAMPLE + ": valid; ");
        assertThat(current.err()).isEmpty();
        Run old = run("validate-config", EXAMPLE);
        assertThat(old.exit()).isZero();
        assertThat(old.out()).isEqualTo(current.out());
        assertThat(old.err())
                .isEqualTo("vantage-aggregator: validate-config FILE is the old spelling; use validate-config --config "
                        + "FILE" + System.lineSeparator());
    }

    @Test
    void aMissingOrBadOptionIsNamed() {
        assertThat(run("validate-config").err())
                .startsWith("vantage-aggregator validate-config: --config FILE is required");
        Run typo = run("simulate", "--confg", EXAMPLE);
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err())
                .isEqualTo("vantage-aggregator simulate: unknown option '--confg'; see vantage-aggregator simulate "
                        + "--help" + System.lineSeparator());
        Run scenario = run("simulate", "--config", EXAMPLE, "--scenario", "meteor");
        assertThat(scenario.exit()).isEqualTo(2);
        assertThat(scenario.err())
                .contains("unknown scenario 'meteor'; use endpoint-down, endpoint-hang, region-partition, region-lost, "
                        + "agent-blind, fleet-blind or endpoint-recovers (the failback)");
    }

    @Test
    void helpIsTheSharedLayout() {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).isEqualTo(AggregatorCommand.USAGE);
        assertThat(run("simulate", "--help").out()).contains("--scenario");
    }
}
