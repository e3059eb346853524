package io.vantage.aggregator.model;

import static io.vantage.aggregator.model.FailoverModelTest.DEFAULT_ALARM;
import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.wire.Documents;
import io.vantage.wire.target.TargetSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the model's outputs: the ranges and one timeline of every scenario (and each way region-lost and agent-blind
 * read the fleet), as the model computed them when this table was written. A change here changes what {@code simulate}
 * prints and what the dashboard shows beside the observed failovers: it must be on purpose.
 */
class FailoverModelOutputsTest {
    private static final AggregatorConfig.Alarm AVERAGE_BREACHING =
            new AggregatorConfig.Alarm(null, 2, 2, "Average", "breaching", null);

    record Row(
            String name, FailoverModel.Scenario scenario, FailoverModel.Inputs inputs, String ranges, String timeline) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static TargetSpec target(String region, int healthy) {
        return Documents.readYaml(
                "name: api\n" + (region == null ? "" : "region: " + region + "\n")
                        + "interval: 10s\ntimeout: 5s\nhttp: {url: 'https://api.example.com/health'}\n"
                        + "quorum: {minVantages: " + healthy + ", healthy: " + healthy + ", rise: 2, fall: 2}\n"
                        + "failover: {dnsTtl: 60s}\n",
                TargetSpec.class);
    }

    private static FailoverModel.Inputs inputs(
            String region, int healthy, int agents, AggregatorConfig.Alarm alarm, int colocated, int targets) {
        return new FailoverModel.Inputs(
                target(region, healthy), agents, Duration.ofSeconds(10), alarm, colocated, targets);
    }

    static List<Row> rows() {
        return List.of(
                new Row(
                        "endpoint-down",
                        FailoverModel.Scenario.ENDPOINT_DOWN,
                        inputs(null, 2, 3, DEFAULT_ALARM, 0, 1),
                        "100 trials; verdict 13.618 19.069 27.532; first datum 15.020 23.995 33.327; alarm 77.801 117.405 143.420; clients 80.168 143.336 194.942",
                        """
                                verdict 18.210, first datum 23.078, alarm 93.961, clients 114.037
                                0.000 endpoint starts failing (errors or refused connections)
                                0.676 agent-2's first failing probe completes (started at 0.7 s)
                                2.278 agent-3's first failing probe completes (started at 2.3 s)
                                7.316 agent-1's first failing probe completes (started at 7.3 s)
                                18.210 verdict UNHEALTHY (0 of 3 fresh vantage points healthy)
                                23.078 first Healthy=0 datum published
                                93.961 alarm ALARM: the Route 53 health check turns unhealthy and DNS answers fail over
                                153.961 every client has re-resolved (DNS TTL 60.0 s)"""),
                new Row(
                        "endpoint-down, Average alarm, missing data breaching",
                        FailoverModel.Scenario.ENDPOINT_DOWN,
                        inputs(null, 2, 3, AVERAGE_BREACHING, 0, 1),
                        "100 trials; verdict 12.532 18.781 27.105; first datum 16.156 23.956 35.636; alarm 81.858 112.499 145.516; clients 91.956 148.172 196.744",
                        """
                                verdict 18.210, first datum 22.497, alarm 120.532, clients 156.144
                                0.000 endpoint starts failing (errors or refused connections)
                                0.676 agent-2's first failing probe completes (started at 0.7 s)
                                2.278 agent-3's first failing probe completes (started at 2.3 s)
                                7.316 agent-1's first failing probe completes (started at 7.3 s)
                                18.210 verdict UNHEALTHY (0 of 3 fresh vantage points healthy)
                                22.497 first Healthy=0 datum published
                                120.532 alarm ALARM: the Route 53 health check turns unhealthy and DNS answers fail over
                                180.532 every client has re-resolved (DNS TTL 60.0 s)"""),
                new Row(
                        "endpoint-hang",
                        FailoverModel.Scenario.ENDPOINT_HANG,
                        inputs(null, 2, 3, DEFAULT_ALARM, 0, 1),
                        "100 trials; verdict 18.618 24.069 32.532; first datum 19.843 29.155 37.009; alarm 83.868 122.133 152.126; clients 92.594 151.159 207.505",
                        """
                                verdict 23.210, first datum 33.078, alarm 93.961, clients 114.037
                                0.000 endpoint starts hanging (every probe runs into its 5.0 s timeout)
                                5.671 agent-2's first failing probe completes (started at 0.7 s)
                                7.273 agent-3's first failing probe completes (started at 2.3 s)
                                12.311 agent-1's first failing probe completes (started at 7.3 s)
                                23.210 verdict UNHEALTHY (0 of 3 fresh vantage points healthy)
                                33.078 first Healthy=0 datum published
                                93.961 alarm ALARM: the Route 53 health check turns unhealthy and DNS answers fail over
                                153.961 every client has re-resolved (DNS TTL 60.0 s)"""),
                new Row(
                        "region-partition",
                        FailoverModel.Scenario.REGION_PARTITION,
                        inputs(null, 2, 3, DEFAULT_ALARM, 0, 1),
                        "100 trials; verdict NaN NaN NaN; first datum NaN NaN NaN; alarm NaN NaN NaN; clients NaN NaN NaN",
                        """
                                verdict NaN, first datum NaN, alarm NaN, clients NaN
                                0.000 agent-1's region loses its network to the endpoint; the endpoint itself is fine
                                12.311 agent-1's first failing probe completes (started at 7.3 s)"""),
                new Row(
                        "fleet-blind",
                        FailoverModel.Scenario.FLEET_BLIND,
                        inputs(null, 2, 3, DEFAULT_ALARM, 0, 1),
                        "100 trials; verdict NaN NaN NaN; first datum NaN NaN NaN; alarm NaN NaN NaN; clients NaN NaN NaN",
                        """
                                verdict NaN, first datum NaN, alarm NaN, clients NaN
                                0.000 every agent stops reporting; the endpoint itself is fine
                                20.369 last Healthy datum published; from here on the metric is missing (fail static)
                                22.807 verdict INSUFFICIENT_DATA (1 of 1 fresh vantage points healthy)
                                372.192 alarm INSUFFICIENT_DATA: the health check keeps its last status (InsufficientDataHealthStatus)"""),
                new Row(
                        "region-lost with its agent",
                        FailoverModel.Scenario.REGION_LOST,
                        inputs("us-east-1", 1, 2, DEFAULT_ALARM, 1, 2),
                        "100 trials; verdict 31.002 40.231 48.621; first datum 33.038 44.056 58.033; alarm 100.642 137.417 166.722; clients 112.010 165.297 212.402",
                        """
                                verdict 45.863, first datum 51.767, alarm 126.106, clients 146.197
                                0.000 the endpoint's region us-east-1 is lost with its 1 agent(s): the endpoint stops answering, they stop reporting
                                5.671 agent-2's first failing probe completes (started at 0.7 s)
                                45.863 verdict UNHEALTHY (0 of 1 fresh vantage points healthy; 1 lost with the endpoint's region)
                                51.767 first Healthy=0 datum published
                                126.106 alarm ALARM: the Route 53 health check turns unhealthy and DNS answers fail over
                                186.106 every client has re-resolved (DNS TTL 60.0 s)"""),
                new Row(
                        "region-lost, the target names no region",
                        FailoverModel.Scenario.REGION_LOST,
                        inputs(null, 1, 2, DEFAULT_ALARM, 0, 2),
                        "100 trials; verdict NaN NaN NaN; first datum NaN NaN NaN; alarm NaN NaN NaN; clients NaN NaN NaN",
                        """
                                verdict NaN, first datum NaN, alarm NaN, clients NaN
                                0.000 the endpoint's region is lost with agent-1 (the target names no region: vantage cannot know that agent-1 shares its fate)
                                5.671 agent-2's first failing probe completes (started at 0.7 s)
                                28.227 verdict INSUFFICIENT_DATA (0 of 1 fresh vantage points healthy)
                                366.106 alarm INSUFFICIENT_DATA: the health check keeps its last status (InsufficientDataHealthStatus)"""),
                new Row(
                        "region-lost, no agent in it",
                        FailoverModel.Scenario.REGION_LOST,
                        inputs("us-east-1", 1, 2, DEFAULT_ALARM, 0, 2),
                        "100 trials; verdict 25.405 28.754 44.981; first datum 26.316 33.989 50.304; alarm 91.645 128.779 154.786; clients 98.844 156.712 201.694",
                        """
                                verdict 25.863, first datum 33.846, alarm 121.472, clients 135.868
                                0.000 the endpoint's region us-east-1 is lost; no agent runs there: the endpoint stops answering
                                5.671 agent-2's first failing probe completes (started at 0.7 s)
                                12.311 agent-1's first failing probe completes (started at 7.3 s)
                                25.863 verdict UNHEALTHY (0 of 2 fresh vantage points healthy)
                                33.846 first Healthy=0 datum published
                                121.472 alarm ALARM: the Route 53 health check turns unhealthy and DNS answers fail over
                                181.472 every client has re-resolved (DNS TTL 60.0 s)"""),
                new Row(
                        "agent-blind, judged across two targets",
                        FailoverModel.Scenario.AGENT_BLIND,
                        inputs(null, 1, 2, DEFAULT_ALARM, 0, 2),
                        "100 trials; verdict NaN NaN NaN; first datum NaN NaN NaN; alarm NaN NaN NaN; clients NaN NaN NaN",
                        """
                                verdict NaN, first datum NaN, alarm NaN, clients NaN
                                0.000 agent-1 goes blind: every probe of every target fails (its resolver); the endpoint is fine
                                7.316 agent-1's first failing probe completes (started at 7.3 s)
                                18.214 agent-1 judged blind: its unhealthy votes are set aside"""),
                new Row(
                        "agent-blind, one target",
                        FailoverModel.Scenario.AGENT_BLIND,
                        inputs(null, 2, 2, DEFAULT_ALARM, 0, 1),
                        "100 trials; verdict 11.992 20.982 31.069; first datum 14.132 25.390 38.025; alarm 81.169 121.302 146.783; clients 91.094 146.342 200.090",
                        """
                                verdict 20.863, first datum 23.846, alarm 121.472, clients 135.868
                                0.000 agent-1 goes blind: every probe of every target fails (its resolver); the endpoint is fine
                                7.316 agent-1's first failing probe completes (started at 7.3 s)
                                20.863 verdict UNHEALTHY (1 of 2 fresh vantage points healthy)
                                23.846 first Healthy=0 datum published
                                121.472 alarm ALARM: the Route 53 health check turns unhealthy and DNS answers fail over
                                181.472 every client has re-resolved (DNS TTL 60.0 s)"""));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void theModelGivesThePinnedOutputs(Row row) {
        FailoverModel.Prediction prediction = FailoverModel.predict(row.inputs(), row.scenario(), 100, 11);
        FailoverModel.Timeline timeline = FailoverModel.simulate(row.inputs(), row.scenario(), new Random(3));
        assertThat(ranges(prediction)).isEqualTo(row.ranges());
        assertThat(timeline(timeline)).isEqualTo(row.timeline());
    }

    private static String ranges(FailoverModel.Prediction prediction) {
        return String.format(
                Locale.ROOT,
                "%d trials; verdict %s; first datum %s; alarm %s; clients %s",
                prediction.trials(),
                range(prediction.verdict()),
                range(prediction.firstDatum()),
                range(prediction.alarm()),
                range(prediction.clients()));
    }

    private static String range(FailoverRange range) {
        return String.format(Locale.ROOT, "%.3f %.3f %.3f", range.best(), range.typical(), range.worst());
    }

    private static String timeline(FailoverModel.Timeline timeline) {
        return String.format(
                        Locale.ROOT,
                        "verdict %.3f, first datum %.3f, alarm %.3f, clients %.3f\n",
                        timeline.verdict(),
                        timeline.firstDatum(),
                        timeline.alarm(),
                        timeline.clients())
                + timeline.events().stream()
                        .map(event -> String.format(Locale.ROOT, "%.3f %s", event.at(), event.what()))
                        .collect(Collectors.joining("\n"));
    }
}
