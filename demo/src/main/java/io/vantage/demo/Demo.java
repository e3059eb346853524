package io.vantage.demo;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.agent.Agent;
import io.vantage.agent.config.ConfigLoader;
import io.vantage.aggregator.Aggregator;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.config.LoadedAggregatorConfig;
import io.vantage.runtime.Listening;
import io.vantage.runtime.Startup;
import io.vantage.testing.TestDnsServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded demo, all in this process on loopback, no AWS account and no Docker: three regional endpoints (each on
 * its own loopback address), one resolver per region answering the latency-style name {@value #NAME}, three agents
 * (one per region, each with its own token and its region's resolver, observing {@value #NAME}), an aggregator
 * publishing in dry-run, and a {@link Route53StandIn} that evaluates the alarms on the published datums over
 * {@link #PERIOD} periods and moves {@value #NAME} in DNS. Break an endpoint from the status page, watch the verdict,
 * the datum, the alarm, the health check and DNS follow, and the agents time the failover.
 */
public final class Demo {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    public static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");
    /** The latency record's name: each region's resolver answers it with the nearest healthy region. */
    public static final String NAME = "app.demo";
    /**
     * The stand-in's alarm period: CloudWatch's is a minute, which would make the demo slow to watch. A tenth of it, with
     * datums published every second instead of every 10 s: each period holds as many datums as in the field.
     */
    public static final Duration PERIOD = Duration.ofSeconds(6);
    /** From each region, the regions in order of latency. */
    static final Map<String, List<String>> NEAREST_FIRST = Map.of(
            "us-east-1", List.of("us-east-1", "eu-west-1", "ap-southeast-2"),
            "eu-west-1", List.of("eu-west-1", "us-east-1", "ap-southeast-2"),
            "ap-southeast-2", List.of("ap-southeast-2", "us-east-1", "eu-west-1"));

    private final Path directory;
    private final Map<String, DemoEndpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, TestDnsServer> resolvers = new LinkedHashMap<>();
    private Route53StandIn route53;
    private DemoPage page;
    private Aggregator aggregator;

    /** {@code directory}: where the demo writes the aggregator's config (drills are written into it). */
    public Demo(Path directory) {
        this.directory = directory;
    }

    /** The loopback address of {@code region}'s endpoint: 127.0.0.11, .12, .13. */
    static String address(String region) {
        return "127.0.0." + (11 + REGIONS.indexOf(region));
    }

    static String target(String region) {
        return "api-" + region;
    }

    /** Starts everything; call it from outside Vert.x (it starts the resolvers before it returns). */
    public Future<Void> start(Vertx vertx, PrometheusMeterRegistry registry, int port) {
        for (String region : REGIONS) {
            TestDnsServer dns = TestDnsServer.start(vertx);
            REGIONS.forEach(other -> dns.set(other + "." + NAME, address(other)));
            resolvers.put(region, dns);
        }
        Map<String, String> environment = new HashMap<>();
        SecureRandom random = new SecureRandom();
        REGIONS.forEach(region -> {
            byte[] token = new byte[24];
            random.nextBytes(token);
            environment.put(tokenVariable(region), HexFormat.of().formatHex(token));
            endpoints.put(region, new DemoEndpoint(region));
        });
        return Future.all(endpoints.values().stream()
                        .map(endpoint -> endpoint.start(vertx, address(endpoint.region()), 0)
                                .recover(failed -> Future.failedFuture(new IllegalStateException(
                                        "the demo gives each region's endpoint its own loopback address and could not "
                                                + "listen on " + address(endpoint.region()) + " (" + failed.getMessage()
                                                + "); Linux has all of 127.0.0.0/8, elsewhere add the aliases "
                                                + "127.0.0.11-13 to the loopback interface",
                                        failed))))
                        .toList())
                .compose(started -> {
                    AggregatorConfigLoader loader = new AggregatorConfigLoader(environment);
                    Path file = write("aggregator.yaml", aggregatorYaml(port, endpointPorts()));
                    LoadedAggregatorConfig config = loader.load(file);
                    startRoute53(config.config());
                    page = new DemoPage(
                            vertx, file, endpoints, route53, () -> aggregator, config.config(), Clock.systemUTC());
                    aggregator = new Aggregator(config, file, loader, registry, Clock.systemUTC(), Optional.of(page));
                    return vertx.deployVerticle(aggregator)
                            .recover(failed -> Future.failedFuture(
                                    failed instanceof Listening.Failed listen && listen.inUse()
                                            ? new IllegalStateException(
                                                    "port " + port
                                                            + " on 127.0.0.1 is in use by another process; choose "
                                                            + "another with --port (VANTAGE_DEMO_PORT for demo.sh)",
                                                    failed)
                                            : failed));
                })
                .compose(deployed -> Future.all(REGIONS.stream()
                        .map(region -> {
                            var agentConfig = new ConfigLoader(environment)
                                    .parse(
                                            agentYaml(
                                                    region,
                                                    aggregator.port(),
                                                    resolvers.get(region).port()),
                                            null);
                            return vertx.deployVerticle(
                                    new Agent(agentConfig, null, null, Startup.newRegistry(), Clock.systemUTC()));
                        })
                        .toList()))
                .map(agents -> {
                    vertx.setPeriodic(500, tick -> page.tick());
                    LOG.info(
                            "demo ready ({} s after the JVM started): open http://127.0.0.1:{}/ and break a region "
                                    + "there (or curl -X POST http://127.0.0.1:{}/demo/endpoints/eu-west-1/break; "
                                    + ".../repair), then watch the verdict, the alarm, the health check and where {} "
                                    + "sends each region",
                            String.format(
                                    Locale.ROOT,
                                    "%.1f",
                                    ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0),
                            aggregator.port(),
                            aggregator.port(),
                            NAME);
                    return null;
                });
    }

    /** The stand-in over the regions' resolvers, with the config's alarm settings on {@link #PERIOD} periods. */
    private void startRoute53(AggregatorConfig config) {
        List<Route53StandIn.Record> records = new ArrayList<>();
        List<Route53StandIn.Resolver> regional = new ArrayList<>();
        for (String region : REGIONS) {
            TestDnsServer dns = resolvers.get(region);
            records.add(new Route53StandIn.Record(target(region), address(region)));
            regional.add(new Route53StandIn.Resolver(
                    region,
                    dns,
                    NEAREST_FIRST.get(region).stream().map(Demo::target).toList()));
        }
        AggregatorConfig.Alarm alarm = config.alarm();
        route53 = new Route53StandIn(
                NAME,
                (int) config.targets().get(0).failover().dnsTtl().toSeconds(),
                new Route53StandIn.Alarm(
                        PERIOD, alarm.evaluationPeriods(), alarm.datapointsToAlarm(), alarm.treatMissingData()),
                config.route53().insufficientDataHealthStatus(),
                records,
                regional,
                System.currentTimeMillis());
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(directory.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException("the demo could not write " + directory.resolve(name), e);
        }
    }

    public Aggregator aggregator() {
        return aggregator;
    }

    public Route53StandIn route53() {
        return route53;
    }

    /** The incident log the page shows, oldest first. */
    public List<DemoPage.Entry> incidents() {
        return page.incidents();
    }

    private Map<String, Integer> endpointPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        endpoints.forEach((region, endpoint) -> ports.put(region, endpoint.port()));
        return ports;
    }

    public Map<String, DemoEndpoint> endpoints() {
        return endpoints;
    }

    private static String tokenVariable(String region) {
        return "VANTAGE_DEMO_TOKEN_" + region.replace('-', '_').toUpperCase();
    }

    /**
     * The demo aggregator's config: the same target settings as {@code examples/aggregator.yaml} and the compose demo's
     * {@code deploy/compose/aggregator.yaml} (DemoSettingsTest holds the three together), each endpoint by its host name
     * in the demo's DNS, on the given ports, and {@value #NAME} observed from every agent.
     */
    static String aggregatorYaml(int port, Map<String, Integer> endpointPorts) {
        StringBuilder yaml =
                new StringBuilder("server: {host: 127.0.0.1, port: " + port + ", anonymousStatus: full}\nagents:\n");
        REGIONS.forEach(region -> yaml.append("  - {id: agent-")
                .append(region)
                .append(", region: ")
                .append(region)
                .append(", tokenEnv: ")
                .append(tokenVariable(region))
                .append("}\n"));
        // Published every second, so that each of the stand-in's 5 s periods holds datums.
        yaml.append("cloudwatch: {mode: dry-run, namespace: Vantage, publishEvery: 1s}\ntargets:\n");
        endpointPorts.forEach(
                (region, endpointPort) -> yaml.append("  - name: " + target(region) + "\n    region: " + region + "\n")
                        .append("    http: {url: 'http://" + region + "." + NAME + ":" + endpointPort + "/health', ")
                        .append("expectBody: {jsonPointer: {path: /status, equals: UP}}, maxLatency: 1s}\n")
                        .append(
                                "    interval: 5s\n    timeout: 2s\n    quorum: {minVantages: 2, healthy: 2, rise: 2, fall: 2}\n")
                        // Bound to the latency record the stand-in answers: drills are guarded as in the field, and
                        // observed routing knows that each region is answered with one record.
                        .append("    route53: {hostedZoneId: ZDEMO, recordName: " + NAME
                                + ", recordType: A, setIdentifier: " + region + ", routingPolicy: latency}\n"));
        yaml.append("observe: [{name: " + NAME + ", type: A, interval: 1s}]\n");
        return yaml.toString();
    }

    private static String agentYaml(String region, int aggregatorPort, int resolverPort) {
        return "agent:\n  id: agent-" + region + "\n  region: " + region + "\n  targetsRefresh: 5s\n"
                + "  aggregators: [{url: 'http://127.0.0.1:" + aggregatorPort + "', tokenEnv: " + tokenVariable(region)
                + "}]\n"
                + "server: {host: 127.0.0.1, port: 0}\n"
                + "dns: {servers: ['127.0.0.1:" + resolverPort + "']}\n";
    }
}
