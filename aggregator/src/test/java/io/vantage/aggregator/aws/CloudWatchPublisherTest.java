package io.vantage.aggregator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.cloudwatch.CloudWatchPublisher;
import io.vantage.aggregator.cloudwatch.Datum;
import io.vantage.testing.aws.LocalAws;
import io.vantage.testing.aws.LocalAwsBridge;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

/** The real SDK client, over HTTP, through the protocol bridge, to a real moto_server. */
class CloudWatchPublisherTest {
    static LocalAws aws;
    static LocalAwsBridge bridge;
    static Vertx vertx;
    static CloudWatchAsyncClient reader;
    PrometheusMeterRegistry registry;
    CloudWatchPublisher publisher;
    Context context;

    @BeforeAll
    static void start() throws Exception {
        aws = LocalAws.start();
        bridge = aws.bridge();
        vertx = Vertx.vertx();
        reader = AwsClients.cloudWatch(
                "us-east-1",
                URI.create(aws.endpoint()),
                Duration.ofSeconds(10),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @AfterAll
    static void stop() throws Exception {
        reader.close();
        vertx.close().await();
        aws.close();
    }

    @BeforeEach
    void fresh() throws Exception {
        aws.reset();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        context = vertx.getOrCreateContext();
        publisher = new CloudWatchPublisher(
                AwsClients.cloudWatch("us-east-1", URI.create(aws.endpoint()), Duration.ofSeconds(8), registry),
                "Vantage",
                context,
                registry);
    }

    private void publish(List<Datum> datums, long at) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> publisher.publish(datums, at).onComplete(done));
        done.future().await();
    }

    private double count(String outcome) {
        return registry.get("vantage.cloudwatch.publish")
                .tag("outcome", outcome)
                .counter()
                .count();
    }

    @Test
    void datumsArriveAsStandardResolutionMetricsWithTheTargetDimension() throws Exception {
        long now = Instant.now().minusSeconds(30).toEpochMilli();
        publish(
                List.of(
                        new Datum("Healthy", "api-eu", 1, "None"),
                        new Datum("HealthyVantages", "api-eu", 3, "Count"),
                        new Datum("Healthy", "api-us", 0, "None"),
                        new Datum("LatencyP90", "api-us", 12.5, "Milliseconds")),
                now);

        List<Metric> metrics =
                reader.listMetrics(list -> list.namespace("Vantage")).get().metrics();
        assertThat(metrics)
                .extracting(m -> m.metricName() + "/" + m.dimensions().get(0).name() + "="
                        + m.dimensions().get(0).value())
                .containsExactlyInAnyOrder(
                        "Healthy/Target=api-eu",
                        "HealthyVantages/Target=api-eu",
                        "Healthy/Target=api-us",
                        "LatencyP90/Target=api-us");

        List<MetricDataResult> data = reader.getMetricData(get -> get.startTime(
                                Instant.ofEpochMilli(now).minusSeconds(600))
                        .endTime(Instant.ofEpochMilli(now).plusSeconds(600))
                        .metricDataQueries(
                                query -> query.id("eu")
                                        .metricStat(stat -> stat.period(60)
                                                .stat("Minimum")
                                                .metric(metric -> metric.namespace("Vantage")
                                                        .metricName("Healthy")
                                                        .dimensions(d ->
                                                                d.name("Target").value("api-eu")))),
                                query -> query.id("us")
                                        .metricStat(stat -> stat.period(60)
                                                .stat("Minimum")
                                                .metric(metric -> metric.namespace("Vantage")
                                                        .metricName("Healthy")
                                                        .dimensions(d ->
                                                                d.name("Target").value("api-us"))))))
                .get()
                .metricDataResults();
        assertThat(data)
                .filteredOn(r -> r.id().equals("eu"))
                .first()
                .satisfies(r -> assertThat(r.values()).containsExactly(1.0));
        assertThat(data)
                .filteredOn(r -> r.id().equals("us"))
                .first()
                .satisfies(r -> assertThat(r.values()).containsExactly(0.0));

        String sent = bridge.seen("PutMetricData").get(0).body();
        assertThat(sent).contains("\"StorageResolution\":60").contains("\"Namespace\":\"Vantage\"");
        assertThat(count("success")).isEqualTo(1.0);
    }

    @Test
    void moreThanAThousandDatumsAreSplit() {
        List<Datum> datums = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            datums.add(new Datum("HealthyVantages", "t" + i, 3, "Count"));
        }
        publish(datums, System.currentTimeMillis());

        assertThat(bridge.seen("PutMetricData")).hasSize(3);
        assertThat(count("success")).isEqualTo(1.0);
    }

    @Test
    void throttlingIsRetriedWithinThePublish() {
        bridge.fail("PutMetricData", 2, 400, "Throttling");
        publish(List.of(new Datum("Healthy", "api", 1, "None")), System.currentTimeMillis());

        assertThat(bridge.seen("PutMetricData"))
                .as("two throttled attempts, then the one that got through")
                .hasSize(3);
        assertThat(count("success")).isEqualTo(1.0);
        assertThat(registry.get("vantage.aws.attempts")
                        .tag("operation", "PutMetricData")
                        .counter()
                        .count())
                .isEqualTo(3.0);
    }

    @Test
    void aFailedPublishIsCountedAndTheNextSendsCurrentValues() throws Exception {
        bridge.fail("PutMetricData", 100, 500, "InternalServiceFault");
        publish(List.of(new Datum("Healthy", "api", 0, "None")), System.currentTimeMillis() - 60_000);
        assertThat(count("failure")).isEqualTo(1.0);
        int attempts = bridge.seen("PutMetricData").size();
        assertThat(attempts).as("retried before giving up").isGreaterThan(1);

        bridge.clear();
        publish(List.of(new Datum("Healthy", "api", 1, "None")), System.currentTimeMillis());
        assertThat(count("success")).isEqualTo(1.0);
        List<LocalAwsBridge.Seen> sent = bridge.seen("PutMetricData");
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).body())
                .as("only the current value, no backlog: " + sent.get(0).body())
                .containsPattern("\"Value\":1(\\.0)?[,}]")
                .doesNotContainPattern("\"Value\":0(\\.0)?[,}]");
    }
}
