package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.config.AgentConfig;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.wire.Documents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every file in examples/ is valid, the commands that serve no agent work on the aggregator example without its
 * tokens being present, and the prediction docs/aggregator.md quotes for it is what the model computes.
 */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("../examples");

    @Test
    void everyExampleIsValid() throws Exception {
        List<Path> files;
        try (Stream<Path> listing = Files.list(EXAMPLES)) {
            files = listing.filter(file -> file.toString().endsWith(".yaml"))
                    .sorted()
                    .toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(3);
        for (Path file : files) {
            if (file.getFileName().toString().startsWith("aggregator")) {
                assertThat(AggregatorConfigLoader.loadWithoutTokens(file).targets())
                        .as(file.toString())
                        .isNotEmpty();
            } else {
                assertThat(Documents.readYaml(Documents.readFile(file), AgentConfig.class))
                        .as(file.toString())
                        .isNotNull();
            }
        }
    }

    @Test
    void validateConfigAndSimulateNeedNoTokens() {
        String example = EXAMPLES.resolve("aggregator.yaml").toString();
        assertThat(System.getenv("VANTAGE_TOKEN_US_EAST_1"))
                .as("this test needs the example's token variables unset")
                .isNull();
        assertThat(AggregatorCommand.commandLine().execute("validate-config", "--config", example))
                .isZero();
        assertThat(AggregatorCommand.commandLine().execute("simulate", "--config", example))
                .isZero();
    }

    @Test
    void theQuotedPredictionInTheDocsIsWhatTheModelSays() throws Exception {
        AggregatorConfig config = AggregatorConfigLoader.loadWithoutTokens(EXAMPLES.resolve("aggregator.yaml"));
        FailoverModel.Prediction p =
                new Predictions(config).of(config.targets().get(0)).failover();
        String quoted = String.format(
                Locale.ROOT,
                "verdict %s, first datum %s, alarm %s, clients %s",
                range(p.verdict()),
                range(p.firstDatum()),
                range(p.alarm()),
                range(p.clients()));
        assertThat(Files.readString(Path.of("../docs/aggregator.md")).replaceAll("\\s+", " "))
                .contains(quoted);
    }

    private static String range(FailoverRange range) {
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f s", range.best(), range.typical(), range.worst());
    }
}
