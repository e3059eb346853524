package io.vantage.demo;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.agent.Agent;
import io.vantage.agent.config.ConfigLoader;
import io.vantage.aggregator.Aggregator;
import io.vantage.aggregator.DemoControl;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.runtime.Startup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded demo: three regional endpoints, three agents (one per region, each with its own token)
 * and an aggregator publishing to CloudWatch in dry-run, all in this process on 127.0.0.1. No AWS
 * account, no Docker. Break an endpoint from the status page and watch the quorum decide.
 */
public final class Demo {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    public static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");

    private final Map<String, DemoEndpoint> endpoints = new LinkedHashMap<>();
    private Aggregator aggregator;

    public Future<Void> start(Vertx vertx, PrometheusMeterRegistry registry, int port) {
        Map<String, String> environment = new HashMap<>();
        SecureRandom random = new SecureRandom();
        REGIONS.forEach(region -> {
            byte[] token = new byte[24];
            random.nextBytes(token);
            environment.put(tokenVariable(region), HexFormat.of().formatHex(token));
            endpoints.put(region, new DemoEndpoint(region));
        });
        return Future.all(endpoints.values().stream()
                        .map(endpoint -> endpoint.start(vertx))
                        .toList())
                .compose(started -> {
                    aggregator = new Aggregator(
                            new AggregatorConfigLoader(environment).parse(aggregatorYaml(port, endpointPorts()), null),
                            null,
                            null,
                            registry,
                            Clock.systemUTC(),
                            Optional.of(control()));
                    return vertx.deployVerticle(aggregator);
                })
                .compose(deployed -> Future.all(REGIONS.stream()
                        .map(region -> {
                            var agentConfig =
                                    new ConfigLoader(environment).parse(agentYaml(region, aggregator.port()), null);
                            return vertx.deployVerticle(
                                    new Agent(agentConfig, null, null, Startup.newRegistry(), Clock.systemUTC()));
                        })
                        .toList()))
                .map(agents -> {
                    LOG.info(
                            "demo running: open http://127.0.0.1:{}/ for the status page; break an endpoint there or with "
                                    + "curl -X POST http://127.0.0.1:{}/demo/endpoints/eu-west-1/break (repair: .../repair)",
                            aggregator.port(),
                            aggregator.port());
                    return null;
                });
    }

    public Aggregator aggregator() {
        return aggregator;
    }

    private Map<String, Integer> endpointPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        endpoints.forEach((region, endpoint) -> ports.put(region, endpoint.port()));
        return ports;
    }

    public Map<String, DemoEndpoint> endpoints() {
        return endpoints;
    }

    private DemoControl control() {
        return new DemoControl() {
            @Override
            public List<String> regions() {
                return REGIONS;
            }

            @Override
            public boolean apply(String region, String action) {
                DemoEndpoint endpoint = endpoints.get(region);
                boolean applied = endpoint != null && endpoint.apply(action);
                if (applied) {
                    LOG.info("demo: endpoint {} is now {}", region, endpoint.mode());
                }
                return applied;
            }
        };
    }

    private static String tokenVariable(String region) {
        return "VANTAGE_DEMO_TOKEN_" + region.replace('-', '_').toUpperCase();
    }

    /**
     * The demo aggregator's config: the same target settings as {@code examples/aggregator.yaml} and the compose demo's
     * {@code deploy/compose/aggregator.yaml} (DemoSettingsTest holds the three together), on the given endpoint ports.
     */
    static String aggregatorYaml(int port, Map<String, Integer> endpointPorts) {
        StringBuilder yaml = new StringBuilder("server: {host: 127.0.0.1, port: " + port + "}\nagents:\n");
        REGIONS.forEach(region -> yaml.append("  - {id: agent-")
                .append(region)
                .append(", region: ")
                .append(region)
                .append(", tokenEnv: ")
                .append(tokenVariable(region))
                .append("}\n"));
        yaml.append("cloudwatch: {mode: dry-run, namespace: Vantage, publishEvery: 10s}\ntargets:\n");
        endpointPorts.forEach(
                (region, endpointPort) -> yaml.append("  - name: api-" + region + "\n    region: " + region + "\n")
                        .append("    http: {url: 'http://127.0.0.1:" + endpointPort + "/health', ")
                        .append("expectBody: {jsonPointer: {path: /status, equals: UP}}, maxLatency: 1s}\n")
                        .append(
                                "    interval: 5s\n    timeout: 2s\n    quorum: {minVantages: 2, healthy: 2, rise: 2, fall: 2}\n"));
        return yaml.toString();
    }

    private static String agentYaml(String region, int aggregatorPort) {
        return "agent:\n  id: agent-" + region + "\n  region: " + region + "\n  targetsRefresh: 5s\n"
                + "  aggregators: [{url: 'http://127.0.0.1:" + aggregatorPort + "', tokenEnv: " + tokenVariable(region)
                + "}]\n"
                + "server: {host: 127.0.0.1, port: 0}\n";
    }
}
