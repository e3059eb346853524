package io.vantage.aggregator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.wire.Documents;
import io.vantage.wire.report.FailureReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Observed routing as in the field, round by round with the time passed in: targets probed by host name (what they
 * stand for is learned from the addresses the agents connected to), answers behind CNAMEs, IPv6 in any spelling, a
 * load balancer whose addresses rotate, answers that are no target, and every way an observation can fail to say where
 * DNS sends a vantage point (a silent resolver, an agent that dies, a flapping answer, Route 53 answering with every
 * record when all are unhealthy), none of which may complete a failover or a failback. The name is observed for a few
 * seconds only before each failure, so a target must stay out of the answers for 10 picks of 5 s (the TTL) before a
 * vantage point counts as moved.
 */
class RoutingTest {
    private static final String OBSERVED = "observe-api.example.com-a";
    private static final AggregatorConfig CONFIG = Documents.readYaml("""
            agents:
              - {id: agent-a, region: us-east-1, tokenEnv: A}
              - {id: agent-b, region: eu-west-1, tokenEnv: B}
            targets:
              - {name: api-us, region: us-east-1, http: {url: 'https://api-us.example.com/health'}, quorum: {minVantages: 1, healthy: 1}, failover: {dnsTtl: 5s}}
              - {name: api-eu, region: eu-west-1, http: {url: 'https://api-eu.example.com/health'}, quorum: {minVantages: 1, healthy: 1}, failover: {dnsTtl: 5s}}
            observe: [{name: api.example.com, type: A, interval: 5s}]
            """, AggregatorConfig.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Routing routing = new Routing(registry);
    private final Map<String, List<Observation>> latest = new HashMap<>();
    private final Map<String, Verdict> verdicts = new HashMap<>();
    private long now = 1_000_000_000L;

    @BeforeEach
    void steady() {
        verdicts.put("api-us", Verdict.HEALTHY);
        verdicts.put("api-eu", Verdict.HEALTHY);
    }

    /** Each agent's latest probe of each target connected to these addresses (agent a, agent b). */
    private void probed(String usA, String usB, String euA, String euB) {
        latest.put(
                "api-us",
                List.of(probe("agent-a", "us-east-1", "api-us", usA), probe("agent-b", "eu-west-1", "api-us", usB)));
        latest.put(
                "api-eu",
                List.of(probe("agent-a", "us-east-1", "api-eu", euA), probe("agent-b", "eu-west-1", "api-eu", euB)));
    }

    private Observation probe(String agent, String region, String target, String address) {
        return new Observation(
                agent, region, null, 1, now - 1_000, true, true, null, 200, 0.01, null, null, null, address);
    }

    /** What each agent's resolver answered for the observed name: answers and CNAMEs; null answers: the lookup failed. */
    private void observed(Observation a, Observation b) {
        List<Observation> both = new ArrayList<>();
        if (a != null) {
            both.add(a);
        }
        if (b != null) {
            both.add(b);
        }
        latest.put(OBSERVED, both);
    }

    private Observation answer(String agent, String region, List<String> cnames, String... answers) {
        return new Observation(
                agent, region, null, 1, now - 500, true, true, null, null, 0.001, null, List.of(answers), cnames, null);
    }

    private Observation silent(String agent, String region) {
        return new Observation(
                agent,
                region,
                null,
                1,
                now - 500,
                false,
                false,
                FailureReason.TIMEOUT,
                null,
                2.0,
                "no answer",
                null,
                null,
                null);
    }

    private void round(long seconds) {
        now += seconds * 1000;
        routing.update(
                now,
                CONFIG,
                name -> latest.getOrDefault(name, List.of()),
                Map.copyOf(verdicts),
                Map.of(),
                (target, kind) -> new FailoverRange(60, 120, 180));
    }

    /** The resolvers keep answering as they last did, and the agents keep probing, every 5 s for {@code seconds}. */
    private void stay(long seconds) {
        for (long passed = 0; passed < seconds; passed += 5) {
            latest.replaceAll((target, observations) ->
                    observations.stream().map(this::again).toList());
            round(5);
        }
    }

    private Observation again(Observation o) {
        return new Observation(
                o.agentId(),
                o.region(),
                null,
                1,
                now - 500,
                o.healthy(),
                o.success(),
                o.reason(),
                o.statusCode(),
                o.totalSeconds(),
                o.message(),
                o.answers(),
                o.cnames(),
                o.address());
    }

    private Routing.Route route(String agent) {
        return routing.names().get(0).vantages().stream()
                .filter(r -> r.agentId().equals(agent))
                .findFirst()
                .orElseThrow();
    }

    private Routing.FailoverEvent latestEvent() {
        return routing.events().get(0);
    }

    @Test
    void hostNameTargetsAreAttributedByTheAddressesTheAgentsConnectedTo() {
        probed("10.0.1.5", "10.0.1.5", "10.0.2.7", "10.0.2.7");
        observed(answer("agent-a", "us-east-1", null, "10.0.1.5"), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        round(1);
        assertThat(route("agent-a").targets()).containsExactly("api-us");
        assertThat(route("agent-b").targets()).containsExactly("api-eu");
        assertThat(registry.scrape())
                .contains("vantage_route_vantages{name=\"api.example.com\",target=\"api-us\"} 1.0")
                .contains("vantage_route_vantages{name=\"api.example.com\",target=\"api-eu\"} 1.0");
    }

    /** An address the agents' dns phase answered for a target counts too, though no agent connected to it. */
    @Test
    void addressesTheTargetsNameResolvedToCount() {
        latest.put(
                "api-us",
                List.of(new Observation(
                        "agent-a",
                        "us-east-1",
                        null,
                        1,
                        now - 1_000,
                        true,
                        true,
                        null,
                        200,
                        0.01,
                        null,
                        List.of("10.0.1.5", "10.0.1.6"),
                        null,
                        "10.0.1.5")));
        observed(answer("agent-a", "us-east-1", null, "10.0.1.6"), answer("agent-b", "eu-west-1", null, "10.0.1.7"));
        round(1);
        assertThat(route("agent-a").targets()).containsExactly("api-us");
        assertThat(route("agent-b").state()).isEqualTo(Routing.RouteState.UNMATCHED);
    }

    @Test
    void aLoadBalancerWhoseAddressesRotateIsFollowed() {
        probed("10.0.1.5", "10.0.1.6", "10.0.2.7", "10.0.2.7");
        observed(answer("agent-a", "us-east-1", null, "10.0.1.6"), answer("agent-b", "eu-west-1", null, "10.0.1.5"));
        round(1);
        assertThat(route("agent-a").targets())
                .as("an address another agent connected to")
                .containsExactly("api-us");
        assertThat(route("agent-b").targets()).containsExactly("api-us");
        // The balancer moves to new addresses; the agents' next probes connect there, and the answers follow.
        probed("10.0.1.9", "10.0.1.9", "10.0.2.7", "10.0.2.7");
        observed(answer("agent-a", "us-east-1", null, "10.0.1.9"), answer("agent-b", "eu-west-1", null, "10.0.1.9"));
        round(1);
        assertThat(route("agent-a").targets()).containsExactly("api-us");
    }

    @Test
    void cnamesIpv6SpellingsAndUnmatchedAnswers() {
        probed("2001:db8::5", "2001:db8::5", "10.0.2.7", "10.0.2.7");
        observed(
                answer("agent-a", "us-east-1", null, "2001:DB8:0:0:0:0:0:5"),
                answer("agent-b", "eu-west-1", List.of("api-eu.example.com"), "192.0.2.200"));
        round(1);
        assertThat(route("agent-a").targets()).as("IPv6 in its long form").containsExactly("api-us");
        assertThat(route("agent-b").targets())
                .as("the CNAME is the target's host")
                .containsExactly("api-eu");
        assertThat(route("agent-b").unmatched()).containsExactly("192.0.2.200");

        observed(
                answer("agent-a", "us-east-1", null, "198.51.100.1"), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        round(1);
        assertThat(route("agent-a").state()).isEqualTo(Routing.RouteState.UNMATCHED);
        assertThat(route("agent-a").targets()).isEmpty();
        assertThat(route("agent-a").unmatched()).containsExactly("198.51.100.1");
        assertThat(registry.scrape())
                .contains("vantage_route_vantages{name=\"api.example.com\",target=\"(unmatched)\"} 1.0");
    }

    /** Opens a failover of api-us while both agents are sent to it. */
    private void failoverOpens() {
        probed("10.0.1.5", "10.0.1.5", "10.0.2.7", "10.0.2.7");
        observed(answer("agent-a", "us-east-1", null, "10.0.1.5"), answer("agent-b", "eu-west-1", null, "10.0.1.5"));
        round(1);
        verdicts.put("api-us", Verdict.UNHEALTHY);
        round(1);
        assertThat(latestEvent().kind()).isEqualTo(Routing.FailoverKind.FAILOVER);
        assertThat(latestEvent().seconds()).isNull();
    }

    /** /v1/status writes route states and event kinds by their labels, as dashboards and scripts read them. */
    @Test
    void statesAndKindsAreWrittenByTheirLabels() {
        assertThat(Stream.of(Routing.RouteState.values()).map(RoutingTest::json))
                .containsExactly("\"routed\"", "\"unmatched\"", "\"unknown\"");
        assertThat(Stream.of(Routing.FailoverKind.values()).map(RoutingTest::json))
                .containsExactly("\"failover\"", "\"failback\"");
        failoverOpens();
        assertThat(json(routing.names())).contains("\"state\":\"routed\"");
        assertThat(json(routing.events())).contains("\"kind\":\"failover\"");
    }

    private static String json(Object value) {
        return new String(Documents.writeJson(value), StandardCharsets.UTF_8);
    }

    @Test
    void aSilentResolverIsUnknownNotSentElsewhere() {
        failoverOpens();
        observed(silent("agent-a", "us-east-1"), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        round(5);
        assertThat(route("agent-a").state()).isEqualTo(Routing.RouteState.UNKNOWN);
        assertThat(latestEvent().seconds())
                .as("agent-a's resolver says nothing: not moved")
                .isNull();
        observed(answer("agent-a", "us-east-1", null), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        round(5);
        assertThat(latestEvent().seconds())
                .as("an empty answer is no evidence either")
                .isNull();
        observed(answer("agent-a", "us-east-1", null, "10.0.2.7"), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        round(5);
        assertThat(latestEvent().seconds())
                .as("both sent to api-eu, but not for long enough yet")
                .isNull();
        stay(45);
        assertThat(latestEvent().seconds()).isNull();
        stay(5);
        assertThat(latestEvent().seconds())
                .as("both seen sent to api-eu from 15 s after the verdict, for good")
                .isEqualTo(15.0);
        assertThat(registry.scrape())
                .contains("vantage_observed_failover_seconds_count{kind=\"failover\"} 1")
                .as("15 s is within the model's worst case, 180 s")
                .doesNotContain("vantage_observed_failover_slower_than_predicted_total");
    }

    /** What the slow-failover alert reads: a failover longer than the model's worst case is counted per target. */
    @Test
    void aFailoverSlowerThanTheWorstPredictionIsCounted() {
        failoverOpens();
        round(190);
        probed("10.0.1.5", "10.0.1.5", "10.0.2.7", "10.0.2.7"); // the agents keep probing: attribution stays fresh
        observed(answer("agent-a", "us-east-1", null, "10.0.2.7"), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        round(5);
        stay(50);
        assertThat(latestEvent().seconds()).isEqualTo(195.0);
        assertThat(registry.scrape())
                .contains(
                        "vantage_observed_failover_slower_than_predicted_total{kind=\"failover\",target=\"api-us\"} 1.0");
    }

    @Test
    void anAgentThatDiesWhileSentThereNeverCompletesAFailoverAndTheEventEndsUnresolved() {
        failoverOpens();
        observed(null, answer("agent-b", "eu-west-1", null, "10.0.2.7")); // agent-a is gone
        round(5);
        assertThat(latestEvent().seconds()).isNull();
        // Three times the worst case, and the 50 s agent-b's answers would have had to leave api-us for.
        round(Failovers.unresolvedAfter(180.0) / 1000 + 50 - 5);
        assertThat(latestEvent().unresolved()).isFalse();
        round(1);
        Routing.FailoverEvent event = latestEvent();
        assertThat(event.unresolved()).isTrue();
        assertThat(event.seconds()).isNull();
        assertThat(registry.scrape())
                .as("nothing recorded as an observed failover")
                .contains("vantage_observed_failover_seconds_count{kind=\"failover\"} 0");
    }

    @Test
    void aFlappingAnswerCompletesOnlyWhenEveryVantagePointIsElsewhere() {
        failoverOpens();
        observed(answer("agent-a", "us-east-1", null, "10.0.2.7"), answer("agent-b", "eu-west-1", null, "10.0.1.5"));
        round(2);
        observed(answer("agent-a", "us-east-1", null, "10.0.1.5"), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        round(2);
        assertThat(latestEvent().seconds())
                .as("agent-a was sent back before agent-b moved")
                .isNull();
        observed(answer("agent-a", "us-east-1", null, "10.0.2.7"), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        round(2);
        stay(55);
        assertThat(latestEvent().seconds()).isEqualTo(6.0);
    }

    /** Route 53 answering with every record (all unhealthy) sends nobody elsewhere: the target is among the answers. */
    @Test
    void answersWithEveryRecordAreNotAFailover() {
        failoverOpens();
        observed(
                answer("agent-a", "us-east-1", null, "10.0.1.5", "10.0.2.7"),
                answer("agent-b", "eu-west-1", null, "10.0.2.7", "10.0.1.5"));
        round(5);
        assertThat(route("agent-a").targets()).containsExactly("api-us", "api-eu");
        stay(600);
        assertThat(latestEvent().seconds()).isNull();
    }

    /**
     * api-us fails, then api-eu before DNS moved anyone: Route 53 then answers as if both were healthy (a weighted
     * pair: either, at random), so where the answers go says nothing of a failover, until api-eu has been healthy again
     * for the model's worst case.
     */
    @Test
    void everyTargetFailingIsNoFailover() {
        failoverOpens();
        verdicts.put("api-eu", Verdict.UNHEALTHY);
        observed(answer("agent-a", "us-east-1", null, "10.0.2.7"), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        round(5);
        assertThat(routing.events())
                .as("the failover is dropped: Route 53 may answer with either")
                .isEmpty();
        stay(300);
        verdicts.put("api-eu", Verdict.HEALTHY);
        stay(300);
        assertThat(routing.events()).isEmpty();
        assertThat(registry.scrape()).contains("vantage_observed_failover_seconds_count{kind=\"failover\"} 0");
    }

    /**
     * api-us failed over and is HEALTHY again, but before Route 53 follows (its alarm lags the verdict by up to the
     * model's worst case) api-eu fails: Route 53 then holds both unhealthy and answers with api-us, which is no failback.
     */
    @Test
    void route53AnsweringWithEveryRecordIsNoFailback() {
        failoverOpens();
        observed(answer("agent-a", "us-east-1", null, "10.0.2.7"), answer("agent-b", "eu-west-1", null, "10.0.2.7"));
        stay(55);
        assertThat(latestEvent().seconds()).isEqualTo(5.0);
        verdicts.put("api-us", Verdict.HEALTHY);
        stay(5);
        assertThat(latestEvent().kind()).isEqualTo(Routing.FailoverKind.FAILBACK);
        verdicts.put("api-eu", Verdict.UNHEALTHY);
        observed(answer("agent-a", "us-east-1", null, "10.0.1.5"), answer("agent-b", "eu-west-1", null, "10.0.1.5"));
        stay(60);
        assertThat(latestEvent().kind())
                .as("the failback is dropped: Route 53 answers with every record")
                .isEqualTo(Routing.FailoverKind.FAILOVER);
        assertThat(registry.scrape()).contains("vantage_observed_failover_seconds_count{kind=\"failback\"} 0");
    }
}
