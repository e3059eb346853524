package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.aggregator.Aggregator;
import io.vantage.aggregator.AggregatorCommand;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.config.LoadedAggregatorConfig;
import io.vantage.aggregator.model.AlarmEvaluator;
import io.vantage.aggregator.model.FailoverModel;
import io.vantage.aggregator.routing.Routing;
import io.vantage.runtime.Startup;
import io.vantage.testing.TestDnsServer;
import io.vantage.testing.aws.LocalAws;
import io.vantage.testing.aws.LocalAwsBridge;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on this machine, in one process: two regional endpoints on their own loopback addresses, three real
 * agents, two aggregator replicas publishing to moto through the bridge, and a Route 53 stand-in that evaluates the
 * alarm on the datums the bridge captured (the demo's {@link Route53StandIn}, on the production {@link AlarmEvaluator};
 * periods of 4 s instead of 60 s, stated here because CloudWatch's are a minute) and, like a failover record, changes what a real DNS server on
 * loopback answers. As in the field, the agents resolve everything through that server (their {@code dns.servers}):
 * the targets by host name ({@code api-one.test}, {@code api-two.test}), and the observed public name
 * {@code www.api.test}, a CNAME of {@code api.test}, whose address the stand-in moves. Nothing names an address: the
 * aggregators learn what each answer stands for from the addresses the agents connect to, time the failover and the
 * failback they see, and the times are printed beside the model's for the same settings.
 */
class FailoverLoopIT {
    private static final long PERIOD_MILLIS = 4_000;
    private static final int EVALUATION_PERIODS = 2;
    private static final int DATAPOINTS_TO_ALARM = 2;
    private static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-southeast-2"};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    /**
     * Route 53 with one failover record pair, as the demo's stand-in: primary api-one while its health check is healthy,
     * api-two otherwise, answered for api.test by the one resolver every agent asks; the datums are those the bridge
     * saw the replicas send to CloudWatch.
     */
    private static final class Route53 {
        private final LocalAwsBridge bridge;
        private final Route53StandIn standIn;
        private int seen;

        Route53(LocalAwsBridge bridge, TestDnsServer dns) {
            this.bridge = bridge;
            dns.set("api-one.test", "127.0.0.2").set("api-two.test", "127.0.0.3");
            dns.cname("www.api.test", "api.test");
            standIn = new Route53StandIn(
                    "api.test",
                    0,
                    new Route53StandIn.Alarm(
                            Duration.ofMillis(PERIOD_MILLIS), EVALUATION_PERIODS, DATAPOINTS_TO_ALARM, "missing"),
                    "LastKnownStatus",
                    List.of(
                            new Route53StandIn.Record("api-one", "127.0.0.2"),
                            new Route53StandIn.Record("api-two", "127.0.0.3")),
                    List.of(new Route53StandIn.Resolver("everywhere", dns, List.of("api-one", "api-two"))),
                    System.currentTimeMillis());
        }

        void tick() {
            List<LocalAwsBridge.Seen> all = bridge.seen("PutMetricData");
            for (; seen < all.size(); seen++) {
                LocalAwsBridge.Seen put = all.get(seen);
                for (String target : List.of("api-one", "api-two")) {
                    for (double value : put.datums("Healthy", target)) {
                        standIn.datum(target, value, put.at());
                    }
                }
            }
            standIn.tick(System.currentTimeMillis());
        }
    }

    private String aggregatorYaml(int port, int one, int two, String endpoint) {
        String quorum = "quorum: {minVantages: 2, healthy: 2, rise: 1, fall: 1, confirm: 1}, failover: {dnsTtl: 0s}";
        return "server: {host: 127.0.0.1, port: " + port + "}\n"
                + "agents:\n"
                + "  - {id: agent-us-east-1, region: us-east-1, tokenEnv: TOKEN_US_EAST_1}\n"
                + "  - {id: agent-eu-west-1, region: eu-west-1, tokenEnv: TOKEN_EU_WEST_1}\n"
                + "  - {id: agent-ap-southeast-2, region: ap-southeast-2, tokenEnv: TOKEN_AP_SOUTHEAST_2}\n"
                + "deployment: test\ncloudwatch: {mode: aws, region: us-east-1, namespace: Vantage, publishEvery: 1s, endpoint: '"
                + endpoint + "'}\n"
                + "route53: {enabled: false}\n"
                + "targets:\n"
                + "  - {name: api-one, interval: 1s, timeout: 500ms, http: {url: 'http://api-one.test:" + one
                + "/health', expectBody: {jsonPointer: {path: /status, equals: UP}}}, " + quorum + "}\n"
                + "  - {name: api-two, interval: 1s, timeout: 500ms, http: {url: 'http://api-two.test:" + two
                + "/health', expectBody: {jsonPointer: {path: /status, equals: UP}}}, " + quorum + "}\n"
                // No servers: each agent asks its own resolver (dns.servers), as the field would.
                + "observe: [{name: www.api.test, type: A, interval: 1s}]\n";
    }

    private static JsonNode failover(Aggregator aggregator, Routing.FailoverKind kind) {
        for (var event : aggregator.snapshot().failovers()) {
            if (event.target().equals("api-one") && event.kind() == kind && event.seconds() != null) {
                return JSON.valueToTree(event);
            }
        }
        return null;
    }

    @Test
    void anEndpointDownIsFailedOverInDnsAndBackAndBothAreTimed() throws Exception {
        Vertx vertx = Vertx.vertx();
        Map<String, String> tokens = new HashMap<>();
        for (String region : REGIONS) {
            tokens.put(
                    "TOKEN_" + region.replace('-', '_').toUpperCase(Locale.ROOT),
                    "loop-token-" + region + "-0123456789");
        }
        List<AutoCloseable> open = new ArrayList<>();
        try (LocalAws aws = LocalAws.start();
                TestDnsServer dns = TestDnsServer.start(vertx)) {
            DemoEndpoint one = new DemoEndpoint("us-east-1");
            DemoEndpoint two = new DemoEndpoint("eu-west-1");
            one.start(vertx, "127.0.0.2", 0).await();
            two.start(vertx, "127.0.0.3", 0).await();
            Route53 route53 = new Route53(aws.bridge(), dns);
            vertx.setPeriodic(
                    500,
                    tick -> vertx.executeBlocking(
                            () -> {
                                route53.tick();
                                return null;
                            },
                            false));

            // Both replicas read one config file (as from one ConfigMap): a drill written into it reaches both.
            Path aggregatorFile = Files.writeString(
                    directory.resolve("aggregator.yaml"), aggregatorYaml(0, one.port(), two.port(), aws.endpoint()));
            AggregatorConfigLoader loader = new AggregatorConfigLoader(tokens);
            List<Aggregator> replicas = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                var registry = Startup.newRegistry();
                Vertx aggregatorVertx = Startup.newVertx(registry);
                open.add(0, () -> aggregatorVertx.close().await()); // closed after the agents
                LoadedAggregatorConfig config = loader.load(aggregatorFile);
                Aggregator aggregator =
                        new Aggregator(config, aggregatorFile, loader, registry, Clock.systemUTC(), Optional.empty());
                aggregatorVertx.deployVerticle(aggregator).await();
                replicas.add(aggregator);
            }
            for (String region : REGIONS) {
                String token = tokens.get("TOKEN_" + region.replace('-', '_').toUpperCase(Locale.ROOT));
                Files.writeString(directory.resolve("token-" + region), token);
                Path config = Files.writeString(
                        directory.resolve("agent-" + region + ".yaml"),
                        "agent:\n"
                                + "  id: agent-" + region + "\n  region: " + region
                                + "\n  targetsRefresh: 1s\n  pushInterval: 200ms\n"
                                + "  aggregators:\n"
                                + "    - {url: 'http://127.0.0.1:"
                                + replicas.get(0).port() + "', tokenFile: token-" + region + "}\n"
                                + "    - {url: 'http://127.0.0.1:"
                                + replicas.get(1).port() + "', tokenFile: token-" + region + "}\n"
                                + "server: {host: 127.0.0.1, port: 0}\n"
                                + "dns: {servers: ['127.0.0.1:" + dns.port() + "']}\n");
                open.add(0, RunningAgent.start(config));
            }
            Aggregator first = replicas.get(0);

            // Steady: both targets HEALTHY, and DNS sends every vantage point to api-one.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                var status = first.snapshot();
                assertThat(status.targets()).extracting(t -> t.verdict()).containsOnly("HEALTHY");
                assertThat(status.routing())
                        .singleElement()
                        .satisfies(name -> assertThat(name.vantages())
                                .as("where DNS sends each vantage point: %s", name.vantages())
                                .hasSize(3)
                                .allMatch(v -> v.targets().equals(List.of("api-one"))
                                        && v.cnames().equals(List.of("api.test"))));
            });

            long broken = System.currentTimeMillis();
            one.apply("break");
            await().atMost(Duration.ofSeconds(90)).until(() -> failover(first, Routing.FailoverKind.FAILOVER) != null);
            JsonNode failover = failover(first, Routing.FailoverKind.FAILOVER);
            double fromBreak = (failover.get("startedAt").asLong()
                            + failover.get("seconds").asDouble() * 1000
                            - broken)
                    / 1000.0;
            assertThat(first.snapshot().routing().get(0).vantages())
                    .allMatch(v -> v.targets().equals(List.of("api-two")));
            // The second replica saw the same routing and times the same failover; its rounds run on their own timer,
            // so it may finish timing a little after the first: the repair waits for it (repairing earlier turns its
            // open failover into "not observed to complete before the verdict changed again").
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> failover(replicas.get(1), Routing.FailoverKind.FAILOVER) != null);

            one.apply("repair");
            await().atMost(Duration.ofSeconds(90)).until(() -> failback(first) != null);
            JsonNode failback = failback(first);

            // The model, for the same target and publishing settings, with CloudWatch's 60 s periods.
            AggregatorConfig config = new AggregatorConfigLoader(tokens)
                    .parse(aggregatorYaml(0, one.port(), two.port(), aws.endpoint()), null)
                    .config();
            FailoverModel.Prediction model = FailoverModel.predict(
                    new FailoverModel.Inputs(
                            config.targets().get(0),
                            3,
                            Duration.ofSeconds(1),
                            new AggregatorConfig.Alarm(
                                    null, EVALUATION_PERIODS, DATAPOINTS_TO_ALARM, "Minimum", "missing", null)),
                    500,
                    1);
            // What the 4 s periods change: the alarm part of the model, scaled by 4/60, replaces the real one.
            Route53StandIn.Alarm alarm = route53.standIn.alarm();
            double bestScaled =
                    alarm.alarmSeconds(model.firstDatum().best(), model.alarm().best());
            double worstScaled =
                    alarm.alarmSeconds(model.firstDatum().worst(), model.alarm().worst());
            // Observation adds up to one observe interval (1 s), the stand-in's tick (0.5 s) and an evaluation round (1
            // s).
            double slack = 2.5;
            System.out.printf(
                    Locale.ROOT,
                    "failover loop: endpoint down -> DNS moved %.1f s after the break (%.1f s after the verdict); "
                            + "model with 4 s periods %.1f .. %.1f s (+%.1f s observation); failback %.1f s after HEALTHY%n",
                    fromBreak,
                    failover.get("seconds").asDouble(),
                    bestScaled,
                    worstScaled,
                    slack,
                    failback.get("seconds").asDouble());
            assertThat(fromBreak)
                    .as("from the break until DNS moved, against the model")
                    .isBetween(bestScaled, worstScaled + slack);
            assertThat(failback.get("seconds").asDouble()).isPositive();

            // A drill: api-one is healthy, but for 20 s vantage publishes Healthy=0 for it; DNS follows, then comes
            // back.
            int eventsBefore = first.snapshot().failovers().size();
            long drilled = System.currentTimeMillis();
            assertThat(AggregatorCommand.commandLine()
                            .execute(
                                    "drill",
                                    "--config",
                                    aggregatorFile.toString(),
                                    "--target",
                                    "api-one",
                                    "--duration",
                                    "20s",
                                    "--by",
                                    "loop-test"))
                    .isZero();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> first.snapshot().routing().get(0).vantages().stream()
                            .allMatch(v -> v.targets().equals(List.of("api-two"))));
            double drillFailover = (System.currentTimeMillis() - drilled) / 1000.0;
            assertThat(first.snapshot().targets().get(0).verdict())
                    .as("the probes still say healthy")
                    .isEqualTo("HEALTHY");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> first.snapshot().routing().get(0).vantages().stream()
                            .allMatch(v -> v.targets().equals(List.of("api-one"))));
            double drillBack = (System.currentTimeMillis() - drilled) / 1000.0;
            System.out.printf(
                    Locale.ROOT,
                    "failover loop: drill of 20 s -> DNS moved after %.1f s, back after %.1f s%n",
                    drillFailover,
                    drillBack);
            assertThat(drillBack)
                    .as("the drill ended by itself, and DNS came back")
                    .isGreaterThan(19.0);
            assertThat(first.snapshot().failovers()).hasSizeGreaterThan(eventsBefore);
            // The drill reloaded the config but changed no fleet-wide input: its events carry the model's prediction.
            assertThat(first.snapshot().failovers().get(0).predictedTypical()).isNotNull();
        } finally {
            for (AutoCloseable closeable : open) {
                closeable.close();
            }
            vertx.close().await();
        }
    }

    private static JsonNode failback(Aggregator aggregator) {
        return failover(aggregator, Routing.FailoverKind.FAILBACK);
    }
}
