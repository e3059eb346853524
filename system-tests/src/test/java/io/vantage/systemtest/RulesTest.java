package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        assertThat(promtool(directory, "check", "rules", RULES.toString())).contains("SUCCESS: 18 rules found");
    }

    /** Every alert's runbook_url is the anchor of its own section in docs/operations.md, and that section exists. */
    @Test
    void everyAlertLinksToItsRunbookInTheOperationsGuide() throws Exception {
        String guide = Files.readString(Repository.root().resolve("docs/operations.md"));
        Matcher rule = Pattern.compile("- alert: (\\w+)\\n[\\s\\S]*?runbook_url: \"([^\"]+)\"")
                .matcher(Files.readString(RULES));
        Map<String, String> urls = new LinkedHashMap<>();
        while (rule.find()) {
            urls.put(rule.group(1), rule.group(2));
        }
        assertThat(urls).hasSize(18);
        urls.forEach((alert, url) -> {
            assertThat(url)
                    .isEqualTo("https://github.com/vantage/vantage/blob/main/docs/operations.md#"
                            + alert.toLowerCase(Locale.ROOT));
            assertThat(guide)
                    .as("docs/operations.md has a section for %s", alert)
                    .containsPattern("(?m)^### " + alert + "$");
        });
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
                      - series: 'vantage_observed_failover_slower_than_predicted_total{target="api-eu", kind="failover", instance="aggregator-0"}'
                        values: '0 0 1 1 1 1'
                      - series: 'vantage_observed_failover_slower_than_predicted_total{target="api-us", kind="failover", instance="aggregator-0"}'
                        values: '0x5'
                      # never heard since the aggregator started: its age counts from the start
                      - series: 'vantage_agent_report_age_seconds{agent="agent-eu", region="eu-west-1", instance="aggregator-0"}'
                        values: '0+30x10'
                      # agent-us cannot push to agg-1; agent-eu fails now and then but gets through
                      - series: 'vantage_report_push_total{outcome="failure", aggregator="agg-1:8080", instance="agent-us:9100"}'
                        values: '0+2x30'
                      - series: 'vantage_report_push_total{outcome="success", aggregator="agg-1:8080", instance="agent-us:9100"}'
                        values: '5x30'
                      - series: 'vantage_report_push_total{outcome="failure", aggregator="agg-1:8080", instance="agent-eu:9100"}'
                        values: '0+1x30'
                      - series: 'vantage_report_push_total{outcome="success", aggregator="agg-1:8080", instance="agent-eu:9100"}'
                        values: '0+1x30'
                      - series: 'vantage_config_last_reload_successful{instance="aggregator-1"}'
                        values: '1 1 0 0 0 0 0'
                      - series: 'vantage_config_last_reload_successful{instance="aggregator-0"}'
                        values: '1x10'
                      - series: 'vantage_aws_config_differs{instance="aggregator-0"}'
                        values: '1x40'
                      - series: 'vantage_aws_config_differs{instance="aggregator-1"}'
                        values: '0x40'
                      - series: 'kube_job_status_failed{namespace="vantage", job_name="vantage-apply"}'
                        values: '0 1 1 1'
                      - series: 'kube_job_status_failed{namespace="vantage", job_name="nightly-backup"}'
                        values: '1 1 1 1'
                      # api-eu guards two groups: one shared with the healthy api-us, one alone
                      - series: 'vantage_target_record{target="api-eu", record="Z1 api.example.com. A", instance="aggregator-0"}'
                        values: '1x10'
                      - series: 'vantage_target_record{target="api-us", record="Z1 api.example.com. A", instance="aggregator-0"}'
                        values: '1x10'
                      - series: 'vantage_target_record{target="api-eu", record="Z1 eu.example.com. A", instance="aggregator-0"}'
                        values: '1x10'
                    alert_rule_test:
                      - eval_time: 2m
                        alertname: VantageTargetUnhealthy
                        exp_alerts:
                          - exp_labels: {severity: page, target: api-eu}
                            exp_annotations:
                              summary: "api-eu is UNHEALTHY by quorum"
                              description: "The vantage points' quorum says api-eu is down; Route 53 fails it over once its alarm fires."
                              runbook: "Open the status page: which vantage points fail and why (reason, message). A real outage: Route 53 moves traffic once the alarm fires; watch the failover timeline. A failure only vantage sees: check the target's URL, assertions and certificates."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantagetargetunhealthy"
                      - eval_time: 6m
                        alertname: VantageTargetInsufficientData
                        exp_alerts:
                          - exp_labels: {severity: ticket, target: api-ap}
                            exp_annotations:
                              summary: "api-ap has had insufficient data for 5 minutes"
                              description: "Too few fresh vantage points to decide: Route 53 keeps its last status (fail static). Check the agents."
                              runbook: "Count the fresh vantage points on the status page against quorum.minVantages; restart or fix the silent or blind agents (VantageAgentSilent, VantageAgentBlind)."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantagetargetinsufficientdata"
                      - eval_time: 5m
                        alertname: VantageAgentSilent
                        exp_alerts:
                          - exp_labels: {severity: ticket, agent: agent-ap, region: ap-southeast-2}
                            exp_annotations:
                              summary: "agent agent-ap (ap-southeast-2) has not reported for over a minute"
                              description: "Its vantage point is missing from every quorum until it reports again (an agent never heard since the aggregator started counts from the start; vantage_agent_reported is 0 for it)."
                              runbook: "Check the agent's logs and vantage_report_push_total{outcome}; 401/403: its token; 409: another process has its id; ignored: its clock (NTP); never heard: its aggregator URLs, the NetworkPolicy, TLS (caFile)."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageagentsilent"
                          - exp_labels: {severity: ticket, agent: agent-eu, region: eu-west-1}
                            exp_annotations:
                              summary: "agent agent-eu (eu-west-1) has not reported for over a minute"
                              description: "Its vantage point is missing from every quorum until it reports again (an agent never heard since the aggregator started counts from the start; vantage_agent_reported is 0 for it)."
                              runbook: "Check the agent's logs and vantage_report_push_total{outcome}; 401/403: its token; 409: another process has its id; ignored: its clock (NTP); never heard: its aggregator URLs, the NetworkPolicy, TLS (caFile)."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageagentsilent"
                      - eval_time: 8m
                        alertname: VantageCloudWatchPublishFailing
                        exp_alerts:
                          - exp_labels: {severity: page, instance: aggregator-0}
                            exp_annotations:
                              summary: "aggregator-0 cannot publish verdicts to CloudWatch"
                              description: "No datums reach the alarms: Route 53 sees missing data and keeps its last status."
                              runbook: "Read the aggregator's log for the AWS error: credentials (IRSA role), cloudwatch:PutMetricData on the namespace, throttling, the endpoint."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantagecloudwatchpublishfailing"
                      - eval_time: 8m
                        alertname: VantageAgentOverloaded
                        exp_alerts:
                          - exp_labels: {severity: ticket, instance: "agent-us:9100"}
                            exp_annotations:
                              summary: "agent agent-us:9100 runs late and reports no vote"
                              description: "Its event loops lag 100 ms or more: give it CPU, or fewer targets per agent."
                              runbook: "Give the agent CPU (requests, limits), fewer targets per agent, or more agents; vantage_agent_event_loop_lag_seconds shows how late it runs."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageagentoverloaded"
                      - eval_time: 2m
                        alertname: VantageObservedFailoverSlow
                        exp_alerts:
                          - exp_labels: {severity: ticket, target: api-eu, kind: failover}
                            exp_annotations:
                              summary: "the failover of api-eu took longer than predicted until DNS followed"
                              description: "vantage's model put its worst case lower (vantage_failover_predicted_seconds{bound=\\"worst\\"})."
                              runbook: "Compare with `vantage-aggregator simulate`: the alarm periods, record TTLs, resolver caches or quorum settings are slower than configured; the status page's failover timeline shows where the time went."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageobservedfailoverslow"
                      - eval_time: 10m
                        alertname: VantageAggregatorUnreachable
                        exp_alerts:
                          - exp_labels: {severity: page, instance: "agent-us:9100", aggregator: "agg-1:8080"}
                            exp_annotations:
                              summary: "agent agent-us:9100 cannot reach aggregator agg-1:8080"
                              description: "No push succeeded for 5 minutes: that aggregator hears nothing from this agent, and if it hears no agent its verdicts go to insufficient data (Route 53 keeps its last status)."
                              runbook: "Is the aggregator running (pods, readiness)? From the agent: DNS of the URL, the NetworkPolicy and load balancer source ranges, TLS (caFile, certificate names)."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageaggregatorunreachable"
                      - eval_time: 3m
                        alertname: VantageConfigReloadRefused
                        exp_alerts:
                          - exp_labels: {severity: ticket, instance: aggregator-1}
                            exp_annotations:
                              summary: "aggregator-1 refused its changed config"
                              description: "It keeps running on the previous config; the change is not in force."
                              runbook: "The log names the file, key and problem; `vantage-aggregator validate-config --config FILE` (or the agent's) on the new file says the same. Fix and save again."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageconfigreloadrefused"
                      - eval_time: 16m
                        alertname: VantageAwsDiffersFromConfig
                        exp_alerts:
                          - exp_labels: {severity: ticket, instance: aggregator-0}
                            exp_annotations:
                              summary: "aggregator-0: the alarms and health checks in AWS differ from the config"
                              description: "apply has not run since the config changed, or it failed: new targets have no alarm or health check, and records may be unguarded."
                              runbook: "Run `vantage-aggregator plan` to see the difference, then `apply`; with the chart, read the apply Job's log (kubectl logs job/<release>-apply)."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageawsdiffersfromconfig"
                      - eval_time: 10m
                        alertname: VantageAwsDiffersFromConfig
                        exp_alerts: []
                      - eval_time: 1m
                        alertname: VantageApplyJobFailed
                        exp_alerts:
                          - exp_labels: {severity: ticket, namespace: vantage, job_name: vantage-apply}
                            exp_annotations:
                              summary: "the apply Job vantage/vantage-apply failed"
                              description: "The alarms and health checks were not brought in line with this release's config."
                              runbook: "kubectl logs job/vantage-apply names the AWS error (credentials, permissions, a record that does not exist); fix it and upgrade the release again."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageapplyjobfailed"
                      - eval_time: 5m
                        alertname: VantageReplicasDisagree
                        exp_alerts:
                          - exp_labels: {severity: ticket, target: api-eu}
                            exp_annotations:
                              summary: "aggregator replicas disagree on api-eu"
                              description: "Some replicas say healthy, some unhealthy: they hear different agents. The alarm's Minimum acts on the worst replica."
                              runbook: "Check that every agent lists every replica's own address (never one balanced URL; vantage_agent_aggregator_replica_changes_total) and that each replica hears every agent (vantage_agent_report_age_seconds per instance)."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantagereplicasdisagree"
                      - eval_time: 4m
                        alertname: VantageReplicasDisagree
                        exp_alerts: []
                      - eval_time: 2m
                        alertname: VantageRecordGroupAllUnhealthy
                        exp_alerts:
                          - exp_labels: {severity: page, record: "Z1 eu.example.com. A"}
                            exp_annotations:
                              summary: "every target of Z1 eu.example.com. A is unhealthy"
                              description: "With every record's health check unhealthy, Route 53 answers with all of them (as if all were healthy): failover cannot help."
                              runbook: "A shared dependency or a global outage, or a probe problem common to all (an expired certificate, a changed health path): read the failure reasons on the status page."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantagerecordgroupallunhealthy"
                      - eval_time: 1m
                        alertname: VantageDrillRunning
                        exp_alerts:
                          - exp_labels: {severity: info, target: api-eu}
                            exp_annotations:
                              summary: "a failover drill is running on api-eu"
                              description: "vantage publishes Healthy=0 for it until the drill ends; its traffic is elsewhere on purpose."
                              runbook: "Expected during a drill; end it early with `vantage-aggregator drill --config <file> --target <target> --end` (or remove it from drills:)."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantagedrillrunning"
                      - eval_time: 6m
                        alertname: VantageAgentBlind
                        exp_alerts:
                          - exp_labels: {severity: ticket, agent: agent-ap, region: ap-southeast-2}
                            exp_annotations:
                              summary: "agent agent-ap (ap-southeast-2) is blind"
                              description: "It fails nearly every target the other agents see healthy (its resolver, network or route): its unhealthy votes are set aside until it sees again."
                              runbook: "From the agent's node: resolve and reach the targets (DNS servers, routes, egress policy, proxy); its probe failure reasons on the status page say which phase fails."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageagentblind"
                      - eval_time: 2m
                        alertname: VantageAgentIdentityConflict
                        exp_alerts:
                          - exp_labels: {severity: ticket, agent: agent-eu, region: eu-west-1}
                            exp_annotations:
                              summary: "more processes report as agent agent-eu (eu-west-1) than its entry allows"
                              description: "Beyond the entry's members (default 8; members: 1 allows one process) a further process gets 409 and its reports do not count."
                              runbook: "Count the processes with this agent id (its Deployment's or DaemonSet's pods, a stale pod, a copied config) against members in its aggregator.agents entry: raise members above the pods it runs (with room for a rollout's extra pod), or give a stray process its own id and token."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantageagentidentityconflict"
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

    /** The alerts on vantage points run as several processes (members), on two aggregator replicas' series. */
    @Test
    void theMembersAlertsFireOnlyWhenAVantagePointLacksMembersOrTargets() throws Exception {
        Files.copy(RULES, directory.resolve("rules.yaml"));
        Files.writeString(directory.resolve("tests.yaml"), """
                rule_files: [rules.yaml]
                evaluation_interval: 30s
                tests:
                  - interval: 30s
                    input_series:
                      # agent-us: one of two expected members alive, seen alike by both replicas: degraded
                      - series: 'vantage_agent_members{agent="agent-us", region="us-east-1", state="alive", instance="aggregator-0"}'
                        values: '1x30'
                      - series: 'vantage_agent_members{agent="agent-us", region="us-east-1", state="alive", instance="aggregator-1"}'
                        values: '1x30'
                      - series: 'vantage_agent_members_expected{agent="agent-us", region="us-east-1", instance="aggregator-0"}'
                        values: '2x30'
                      - series: 'vantage_agent_members_expected{agent="agent-us", region="us-east-1", instance="aggregator-1"}'
                        values: '2x30'
                      # agent-eu: both alive as the best-informed replica sees it (the other's reach is another alert's)
                      - series: 'vantage_agent_members{agent="agent-eu", region="eu-west-1", state="alive", instance="aggregator-0"}'
                        values: '2x30'
                      - series: 'vantage_agent_members{agent="agent-eu", region="eu-west-1", state="alive", instance="aggregator-1"}'
                        values: '1x30'
                      - series: 'vantage_agent_members_expected{agent="agent-eu", region="eu-west-1", instance="aggregator-0"}'
                        values: '2x30'
                      - series: 'vantage_agent_members_expected{agent="agent-eu", region="eu-west-1", instance="aggregator-1"}'
                        values: '2x30'
                      # agent-ap: none alive (one joining does not vote): down, not degraded
                      - series: 'vantage_agent_members{agent="agent-ap", region="ap-southeast-2", state="alive", instance="aggregator-0"}'
                        values: '0x30'
                      - series: 'vantage_agent_members{agent="agent-ap", region="ap-southeast-2", state="joining", instance="aggregator-0"}'
                        values: '1x30'
                      - series: 'vantage_agent_members_expected{agent="agent-ap", region="ap-southeast-2", instance="aggregator-0"}'
                        values: '2x30'
                      # agent-sa: one member and no expectedMembers: nothing to compare with
                      - series: 'vantage_agent_members{agent="agent-sa", region="sa-east-1", state="alive", instance="aggregator-0"}'
                        values: '1x30'
                      # agent-us leaves three placed targets unprobed from 1m on; agent-eu none
                      - series: 'vantage_agent_targets_unassigned{agent="agent-us", region="us-east-1", instance="aggregator-0"}'
                        values: '0 0 3x30'
                      - series: 'vantage_agent_targets_unassigned{agent="agent-eu", region="eu-west-1", instance="aggregator-0"}'
                        values: '0x30'
                    alert_rule_test:
                      - eval_time: 6m
                        alertname: VantagePointDegraded
                        exp_alerts:
                          - exp_labels: {severity: ticket, agent: agent-us, region: us-east-1}
                            exp_annotations:
                              summary: "vantage point agent-us (us-east-1) runs fewer members than expected"
                              description: "Fewer of its processes are alive than its entry's expectedMembers: it still votes, the alive members probe the missing ones' targets, and losing the rest would silence the region."
                              runbook: "Compare vantage_agent_members{state} with the agent pods of its region's cluster (pending, crash-looping, evicted, a node lost); a member beyond the entry's members gets 409 (VantageAgentIdentityConflict); a joining member turns alive once it settles."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantagepointdegraded"
                      # for 5m: still pending
                      - eval_time: 4m
                        alertname: VantagePointDegraded
                        exp_alerts: []
                      - eval_time: 3m
                        alertname: VantagePointDown
                        exp_alerts:
                          - exp_labels: {severity: page, agent: agent-ap, region: ap-southeast-2}
                            exp_annotations:
                              summary: "vantage point agent-ap (ap-southeast-2) has no member alive"
                              description: "None of its processes reports: the region's votes are missing from every quorum, and targets whose quorum needs them go to INSUFFICIENT_DATA (Route 53 keeps its last status)."
                              runbook: "Are the region's agent pods running? Then their logs and vantage_report_push_total{outcome}: 401/403 the token; never heard: the aggregator URLs, the NetworkPolicy, TLS (caFile). A region lost entirely looks like this (VantageAgentSilent fires too)."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantagepointdown"
                      # for 2m: still pending
                      - eval_time: 1m
                        alertname: VantagePointDown
                        exp_alerts: []
                      - eval_time: 7m
                        alertname: VantageTargetNotProbed
                        exp_alerts:
                          - exp_labels: {severity: ticket, agent: agent-us, region: us-east-1}
                            exp_annotations:
                              summary: "targets placed on agent-us (us-east-1) are probed by none of its members"
                              description: "Targets whose probeFrom names this vantage point have no alive member assigned: it casts no vote on them, and their quorum may lack it."
                              runbook: "Is any member alive (VantagePointDown, vantage_agent_members)? vantage_member_targets shows each member's share and the status page each target's probeFrom; a member that just joined takes its share once it settles."
                              runbook_url: "https://github.com/vantage/vantage/blob/main/docs/operations.md#vantagetargetnotprobed"
                      # unassigned since 1m, for 5m: still pending at 5m
                      - eval_time: 5m
                        alertname: VantageTargetNotProbed
                        exp_alerts: []
                """);
        assertThat(promtool(directory, "test", "rules", "tests.yaml")).contains("SUCCESS");
    }
}
