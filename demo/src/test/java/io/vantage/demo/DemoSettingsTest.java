package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.wire.target.TargetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's settings exist three times (the embedded demo, the compose demo, the example the README quotes
 * predictions from): whatever decides a verdict or its timing must be the same in all three.
 */
class DemoSettingsTest {
    @TempDir
    Path directory;

    /** What a target's verdict and failover time depend on; its name and address may differ. */
    private record Decisive(
            Object interval,
            Object timeout,
            Object quorum,
            Object failover,
            Object maxLatency,
            Object expectBody,
            Object region) {
        static Decisive of(TargetSpec t) {
            return new Decisive(
                    t.interval(),
                    t.timeout(),
                    t.quorum(),
                    t.failover(),
                    t.http().maxLatency(),
                    t.http().expectBody(),
                    t.region());
        }
    }

    private static List<Decisive> decisive(AggregatorConfig config) {
        return config.targets().stream().map(Decisive::of).toList();
    }

    @Test
    void embeddedComposeAndExampleAgree() throws Exception {
        Map<String, Integer> ports = new LinkedHashMap<>();
        Demo.REGIONS.forEach(region -> ports.put(region, 10_000 + ports.size()));
        AggregatorConfig embedded = AggregatorConfigLoader.loadWithoutTokens(
                Files.writeString(directory.resolve("demo.yaml"), Demo.aggregatorYaml(8080, ports)));
        Path root = Path.of("..");
        AggregatorConfig compose =
                AggregatorConfigLoader.loadWithoutTokens(root.resolve("deploy/compose/aggregator.yaml"));
        AggregatorConfig example = AggregatorConfigLoader.loadWithoutTokens(root.resolve("examples/aggregator.yaml"));

        assertThat(decisive(embedded)).hasSize(3).isEqualTo(decisive(compose)).isEqualTo(decisive(example));
        assertThat(embedded.alarm()).isEqualTo(compose.alarm()).isEqualTo(example.alarm());
        // The embedded demo's Route 53 stand-in, and the compose demo's in the bridge, shorten the alarm's period;
        // both publish as many datums per period as the example does.
        assertThat(example.alarm().period().dividedBy(example.cloudwatch().publishEvery()))
                .isEqualTo(Demo.PERIOD.dividedBy(embedded.cloudwatch().publishEvery()))
                .isEqualTo(Demo.PERIOD.dividedBy(compose.cloudwatch().publishEvery()));
        assertThat(embedded.agents()).hasSameSizeAs(compose.agents()).hasSameSizeAs(example.agents());
    }
}
