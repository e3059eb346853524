package io.vantage.aggregator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.wire.Documents;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one drill rule the command and every aggregator round apply. */
class DrillPolicyTest {
    static final AggregatorConfig CONFIG = Documents.readYaml("""
            agents: [{id: a, region: us-east-1, tokenEnv: A}, {id: b, region: eu-west-1, tokenEnv: B}]
            targets:
              - {name: api-us, tcp: {host: x, port: 1}, route53: {hostedZoneId: Z1, recordName: api.example.com, recordType: A, setIdentifier: us}}
              - {name: api-eu, tcp: {host: x, port: 1}, route53: {hostedZoneId: Z1, recordName: api.example.com, recordType: A, setIdentifier: eu}}
              - {name: solo, tcp: {host: x, port: 1}, route53: {hostedZoneId: Z1, recordName: solo.example.com, recordType: A, setIdentifier: us}}
              - {name: unbound, tcp: {host: x, port: 1}}
            """, AggregatorConfig.class);
    static final long NOW = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();

    static AggregatorConfig.Drill drill(String target, String until) {
        return new AggregatorConfig.Drill(target, until, "test");
    }

    @Test
    void aDrillNeedsAnotherHealthyTargetOfItsGroupOutsideADrill() {
        AggregatorConfig.Drill us = drill("api-us", "2026-12-02T10:10:00Z");
        assertThat(DrillPolicy.refusal(CONFIG, us, Set.of(), t -> true, NOW)).isNull();
        assertThat(DrillPolicy.refusal(CONFIG, us, Set.of("api-eu"), t -> true, NOW))
                .isEqualTo("no other target of api.example.com A is healthy and outside a drill to take the traffic");
        assertThat(DrillPolicy.refusal(CONFIG, us, Set.of(), t -> !t.equals("api-eu"), NOW))
                .as("the other target unhealthy: nobody would take the traffic")
                .isNotNull();
        assertThat(DrillPolicy.refusal(CONFIG, drill("solo", "2026-12-02T10:10:00Z"), Set.of(), t -> true, NOW))
                .as("alone in its group")
                .startsWith("no other target of solo.example.com A");
        assertThat(DrillPolicy.refusal(CONFIG, drill("unbound", "2026-12-02T10:10:00Z"), Set.of(), t -> false, NOW))
                .as("a target that guards no record moves no traffic")
                .isNull();
    }

    @Test
    void aDrillEndsWithinAnHourAndNamesATarget() {
        assertThat(DrillPolicy.refusal(CONFIG, drill("api-us", "2026-12-02T11:00:30Z"), Set.of(), t -> true, NOW))
                .as("a minute of slack for the clock")
                .isNull();
        assertThat(DrillPolicy.refusal(CONFIG, drill("api-us", "2099-01-01T00:00:00Z"), Set.of(), t -> true, NOW))
                .isEqualTo("it ends more than 1h from now (until 2099-01-01T00:00:00Z)");
        assertThat(DrillPolicy.refusal(CONFIG, drill("nope", "2026-12-02T10:10:00Z"), Set.of(), t -> true, NOW))
                .isEqualTo("no target named 'nope'");
    }
}
