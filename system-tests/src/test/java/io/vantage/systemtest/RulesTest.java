package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alerting rules the chart and compose ship, checked and unit-tested by the real promtool. */
class RulesTest {
    static final Path RULES = Repository.root().resolve("helm/vantage/rules/vantage-rules.yaml");

    @TempDir
    Path directory;

    private static String promtool(Path workDirectory, String... arguments) throws Exception {
        String[] command = new String[arguments.length + 1];
        command[0] = "promtool";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(workDirectory.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new AssertionError("promtool is required (Debian package prometheus; ./test.sh installs it)", e);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue())
                .as("promtool %s said:%n%s", String.join(" ", arguments), output)
                .isZero();
        return output;
    }

    @Test
    void theRulesAreValid() throws Exception {
        assertThat(promtool(directory, "check", "rules", RULES.toString())).contains("SUCCESS: 9 rules found");
    }

    @Test
    void eachAlertFiresOnTheSeriesThatShouldFireIt() throws Exception {
        Files.copy(RULES, directory.resolve("rules.yaml"));
        Files.writeString(directory.resolve("tests.yaml"), """
                rule_files: [rules.yaml]
                evaluation_interval: 30s
                tests:
                  - interval: 30s
                    input_series:
                      # api-eu is unhealthy on one replica of two: the worst replica counts
                      - series: 'vantage_target_healthy{target="api-eu", instance="aggregator-0"}'
                        values: '0x10'
                      - series: 'vantage_target_healthy{target="api-eu", instance="aggregator-1"}'
                        values: '1x10'
                      - series: 'vantage_target_healthy{target="api-us", instance="aggregator-0"}'
                        values: '1x20'
                      # api-ap has vantage series but no verdict: insufficient data
                      - series: 'vantage_target_vantages{target="api-ap", state="healthy", instance="aggregator-0"}'
                        values: '1x20'
                      - series: 'vantage_target_vantages{target="api-us", state="healthy", instance="aggregator-0"}'
                        values: '3x20'
                      - series: 'vantage_agent_report_age_seconds{agent="agent-ap", region="ap-southeast-2", instance="aggregator-0"}'
                        values: '1+30x10'
                      - series: 'vantage_agent_report_age_seconds{agent="agent-us", region="us-east-1", instance="aggregator-0"}'
                        values: '1x10'
                      - series: 'vantage_cloudwatch_publish_total{outcome="failure", instance="aggregator-0"}'
                        values: '0+1x20'
                      - series: 'vantage_agent_event_loop_overloaded_samples_total{instance="agent-us:9100"}'
                        values: '0+5x20'
                      - series: 'vantage_target_drill{target="api-eu", instance="aggregator-0"}'
                        values: '1x10'
                      - series: 'vantage_target_drill{target="api-eu", instance="aggregator-1"}'
                        values: '0x10'
                      - series: 'vantage_agent_blind{agent="agent-ap", region="ap-southeast-2", instance="aggregator-0"}'
                        values: '1x20'
                      - series: 'vantage_agent_blind{agent="agent-us", region="us-east-1", instance="aggregator-0"}'
                        values: '0x20'
                      - series: 'vantage_agent_identity_conflicts_total{agent="agent-eu", region="eu-west-1", instance="aggregator-0"}'
                        values: '0 0 3 6 9 12'
                      - series: 'vantage_observed_failover_seconds_count{kind="failover", instance="aggregator-0"}'
                        values: '0 0 1 1 1 1'
                      - series: 'vantage_observed_failover_seconds_bucket{kind="failover", le="300.0", instance="aggregator-0"}'
                        values: '0 0 0 0 0 0'
                    alert_rule_test:
                      - eval_time: 2m
                        alertname: VantageTargetUnhealthy
                        exp_alerts:
                          - exp_labels: {severity: page, target: api-eu}
                            exp_annotations:
                              summary: "api-eu is UNHEALTHY by quorum"
                              description: "The vantage points' quorum says api-eu is down; Route 53 fails it over once its alarm fires."
                      - eval_time: 6m
                        alertname: VantageTargetInsufficientData
                        exp_alerts:
                          - exp_labels: {severity: ticket, target: api-ap}
                            exp_annotations:
                              summary: "api-ap has had insufficient data for 5 minutes"
                              description: "Too few fresh vantage points to decide: Route 53 keeps its last status (fail static). Check the agents."
                      - eval_time: 5m
                        alertname: VantageAgentSilent
                        exp_alerts:
                          - exp_labels: {severity: ticket, agent: agent-ap, region: ap-southeast-2}
                            exp_annotations:
                              summary: "agent agent-ap (ap-southeast-2) has not reported for over a minute"
                              description: "Its vantage point is missing from every quorum until it reports again."
                      - eval_time: 8m
                        alertname: VantageCloudWatchPublishFailing
                        exp_alerts:
                          - exp_labels: {severity: page, instance: aggregator-0}
                            exp_annotations:
                              summary: "aggregator-0 cannot publish verdicts to CloudWatch"
                              description: "No datums reach the alarms: Route 53 sees missing data and keeps its last status."
                      - eval_time: 8m
                        alertname: VantageAgentOverloaded
                        exp_alerts:
                          - exp_labels: {severity: ticket, instance: "agent-us:9100"}
                            exp_annotations:
                              summary: "agent agent-us:9100 runs late and reports no vote"
                              description: "Its event loops lag 100 ms or more: give it CPU, or fewer targets per agent."
                      - eval_time: 2m
                        alertname: VantageObservedFailoverSlow
                        exp_alerts:
                          - exp_labels: {severity: ticket, instance: aggregator-0}
                            exp_annotations:
                              summary: "a failover took longer than 5 minutes until DNS followed"
                              description: "Compare with `vantage-aggregator simulate`: the alarm, TTL or quorum settings may be slower than intended."
                      - eval_time: 1m
                        alertname: VantageDrillRunning
                        exp_alerts:
                          - exp_labels: {severity: info, target: api-eu}
                            exp_annotations:
                              summary: "a failover drill is running on api-eu"
                              description: "vantage publishes Healthy=0 for it until the drill ends; its traffic is elsewhere on purpose."
                      - eval_time: 6m
                        alertname: VantageAgentBlind
                        exp_alerts:
                          - exp_labels: {severity: ticket, agent: agent-ap, region: ap-southeast-2}
                            exp_annotations:
                              summary: "agent agent-ap (ap-southeast-2) is blind"
                              description: "It fails nearly every target the other agents see healthy (its resolver, network or route): its unhealthy votes are set aside until it sees again."
                      - eval_time: 2m
                        alertname: VantageAgentIdentityConflict
                        exp_alerts:
                          - exp_labels: {severity: ticket, agent: agent-eu, region: eu-west-1}
                            exp_annotations:
                              summary: "two processes report as agent agent-eu (eu-west-1)"
                              description: "Only one process's reports count; give each process its own agent id and token."
                      - eval_time: 4m
                        alertname: VantageAgentBlind
                        exp_alerts: []
                      # nothing fires for the healthy target and the reporting agent
                      - eval_time: 1m
                        alertname: VantageTargetInsufficientData
                        exp_alerts: []
                """);
        assertThat(promtool(directory, "test", "rules", "tests.yaml")).contains("SUCCESS");
    }
}
