package io.vantage.aggregator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.wire.Documents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drills written into a real config file: concurrent writers, symlinks, line endings, duplicates, expiry, the cap. */
class DrillFileTest {
    private static final String GROUP = """
            agents: [{id: a, region: us-east-1, tokenFile: t}, {id: b, region: eu-west-1, tokenFile: t2}]
            targets:
              - {name: api-one, tcp: {host: h, port: 1}, route53: {hostedZoneId: Z1, recordName: api.example.com, recordType: A, setIdentifier: one}}
              - {name: api-two, tcp: {host: h, port: 1}, route53: {hostedZoneId: Z1, recordName: api.example.com, recordType: A, setIdentifier: two}}
            """;

    @TempDir
    Path directory;

    private static AggregatorConfig.Drill drill(String target, Instant until) {
        return new AggregatorConfig.Drill(target, until.toString(), "ops");
    }

    private static List<AggregatorConfig.Drill> drills(Path file) throws Exception {
        return Documents.readYaml(Files.readString(file), AggregatorConfig.class)
                .drills();
    }

    /** Two drills of a two-target group at once: the guard is checked under the lock, so exactly one lands. */
    @Test
    void concurrentDrillsOfOneGroupLandOnlyOne() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                Path file = Files.writeString(directory.resolve("aggregator-" + round + ".yaml"), GROUP);
                Instant now = Instant.now();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> attempts = new ArrayList<>();
                for (String target : List.of("api-one", "api-two")) {
                    attempts.add(pool.submit(() -> {
                        go.await();
                        try {
                            DrillFile.start(file, drill(target, now.plusSeconds(600)), now);
                            return true;
                        } catch (DrillFile.Refused refused) {
                            return false;
                        }
                    }));
                }
                go.countDown();
                int landed = 0;
                for (Future<Boolean> attempt : attempts) {
                    landed += attempt.get() ? 1 : 0;
                }
                assertThat(landed).as("round " + round).isEqualTo(1);
                assertThat(drills(file)).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNewDrillReplacesTheTargetsOldOneExpiredOnesArePrunedAndEndEndsIt() throws Exception {
        Instant now = Instant.now();
        Path file = Files.writeString(
                directory.resolve("aggregator.yaml"), GROUP + "drills: []\n# a comment after the list stays\n");
        DrillFile.start(file, drill("api-one", now.plusSeconds(60)), now);
        DrillFile.start(file, drill("api-one", now.plusSeconds(300)), now);
        assertThat(drills(file))
                .singleElement()
                .satisfies(d ->
                        assertThat(d.until()).isEqualTo(now.plusSeconds(300).toString()));
        assertThat(Files.readString(file)).contains("# a comment after the list stays");

        DrillFile.end(file, "api-one", now.plusSeconds(10));
        assertThat(drills(file)).isEmpty();
        assertThat(Files.readString(file)).contains("drills: []");
        assertThatThrownBy(() -> DrillFile.end(file, "api-one", now))
                .isInstanceOf(DrillFile.Refused.class)
                .hasMessage("no drill of 'api-one' is running in " + file);

        Files.writeString(file, GROUP + "drills:\n  - {target: api-two, until: '2020-01-01T00:00:00Z', by: old}\n");
        DrillFile.start(file, drill("api-two", now.plusSeconds(60)), now);
        assertThat(drills(file)).extracting(AggregatorConfig.Drill::by).containsExactly("ops");
    }

    @Test
    void crlfFilesKeepTheirLineEndings() throws Exception {
        Path file = Files.writeString(directory.resolve("crlf.yaml"), GROUP.replace("\n", "\r\n"));
        Instant now = Instant.now();
        DrillFile.start(file, drill("api-one", now.plusSeconds(60)), now);
        String text = Files.readString(file);
        assertThat(text.replace("\r\n", "")).doesNotContain("\n");
        assertThat(drills(file)).hasSize(1);
    }

    /** A ConfigMap-style link: the real file is rewritten (atomically, beside itself), the link stays a link. */
    @Test
    void throughASymlinkTheRealFileIsReplaced() throws Exception {
        Path data = Files.createDirectories(directory.resolve("..2026_12_01"));
        Files.writeString(data.resolve("aggregator.yaml"), GROUP);
        Files.createSymbolicLink(directory.resolve("..data"), data.getFileName());
        Path link = Files.createSymbolicLink(directory.resolve("aggregator.yaml"), Path.of("..data/aggregator.yaml"));
        Instant now = Instant.now();
        DrillFile.start(link, drill("api-one", now.plusSeconds(60)), now);
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(drills(data.resolve("aggregator.yaml"))).hasSize(1);
        try (var left = Files.list(data)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .as("no temporary file left")
                    .containsExactlyInAnyOrder("aggregator.yaml", ".aggregator.yaml.lock");
        }
    }

    /**
     * A target the config does not have is refused as unknown (the demo answers 404), naming the targets it has, at most
     * {@link DrillFile#KNOWN_TARGETS_LISTED}; the reason (what an HTTP answer shows) leaves the file out.
     */
    @Test
    void anUnknownTargetIsRefusedNamingTheKnownOnes() throws Exception {
        StringBuilder many = new StringBuilder("agents: [{id: a, region: us-east-1, tokenFile: t}]\ntargets:\n");
        for (int i = 1; i <= 25; i++) {
            many.append("  - {name: t").append(i).append(", tcp: {host: h, port: 1}, quorum: {minVantages: 1}}\n");
        }
        Path file = Files.writeString(directory.resolve("many.yaml"), many);
        Instant now = Instant.now();
        for (ThrowingCallable attempt : List.<ThrowingCallable>of(
                () -> DrillFile.start(file, drill("nope", now.plusSeconds(60)), now),
                () -> DrillFile.end(file, "nope", now))) {
            assertThatThrownBy(attempt)
                    .isInstanceOfSatisfying(DrillFile.Refused.class, refused -> {
                        assertThat(refused.kind()).isEqualTo(DrillFile.Refused.Kind.UNKNOWN_TARGET);
                        assertThat(refused.reason())
                                .isEqualTo(
                                        "no target named 'nope'; the targets are t1, t2, t3, t4, t5, t6, t7, t8, t9, "
                                                + "t10, t11, t12, t13, t14, t15, t16, t17, t18, t19, t20 and 5 more");
                    })
                    .hasMessageEndingWith(" and 5 more (in " + file + ")");
        }
        assertThat(drills(file)).isEmpty();
    }

    @Test
    void aFileThatCannotBeReadIsOneLine() {
        Path missing = directory.resolve("missing.yaml");
        assertThatThrownBy(() -> DrillFile.start(missing, drill("api-one", Instant.now()), Instant.now()))
                .isInstanceOf(DrillFile.Refused.class)
                .hasMessageStartingWith("cannot read " + missing + ": ")
                .hasMessageNotContaining("\n");
    }

    /** The 1 h cap holds for a drill written by hand or through Helm values, not only through the command. */
    @Test
    void aRunningAggregatorRefusesADrillEndingMoreThanAnHourAway() throws Exception {
        try (RunningAggregator aggregator = RunningAggregator.start("""
                targets:
                  - {name: api, tcp: {host: 127.0.0.1, port: 9}}
                drills:
                  - {target: api, until: '2099-01-01T00:00:00Z', by: someone}
                """)) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> aggregator.aggregator().snapshot().targets().stream()
                            .anyMatch(t -> t.drill() != null));
            assertThat(aggregator.aggregator().snapshot().targets().get(0).drill())
                    .isEqualTo("drill refused: it ends more than 1h from now (until 2099-01-01T00:00:00Z)");
            assertThat(aggregator.registry().scrape()).doesNotContain("vantage_target_drill{target=\"api\"} 1.0");
        }
    }
}
