package io.vantage.aggregator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.wire.Documents;
import io.vantage.wire.target.TargetSpec;
import java.time.Duration;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class FailoverModelTest {
    static TargetSpec target(String interval, String dnsTtl) {
        return Documents.readYaml(
                "name: api\ninterval: " + interval + "\ntimeout: 5s\nhttp: {url: 'https://api.example.com/health'}\n"
                        + "quorum: {minVantages: 2, healthy: 2, rise: 2, fall: 2}\nfailover: {dnsTtl: " + dnsTtl
                        + "}\n",
                TargetSpec.class);
    }

    static final AggregatorConfig.Alarm DEFAULT_ALARM = new AggregatorConfig.Alarm(null, null, null, null, null, null);

    @Test
    void endpointDownStepsHappenInOrderAndWithinTheirBounds() {
        FailoverModel.Inputs inputs =
                new FailoverModel.Inputs(target("10s", "60s"), 3, Duration.ofSeconds(10), DEFAULT_ALARM);
        FailoverModel.Prediction prediction = FailoverModel.predict(inputs, 500, 42);

        // Verdict: two agents' votes confirmed by a second failure each (confirm 2, quorum 2 of 3), then fall rounds,
        // at 10 s probes and 1 s pushes.
        assertThat(prediction.verdict().best()).isBetween(5.0, 15.0);
        assertThat(prediction.verdict().worst()).isLessThanOrEqualTo(3 * 10 + 1 + 1.2 + 0.1);
        // The first Healthy=0 datum follows within one publish interval.
        assertThat(prediction.firstDatum().worst() - prediction.verdict().worst())
                .isLessThanOrEqualTo(10.0 + 1e-9);
        // 2 of 3 one-minute periods must breach: at least one period ends after the datum, at most three.
        assertThat(prediction.alarm().best())
                .isGreaterThan(prediction.firstDatum().best());
        assertThat(prediction.alarm().worst())
                .isLessThanOrEqualTo(prediction.firstDatum().worst() + 2 * 60 + 1e-9);
    }

    @Test
    void theFailbackIsTheSameChainTheOtherWay() {
        FailoverModel.Inputs inputs =
                new FailoverModel.Inputs(target("10s", "60s"), 3, Duration.ofSeconds(10), DEFAULT_ALARM);
        FailoverModel.Prediction back =
                FailoverModel.predict(inputs, FailoverModel.Scenario.ENDPOINT_RECOVERS, 500, 42);

        // HEALTHY again after rise 2 passing probes from two agents, at 10 s probes and 1 s pushes.
        assertThat(back.verdict().best()).isBetween(5.0, 15.0);
        assertThat(back.verdict().worst()).isLessThanOrEqualTo(3 * 10 + 1 + 1.2 + 0.1);
        assertThat(back.firstDatum().worst() - back.verdict().worst()).isLessThanOrEqualTo(10.0 + 1e-9);
        // OK once fewer than 2 of the last 3 periods breach: two whole periods without a Healthy=0, one to three
        // minutes
        // after the first Healthy=1.
        assertThat(back.alarm().typical() - back.firstDatum().typical()).isBetween(60.0, 180.0);
        assertThat(back.clients().typical() - back.alarm().typical()).isBetween(15.0, 45.0);
        assertThat(back.clientsAfterVerdict().typical())
                .isBetween(
                        back.clients().best() - back.verdict().worst(),
                        back.clients().worst());
    }

    @Test
    void aStandInsShorterPeriodsShortenTheAlarmOnly() {
        FailoverModel.Inputs minute =
                new FailoverModel.Inputs(target("10s", "60s"), 3, Duration.ofSeconds(1), DEFAULT_ALARM);
        FailoverModel.Prediction onAws = FailoverModel.predict(minute, 500, 42);
        FailoverModel.Prediction demo = FailoverModel.predict(minute.withAlarmPeriod(Duration.ofSeconds(6)), 500, 42);

        assertThat(demo.verdict().typical()).isCloseTo(onAws.verdict().typical(), Offset.offset(2.0));
        assertThat(demo.alarm().typical() - demo.firstDatum().typical()).isBetween(6.0, 18.0);
        assertThat(onAws.alarm().typical() - onAws.firstDatum().typical()).isBetween(60.0, 180.0);
    }

    @Test
    void theVerdictScalesWithTheProbeInterval() {
        var every10s = FailoverModel.predict(
                new FailoverModel.Inputs(target("10s", "60s"), 3, Duration.ofSeconds(10), DEFAULT_ALARM), 500, 42);
        var every20s = FailoverModel.predict(
                new FailoverModel.Inputs(target("20s", "60s"), 3, Duration.ofSeconds(10), DEFAULT_ALARM), 500, 42);
        // Confirmation and fall rounds are counted in probes: twice the interval, about twice the time to a verdict.
        assertThat(every20s.verdict().typical() / every10s.verdict().typical()).isBetween(1.6, 2.4);
    }

    @Test
    void clientsFollowWithinTheDnsTtl() {
        var ttl60 = FailoverModel.predict(
                new FailoverModel.Inputs(target("10s", "60s"), 3, Duration.ofSeconds(10), DEFAULT_ALARM), 500, 42);
        var ttl300 = FailoverModel.predict(
                new FailoverModel.Inputs(target("10s", "300s"), 3, Duration.ofSeconds(10), DEFAULT_ALARM), 500, 42);
        // A client re-resolves somewhere within one TTL after the alarm: about half a TTL later, typically.
        assertThat(ttl60.clients().typical() - ttl60.alarm().typical()).isBetween(15.0, 45.0);
        assertThat(ttl300.clients().typical() - ttl300.alarm().typical()).isBetween(75.0, 225.0);
    }

    @Test
    void theSameSeedGivesTheSamePrediction() {
        FailoverModel.Inputs inputs =
                new FailoverModel.Inputs(target("10s", "60s"), 3, Duration.ofSeconds(10), DEFAULT_ALARM);
        assertThat(FailoverModel.predict(inputs, 200, 7)).isEqualTo(FailoverModel.predict(inputs, 200, 7));
    }

    @Test
    void aStricterAlarmTakesLonger() {
        var fast = FailoverModel.predict(
                new FailoverModel.Inputs(
                        target("10s", "60s"),
                        3,
                        Duration.ofSeconds(10),
                        new AggregatorConfig.Alarm(null, 1, 1, null, null, null)),
                300,
                1);
        var slow = FailoverModel.predict(
                new FailoverModel.Inputs(
                        target("10s", "60s"),
                        3,
                        Duration.ofSeconds(10),
                        new AggregatorConfig.Alarm(null, 5, 5, null, null, null)),
                300,
                1);
        assertThat(slow.alarm().typical() - fast.alarm().typical()).isBetween(3.5 * 60, 4.5 * 60);
    }

    @Test
    void aPartitionedRegionDoesNotFailOver() {
        FailoverModel.Timeline timeline = FailoverModel.simulate(
                new FailoverModel.Inputs(target("10s", "60s"), 3, Duration.ofSeconds(10), DEFAULT_ALARM),
                FailoverModel.Scenario.REGION_PARTITION,
                new Random(3));
        assertThat(timeline.verdict()).isNaN();
        assertThat(timeline.alarm()).isNaN();
        assertThat(timeline.events())
                .extracting(FailoverModel.Event::what)
                .noneMatch(what -> what.startsWith("verdict"));
    }

    @Test
    void aBlindFleetFailsStatic() {
        FailoverModel.Timeline timeline = FailoverModel.simulate(
                new FailoverModel.Inputs(target("10s", "60s"), 3, Duration.ofSeconds(10), DEFAULT_ALARM),
                FailoverModel.Scenario.FLEET_BLIND,
                new Random(3));
        assertThat(timeline.alarm()).as("never ALARM").isNaN();
        assertThat(timeline.events())
                .extracting(FailoverModel.Event::what)
                .anyMatch(what -> what.startsWith("verdict INSUFFICIENT_DATA"))
                .anyMatch(what -> what.startsWith("alarm INSUFFICIENT_DATA"));
    }

    /** A target probed every 10 s with a quorum of {@code needed} of at least {@code needed}, in {@code region}. */
    private static TargetSpec quorumTarget(String region, int needed) {
        return Documents.readYaml(
                "name: api-us\n" + (region == null ? "" : "region: " + region + "\n")
                        + "interval: 10s\ntimeout: 5s\nhttp: {url: 'https://api-us.test/'}\n"
                        + "quorum: {minVantages: " + needed + ", healthy: " + needed + ", rise: 2, fall: 2}\n",
                TargetSpec.class);
    }

    /** Two regions, one agent each, quorum 1 of 1: the us region lost with its agent fails over, without region not. */
    @Test
    void twoRegionsARegionLostWithItsAgentFailsOverOnlyWhenTheTargetNamesItsRegion() {
        TargetSpec target = quorumTarget("us-east-1", 1);
        FailoverModel.Prediction withRegion = FailoverModel.predict(
                new FailoverModel.Inputs(target, 2, Duration.ofSeconds(10), DEFAULT_ALARM, 1, 2),
                FailoverModel.Scenario.REGION_LOST,
                200,
                7);
        // The surviving agent's vote of the dead endpoint, then the co-located agent missing for regionLostAfter
        // (30 s, counted from its last result: it is stale after the 30 s freshness window anyway), then fall rounds.
        assertThat(withRegion.verdict().best()).isBetween(29.0, 35.0);
        assertThat(withRegion.verdict().worst()).isLessThan(60.0);
        assertThat(withRegion.alarm().worst()).isFinite();

        TargetSpec withoutItsRegion = quorumTarget(null, 1);
        FailoverModel.Timeline withoutRegion = FailoverModel.simulate(
                new FailoverModel.Inputs(withoutItsRegion, 2, Duration.ofSeconds(10), DEFAULT_ALARM, 0, 2),
                FailoverModel.Scenario.REGION_LOST,
                new Random(7));
        assertThat(withoutRegion.alarm())
                .as("vantage cannot know agent-1 shares the fate")
                .isNaN();
    }

    @Test
    void oneBlindAgentFailsNothingOverWhenItCanBeJudged() {
        TargetSpec target = quorumTarget(null, 1);
        FailoverModel.Timeline judged = FailoverModel.simulate(
                new FailoverModel.Inputs(target, 2, Duration.ofSeconds(10), DEFAULT_ALARM, 0, 2),
                FailoverModel.Scenario.AGENT_BLIND,
                new Random(5));
        assertThat(judged.verdict()).isNaN();
        assertThat(judged.events()).extracting(FailoverModel.Event::what).anyMatch(w -> w.contains("judged blind"));

        TargetSpec twoOfTwo = quorumTarget(null, 2);
        FailoverModel.Timeline alone = FailoverModel.simulate(
                new FailoverModel.Inputs(twoOfTwo, 2, Duration.ofSeconds(10), DEFAULT_ALARM, 0, 1),
                FailoverModel.Scenario.AGENT_BLIND,
                new Random(5));
        assertThat(alone.alarm())
                .as("one target, 2 of 2: a blind agent cannot be told from an outage and fails it over")
                .isFinite();
    }
}
