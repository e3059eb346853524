package io.vantage.aggregator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vantage.wire.InvalidDocumentException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Invalid aggregator files, each with its exact error message. */
class AggregatorConfigTest {
    private static final Map<String, String> ENV =
            Map.of("T1", "first-token-0123456789", "T2", "second-token-0123456789", "SAME", "first-token-0123456789");
    private static final String AGENT = "agents: [{id: a, region: us-east-1, tokenEnv: T1}]\n";

    static Stream<Arguments> invalidFiles() {
        return Stream.of(
                Arguments.of(
                        "no agents",
                        "targets: []\n",
                        "agents: is empty: list the agents allowed to report, each with id, region and a token"),
                Arguments.of(
                        "agent listed twice",
                        "agents: [{id: a, region: r, tokenEnv: T1}, {id: a, region: r, tokenEnv: T2}]\n",
                        "agents[1].id: 'a' is listed twice"),
                Arguments.of(
                        "two targets bound to one record",
                        AGENT + "targets:\n"
                                + "  - {name: a, tcp: {host: h, port: 1}, route53: {hostedZoneId: Z1, recordName: api.example.com, recordType: A, setIdentifier: x}}\n"
                                + "  - {name: b, tcp: {host: h, port: 1}, route53: {hostedZoneId: Z1, recordName: API.example.com., recordType: a, setIdentifier: x}}\n",
                        "targets[1].route53: targets a and b are both bound to record api.example.com. A x in zone Z1; a record has one health check"),
                Arguments.of(
                        "a binding with Route 53 off",
                        AGENT + "route53: {enabled: false}\ntargets:\n"
                                + "  - {name: a, tcp: {host: h, port: 1}, route53: {hostedZoneId: Z1, recordName: api.example.com, recordType: A, setIdentifier: x}}\n",
                        "targets[0].route53: target a is bound to a record, but route53.enabled is false: no health check would guard it"),
                Arguments.of(
                        "a binding with an unknown record type",
                        AGENT + "targets:\n"
                                + "  - {name: a, tcp: {host: h, port: 1}, route53: {hostedZoneName: example.com, recordName: api.example.com, recordType: ALIAS, setIdentifier: x}}\n",
                        "targets[0].route53.recordType: 'ALIAS' must be one of A, AAAA, CAA, CNAME, DS, MX, NAPTR, NS, PTR, SOA, SPF, SRV, TXT"),
                Arguments.of(
                        "a binding with an unknown routing policy",
                        AGENT + "targets:\n"
                                + "  - {name: a, tcp: {host: h, port: 1}, route53: {hostedZoneId: Z1, recordName: api.example.com, recordType: A, setIdentifier: x, routingPolicy: simple}}\n",
                        "targets[0].route53.routingPolicy: 'simple' must be one of failover, latency, geolocation, geoproximity, ip-based, weighted, multivalue"),
                Arguments.of(
                        "shared token",
                        "agents: [{id: a, region: r, tokenEnv: T1}, {id: b, region: r, tokenEnv: SAME}]\n",
                        "agents[1]: shares its token with agents[0]; each agent needs its own token so that one cannot report as another"),
                Arguments.of(
                        "inline token",
                        "agents: [{id: a, region: r, token: abc}]\n",
                        "agents[0].token: unknown key; known keys here: expectedMembers, id, members, perVantage, previousTokenEnv, previousTokenFile, region, tokenEnv, tokenFile"),
                Arguments.of(
                        "no token source",
                        "agents: [{id: a, region: r}]\n",
                        "agents[0].tokenFile: set exactly one of tokenFile and tokenEnv for agent a"),
                Arguments.of(
                        "misspelt key",
                        "agents: [{id: a, region: r, tokenEnv: T1, tokenfile: x}]\n",
                        "agents[0].tokenfile: unknown key; known keys here: expectedMembers, id, members, perVantage, previousTokenEnv, previousTokenFile, region, tokenEnv, tokenFile"),
                Arguments.of(
                        "unknown mode",
                        AGENT + "cloudwatch: {mode: live}\n",
                        "cloudwatch.mode: 'live' must be aws or dry-run"),
                Arguments.of(
                        "relative endpoint",
                        AGENT + "cloudwatch: {mode: aws, endpoint: localhost}\n",
                        "cloudwatch.endpoint: 'localhost' must be an absolute URL such as http://127.0.0.1:5000"),
                Arguments.of(
                        "aws mode without a deployment",
                        AGENT + "cloudwatch: {mode: aws}\n",
                        "deployment: is required with cloudwatch.mode aws: name this deployment (e.g. production or"
                                + " staging): everything it makes in AWS carries the name, and what another deployment"
                                + " in the account made is never planned, changed or deleted"),
                Arguments.of(
                        "a deployment name that is no name",
                        AGENT + "deployment: prod/eu\n",
                        "deployment: 'prod/eu' must be 1-63 characters of letters, digits, '.', '_' or '-', starting"
                                + " with a letter or digit"),
                Arguments.of(
                        "AWS namespace",
                        AGENT + "cloudwatch: {namespace: AWS/EC2}\n",
                        "cloudwatch.namespace: 'AWS/EC2' must be 1-255 characters and must not start with AWS/"),
                Arguments.of(
                        "a carriage return in the namespace",
                        AGENT + "cloudwatch: {namespace: \"Vantage\\r\"}\n",
                        "cloudwatch.namespace: 'Vantage?' contains a control character (shown as ?)"),
                Arguments.of(
                        "a namespace that is not ASCII",
                        AGENT + "cloudwatch: {namespace: Vantäge}\n",
                        "cloudwatch.namespace: 'Vantäge' must be ASCII characters: CloudWatch takes no others"),
                Arguments.of(
                        "a newline in the region",
                        AGENT + "cloudwatch: {region: \"us-east-1\\n\"}\n",
                        "cloudwatch.region: 'us-east-1?' must be 1-64 characters of letters, digits, '.', '_' or '-', "
                                + "starting with a letter or digit"),
                Arguments.of(
                        "rate limit zero",
                        AGENT + "ingest: {maxRequestsPerSecond: 0}\n",
                        "ingest.maxRequestsPerSecond: must be between 1 and 100000, got 0"),
                Arguments.of(
                        "high-resolution alarm period",
                        AGENT + "alarm: {period: 30s}\n",
                        "alarm.period: 30s is not a multiple of 60s: periods of 10s, 20s and 30s make a high-resolution alarm, "
                                + "which Route 53 alarm-based health checks cannot use"),
                Arguments.of(
                        "extended statistic",
                        AGENT + "alarm: {statistic: p99}\n",
                        "alarm.statistic: 'p99' is not one of [Average, Maximum, Minimum, SampleCount, Sum]; extended statistics "
                                + "(percentiles) cannot be used by Route 53 alarm-based health checks"),
                Arguments.of(
                        "evaluation over a day",
                        AGENT + "alarm: {period: 1h, evaluationPeriods: 25, datapointsToAlarm: 1}\n",
                        "alarm.evaluationPeriods: period x evaluationPeriods = 90000s exceeds CloudWatch's limit of one day (86400s)"),
                Arguments.of(
                        "more datapoints than periods",
                        AGENT + "alarm: {evaluationPeriods: 3, datapointsToAlarm: 4}\n",
                        "alarm.datapointsToAlarm: must be between 1 and 3, got 4"),
                Arguments.of(
                        "unknown treatMissingData",
                        AGENT + "alarm: {treatMissingData: zero}\n",
                        "alarm.treatMissingData: 'zero' is not one of [breaching, ignore, missing, notBreaching]"),
                Arguments.of(
                        "unknown insufficient data status",
                        AGENT + "route53: {insufficientDataHealthStatus: Unknown}\n",
                        "route53.insufficientDataHealthStatus: 'Unknown' is not one of [Healthy, LastKnownStatus, Unhealthy]"),
                Arguments.of(
                        "quorum beyond minVantages",
                        AGENT + "targets: [{name: x, tcp: {host: h, port: 1}, quorum: {minVantages: 1, healthy: 2}}]\n",
                        "targets[0].quorum.healthy: 2 must not exceed minVantages (1)"),
                Arguments.of(
                        "maxClockSkew of zero",
                        AGENT + "ingest: {maxClockSkew: 0s}\n",
                        "ingest.maxClockSkew: must be between 1s and 1h, got 0s"),
                Arguments.of(
                        "a quorum the agents can never meet",
                        "agents: [{id: a, region: us-east-1, tokenEnv: T1}, {id: b, region: eu-west-1, tokenEnv: T2}]\n"
                                + "targets: [{name: x, tcp: {host: h, port: 1}, quorum: {minVantages: 3, healthy: 2}}]\n",
                        "targets[0].quorum.minVantages: 3 is more than the 2 agent(s) configured, so target x could "
                                + "never have a verdict; lower minVantages (and healthy) or add agents"),
                Arguments.of(
                        "a placement that names no agent",
                        "agents: [{id: a, region: us-east-1, tokenEnv: T1}, {id: b, region: eu-west-1, tokenEnv: T2}]\n"
                                + "targets: [{name: x, tcp: {host: h, port: 1}, quorum: {minVantages: 1},"
                                + " probeFrom: [eu-west-1, eu-west-2]}]\n",
                        "targets[0].probeFrom[1]: 'eu-west-2' of target x is neither the id nor the region of a "
                                + "configured agent; configured regions: eu-west-1, us-east-1"),
                Arguments.of(
                        "a quorum beyond the placed agents",
                        "agents: [{id: a, region: us-east-1, tokenEnv: T1}, {id: b, region: eu-west-1, tokenEnv: T2}]\n"
                                + "targets: [{name: x, tcp: {host: h, port: 1}, probeFrom: [b]}]\n",
                        "targets[0].quorum.minVantages: 2 is more than the 1 agent(s) its probeFrom [b] places it at,"
                                + " so target x could never have a verdict; lower minVantages (and healthy) or place it"
                                + " at more agents"),
                Arguments.of(
                        "the default quorum with one agent",
                        AGENT + "targets: [{name: x, tcp: {host: h, port: 1}}]\n",
                        "targets[0].quorum.minVantages: 2 is more than the 1 agent(s) configured, so target x could "
                                + "never have a verdict; lower minVantages (and healthy) or add agents"),
                Arguments.of(
                        "a target region that is no name",
                        AGENT
                                + "targets: [{name: x, region: 'us east', tcp: {host: h, port: 1}, quorum: {minVantages: 1}}]\n",
                        "targets[0].region: 'us east' must be 1-64 characters of letters, digits, '.', '_' or '-', "
                                + "starting with a letter or digit"),
                Arguments.of(
                        "regionLostAfter of zero",
                        AGENT
                                + "targets: [{name: x, tcp: {host: h, port: 1}, quorum: {minVantages: 1, regionLostAfter: 0s}}]\n",
                        "targets[0].quorum.regionLostAfter: must be between 1s and 1h, got 0s"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void invalidFileIsRejectedWithItsExactMessage(String description, String yaml, String message) {
        assertThatThrownBy(() -> new AggregatorConfigLoader(ENV).parse(yaml, null))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessage(message);
    }

    @Test
    void tokensAreHashedAndNeverPrinted() {
        LoadedAggregatorConfig loaded = new AggregatorConfigLoader(ENV).parse(AGENT, null);

        assertThat(loaded.toString()).doesNotContain("first-token");
        assertThat(loaded.credentials().get(0).tokenHash()).hasSize(32);
        assertThat(loaded.config().cloudwatch().mode()).isEqualTo(AggregatorConfig.CloudWatch.Mode.DRY_RUN);
        assertThat(loaded.config().server().port()).isEqualTo(8080);
    }
}
