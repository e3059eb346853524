package io.vantage.aggregator.status;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.Contract;
import io.vantage.testing.Promtool;
import io.vantage.testing.Reports;
import io.vantage.wire.report.FailureReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What dashboards, alerts and scripts build on, as golden files in src/test/resources/contract: the aggregator's
 * /metrics (each vantage family's TYPE, HELP and label names) and /v1/status (every field and its type), on a fleet of
 * three agents (one process each, agent-a expecting one) with one target healthy, one unhealthy and one bound to a
 * record; and promtool accepts the whole /metrics. Regenerate on purpose with
 * {@code -Dvantage.contract.update=true} (see {@link Contract}).
 */
class ContractTest {
    @TempDir
    Path directory;

    @Test
    void metricsAndStatusKeepTheirShape() throws Exception {
        try (RunningAggregator aggregator = RunningAggregator.start(
                RunningAggregator.agents()
                        .agentSetting("agent-a", "expectedMembers", 1)
                        .yaml(),
                """
                cloudwatch: {mode: dry-run, publishEvery: 1s}
                observe: [{name: api.example.com, type: A, interval: 5s}]
                targets:
                  - {name: web, region: us-east-1, interval: 1s, timeout: 500ms, tcp: {host: 127.0.0.1, port: 9}, quorum: {rise: 1, fall: 1}}
                  - {name: db, interval: 1s, timeout: 500ms, tcp: {host: 127.0.0.1, port: 9}, quorum: {rise: 1, fall: 1}}
                  - {name: api, interval: 1s, timeout: 500ms, tcp: {host: 127.0.0.1, port: 9}, route53: {hostedZoneId: Z0123456789ABC, recordName: api.example.com, recordType: A, setIdentifier: us-east-1}}
                """)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                long now = System.currentTimeMillis();
                for (String[] agent : new String[][] {
                    {"agent-a", "us-east-1", "TOKEN_A"},
                    {"agent-b", "eu-west-1", "TOKEN_B"},
                    {"agent-c", "ap-southeast-2", "TOKEN_C"}
                }) {
                    aggregator.post(
                            RunningAggregator.TOKENS.get(agent[2]),
                            agent[0] + "-pod-1",
                            Reports.from(agent[0], agent[1])
                                    .sentAt(now)
                                    .success("web", now)
                                    .failure("db", now, FailureReason.REFUSED, "refused")
                                    .success("api", now)
                                    .build());
                }
                return aggregator.verdict("web").equals("HEALTHY")
                        && aggregator.verdict("db").equals("UNHEALTHY")
                        && aggregator.verdict("api").equals("HEALTHY");
            });
            String metrics = aggregator.get("/metrics", Map.of()).body();
            Promtool.assertAccepts(metrics, directory);
            Contract.assertMatches(
                    Path.of("src/test/resources/contract/aggregator-metrics.txt"), Contract.metricsShape(metrics));
            Contract.assertMatches(
                    Path.of("src/test/resources/contract/aggregator-status.txt"),
                    Contract.jsonShape(new ObjectMapper()
                            .readTree(aggregator.get("/v1/status", Map.of()).body())));
        }
    }
}
