package io.vantage.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HelpTest {
    @Test
    void rendersUsageDescriptionAlignedSectionsAndExamples() {
        String help = Help.of("tool", "Does one thing.")
                .usage("--config FILE")
                .usage("COMMAND --config FILE")
                .command("check", "checks it")
                .command("validate-config", "validates it")
                .option("-c, --config FILE", "the file")
                .environment("TOOL_LEVEL", "the level (default INFO)")
                .example("--config a.yaml")
                .render();
        assertThat(help)
                .isEqualTo(String.join(
                        System.lineSeparator(),
                        "Usage: tool --config FILE",
                        "       tool COMMAND --config FILE",
                        "Does one thing.",
                        "",
                        "Commands:",
                        "  check            checks it",
                        "  validate-config  validates it",
                        "",
                        "Options:",
                        "  -c, --config FILE  the file",
                        "",
                        "Environment:",
                        "  TOOL_LEVEL  the level (default INFO)",
                        "",
                        "Examples:",
                        "  tool --config a.yaml",
                        ""));
    }

    @Test
    void theOldSpellingHintNamesTheNewOne() {
        assertThat(Help.oldSpelling("tool", "validate-config"))
                .isEqualTo("tool: validate-config FILE is the old spelling; use validate-config --config FILE");
    }
}
