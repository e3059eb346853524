package io.vantage.aggregator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.testing.RunningAggregator;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Reports;
import io.vantage.testing.Target;
import io.vantage.testing.aws.LocalAws;
import io.vantage.testing.aws.MotoZone;
import io.vantage.wire.target.QuorumSpec;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

/** A running aggregator in aws mode: it reconciles at start, publishes verdicts, and serves the health check IDs. */
class RunningAggregatorOnAwsTest {
    @Test
    void reconcilesPublishesAndServesHealthCheckIds() throws Exception {
        try (LocalAws aws = LocalAws.start();
                CloudWatchAsyncClient cloudWatch = AwsClients.cloudWatch(
                        "us-east-1",
                        URI.create(aws.endpoint()),
                        Duration.ofSeconds(10),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                var route53 = AwsClients.route53(
                        URI.create(aws.endpoint()),
                        Duration.ofSeconds(10),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            // A latency record for the bound target "web": the running aggregator attaches web's check to it.
            String zone = MotoZone.create(route53, "example.com")
                    .latency("web.example.com", "us-east-1", "192.0.2.1")
                    .latency("web.example.com", "eu-west-1", "192.0.2.2")
                    .id();
            try (RunningAggregator aggregator = RunningAggregator.start(AggregatorYaml.aggregator()
                    .deployment("test")
                    .awsCloudWatch("us-east-1", aws.endpoint())
                    .cloudWatchSetting("publishEvery", "1s")
                    .section("route53", Map.of("reconcileEvery", "1m"))
                    .target(Target.tcp("api", "127.0.0.1", 9)
                            .interval("1s")
                            .timeout("500ms")
                            .quorum(new QuorumSpec(2, 2, 1, 1, null)))
                    .target(Target.tcp("web", "127.0.0.1", 9).route53(zone, "web.example.com", "A", "eu-west-1"))
                    .yaml())) {
                runningAggregatorOnAws(aws, cloudWatch, aggregator);
                // The page and the JSON say which record web's check guards, and that it is attached.
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(
                                        aggregator.get("/v1/status", Map.of()).body())
                                .contains("\"record\":\"web.example.com. A eu-west-1 in zone " + zone
                                        + "\",\"recordCheck\":\"attached\""));
                var records = route53.listResourceRecordSets(r -> r.hostedZoneId(zone))
                        .get()
                        .resourceRecordSets();
                assertThat(records)
                        .filteredOn(r -> "eu-west-1".equals(r.setIdentifier()))
                        .singleElement()
                        .satisfies(r -> assertThat(r.healthCheckId()).isNotNull());
                assertThat(records)
                        .filteredOn(r -> "us-east-1".equals(r.setIdentifier()))
                        .singleElement()
                        .satisfies(r -> assertThat(r.healthCheckId()).isNull());
                // What the alerts read: AWS matches the config once applied; web guards its record group.
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(
                                        aggregator.get("/metrics", Map.of()).body())
                                .contains("vantage_aws_config_differs 0.0")
                                .contains("vantage_target_record{record=\"" + zone
                                        + " web.example.com. A\",target=\"web\"} 1.0"));
            }
            // A replica that only reads (no reconcileEvery) and a target nobody applied: AWS differs from the config.
            try (RunningAggregator reader = RunningAggregator.start(
                    "deployment: test\ncloudwatch: {mode: aws, region: us-east-1, namespace: Vantage, publishEvery: 1s, endpoint: '"
                            + aws.endpoint() + "'}\n"
                            + "targets:\n"
                            + "  - {name: api, interval: 1s, timeout: 500ms, tcp: {host: 127.0.0.1, port: 9}}\n"
                            + "  - {name: never-applied, tcp: {host: 127.0.0.1, port: 9}}\n")) {
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() ->
                                assertThat(reader.registry().scrape()).contains("vantage_aws_config_differs 1.0"));
            }
        }
    }

    private static void runningAggregatorOnAws(
            LocalAws aws, CloudWatchAsyncClient cloudWatch, RunningAggregator aggregator) throws Exception {
        {
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            !cloudWatch.describeAlarms().get().metricAlarms().isEmpty());
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> aggregator
                            .get("/v1/status", Map.of())
                            .body()
                            .matches("(?s).*\"healthCheckId\":\"[0-9a-f-]{36}\".*"));

            await().atMost(Duration.ofSeconds(20)).until(() -> {
                long now = System.currentTimeMillis();
                for (String[] agent :
                        new String[][] {{"agent-a", "us-east-1", "TOKEN_A"}, {"agent-b", "eu-west-1", "TOKEN_B"}}) {
                    aggregator.post(
                            RunningAggregator.TOKENS.get(agent[2]),
                            Reports.from(agent[0], agent[1])
                                    .sentAt(now)
                                    .success("api", now)
                                    .build());
                }
                return aggregator.verdict("api").equals("HEALTHY")
                        && cloudWatch
                                        .listMetrics(r -> r.namespace("Vantage").metricName("Healthy"))
                                        .get()
                                        .metrics()
                                        .size()
                                == 1;
            });
            assertThat(aws.bridge().seen("PutMetricData")).isNotEmpty();
            assertThat(aggregator.get("/metrics", Map.of()).body())
                    .contains("vantage_cloudwatch_publish_total{outcome=\"success\"}")
                    .contains("vantage_aws_attempts_total{operation=\"PutMetricData\",service=\"CloudWatch\"}");
            // Predictions are computed off the event loop after the config loads; the status carries them once they
            // exist (the page words them by the verdict: these results have gone stale by now).
            assertThat(aggregator.get("/", Map.of()).body()).contains("health check ");
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(
                                    aggregator.get("/v1/status", Map.of()).body())
                            .contains("\"clients\":{\"best\":"));
        }
    }
}
