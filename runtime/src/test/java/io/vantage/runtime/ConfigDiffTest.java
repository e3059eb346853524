package io.vantage.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The words of a reload's log line, on small config-shaped records. */
class ConfigDiffTest {
    record Target(String name, String url) {}

    record Server(String host, int port) {}

    record Config(Server server, String mode, List<Target> targets) {}

    private static String diff(Config before, Config after) {
        return new ConfigDiff()
                .items("targets", before.targets(), after.targets(), Target::name)
                .settings(before, after, Set.of("targets"))
                .toString();
    }

    private static final Server SERVER = new Server("0.0.0.0", 9100);

    @Test
    void namesTargetsAddedRemovedAndChanged() {
        Config before = new Config(SERVER, "aws", List.of(new Target("a", "http://a"), new Target("b", "http://b")));
        Config after = new Config(SERVER, "aws", List.of(new Target("a", "http://a2"), new Target("c", "http://c")));
        assertThat(diff(before, after)).isEqualTo("targets added c, removed b, changed a");
    }

    @Test
    void namesSettingsChangedInsideNestedRecords() {
        List<Target> targets = List.of(new Target("a", "http://a"));
        Config before = new Config(SERVER, "aws", targets);
        Config after = new Config(new Server("0.0.0.0", 9200), "dry-run", targets);
        assertThat(diff(before, after)).isEqualTo("settings changed server.port, mode");
    }

    @Test
    void saysNothingChangedAndBoundsLongLists() {
        Config before = new Config(SERVER, "aws", List.of());
        assertThat(diff(before, before)).isEqualTo("nothing changed");
        List<Target> many = IntStream.range(0, 12)
                .mapToObj(i -> new Target("t" + i, "http://t"))
                .toList();
        assertThat(diff(before, new Config(SERVER, "aws", many)))
                .isEqualTo("targets added t0, t1, t2, t3, t4, t5, t6, t7, t8, t9 and 2 more");
    }
}
