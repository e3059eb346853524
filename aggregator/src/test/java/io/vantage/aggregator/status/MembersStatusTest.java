package io.vantage.aggregator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Reports;
import io.vantage.testing.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes report as agent-a (pods pod-1 and pod-2), each fetching its share and reporting with its instance id:
 * /v1/status and the page show the vantage point's members and how many of them a vote came from; the anonymous summary
 * keeps the counts but names no pod.
 */
class MembersStatusTest {
    final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path directory;

    @Test
    void theStatusShowsEachVantagePointsMembers() throws Exception {
        try (RunningAggregator aggregator = start("full")) {
            twoMembersReport(aggregator);

            JsonNode full = status(aggregator);
            JsonNode a = full.at("/agents/0");
            assertThat(instances(a)).containsExactly("pod-1", "pod-2");
            for (JsonNode member : a.get("members")) {
                assertThat(member.get("sharing").asBoolean()).isTrue();
                assertThat(member.get("targets").asInt())
                        .as("perVantage 2: both probe the one target")
                        .isEqualTo(1);
                assertThat(member.get("lastSeenAgeSeconds").isNumber()).isTrue();
            }
            assertThat(a.get("expectedMembers").asInt()).isEqualTo(2);
            assertThat(a.get("unassigned").asInt()).isZero();
            assertThat(a.get("moves").isNumber()).isTrue();
            JsonNode b = full.at("/agents/1");
            assertThat(b.get("members")).isEmpty();
            assertThat(b.has("expectedMembers")).as("not configured").isFalse();
            assertThat(b.get("unassigned").asInt())
                    .as("no member of agent-b probes api")
                    .isEqualTo(1);
            JsonNode vantage = full.at("/targets/0/vantages/0");
            assertThat(vantage.get("state").asText()).isEqualTo("healthy");
            assertThat(vantage.get("members").asInt()).isEqualTo(2);
            assertThat(vantage.get("member").asText()).isIn("pod-1", "pod-2");
            assertThat(full.at("/targets/0/vantages/1/state").asText()).isEqualTo("missing");
            assertThat(full.at("/targets/0/vantages/1").has("members")).isFalse();

            assertThat(aggregator.get("/", Map.of()).body())
                    .contains("members: 2 alive of 2 expected")
                    .contains("<br>pod-1: 1 target · reported ")
                    .contains("<br>pod-2: 1 target · reported ")
                    .contains("members: 0 alive<br><b>1 target unassigned</b>")
                    .contains("title=\"healthy (2 members); newest result from pod-");
        }
    }

    @Test
    void theAnonymousSummaryCountsMembersButNamesNoPod() throws Exception {
        try (RunningAggregator aggregator = start("summary")) {
            twoMembersReport(aggregator);

            JsonNode summary = status(aggregator);
            assertThat(aggregator.get("/v1/status", Map.of()).body()).doesNotContain("pod-1", "pod-2");
            assertThat(instances(summary.at("/agents/0"))).containsExactly("member 1", "member 2");
            assertThat(summary.at("/agents/0/members/0/targets").asInt()).isEqualTo(1);
            assertThat(summary.at("/agents/0/expectedMembers").asInt()).isEqualTo(2);
            assertThat(summary.at("/targets/0/vantages/0/members").asInt()).isEqualTo(2);
            assertThat(summary.at("/targets/0/vantages/0/member").asText()).isIn("member 1", "member 2");
            assertThat(aggregator.get("/", Map.of()).body())
                    .contains("members: 2 alive of 2 expected", "<br>member 1: 1 target", "(2 members)")
                    .doesNotContain("pod-1", "pod-2");
        }
    }

    /** An aggregator of the three vantage points, agent-a expecting two members, with {@code anonymousStatus}. */
    private RunningAggregator start(String anonymousStatus) {
        Path file = RunningAggregator.agents()
                .agentSetting("agent-a", "expectedMembers", 2)
                .section("server", Map.of("host", "127.0.0.1", "port", 0, "anonymousStatus", anonymousStatus))
                .target(Target.tcp("api", "127.0.0.1", 9))
                .write(directory.resolve("aggregator.yaml"));
        return RunningAggregator.startFromFile(file);
    }

    /** pod-1 and pod-2 of agent-a fetch their shares and report api healthy until a round counted both. */
    private void twoMembersReport(RunningAggregator aggregator) throws Exception {
        String token = RunningAggregator.TOKENS.get("TOKEN_A");
        for (String pod : List.of("pod-1", "pod-2")) {
            assertThat(aggregator.share(token, pod).statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long now = System.currentTimeMillis();
            for (String pod : List.of("pod-1", "pod-2")) {
                assertThat(aggregator
                                .post(
                                        token,
                                        pod,
                                        Reports.from("agent-a", "us-east-1")
                                                .sentAt(now)
                                                .success("api", now)
                                                .build())
                                .statusCode())
                        .isEqualTo(202);
            }
            JsonNode status = status(aggregator);
            return status.at("/targets/0/vantages/0/members").asInt() == 2
                    && status.at("/agents/0/members/1/lastReportAgeSeconds").isNumber();
        });
    }

    private JsonNode status(RunningAggregator aggregator) throws Exception {
        return json.readTree(aggregator.get("/v1/status", Map.of()).body());
    }

    private static List<String> instances(JsonNode agent) {
        List<String> instances = new ArrayList<>();
        agent.get("members")
                .forEach(member -> instances.add(member.get("instance").asText()));
        return instances;
    }
}
