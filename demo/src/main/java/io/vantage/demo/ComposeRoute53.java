package io.vantage.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.aggregator.cloudwatch.CloudWatchContract;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.testing.aws.LocalAwsBridge;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compose demo's Route 53, in the bridge's process: moto stores alarms and health checks but never evaluates an
 * alarm, so on moto alone DNS would never move. This {@link Route53StandIn} takes the {@code Healthy} datums the
 * aggregator sends through the bridge, evaluates each target's alarm with the aggregator's own alarm settings on the
 * embedded demo's shorter {@link Demo#PERIOD} periods, and answers the latency record {@value Demo#NAME} per region,
 * as the embedded demo does. Nobody resolves through it: it logs every change and serves its view as JSON on
 * {@code GET /} (the answer for a region is the record's target and its endpoint's host name).
 */
final class ComposeRoute53 {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEPT_CHANGES = 50;

    private final Route53StandIn standIn;
    private final Deque<Route53StandIn.Change> changes = new ArrayDeque<>();

    private ComposeRoute53(Route53StandIn standIn) {
        this.standIn = standIn;
    }

    /** The view: the record, the period, each target's chain, each region's answer and the latest changes. */
    record View(
            String name,
            String period,
            List<Route53StandIn.TargetView> targets,
            List<Route53StandIn.AnswerView> answers,
            List<Route53StandIn.Change> changes) {}

    /**
     * Reads the aggregator's config at {@code aggregatorConfig} (one target per demo region), feeds the stand-in from
     * {@code bridge} and serves its view on {@code host:port}.
     */
    static Future<HttpServer> start(Vertx vertx, LocalAwsBridge bridge, Path aggregatorConfig, String host, int port) {
        AggregatorConfig config = AggregatorConfigLoader.loadWithoutTokens(aggregatorConfig);
        Map<String, TargetSpec> byRegion = new LinkedHashMap<>();
        for (TargetSpec target : config.targets()) {
            if (!Demo.REGIONS.contains(target.region()) || target.http() == null) {
                throw new IllegalArgumentException("--route53-stand-in: target " + target.name() + " in "
                        + aggregatorConfig + " must be an http target in one of the demo's regions " + Demo.REGIONS
                        + ", not " + target.region());
            }
            byRegion.put(target.region(), target);
        }
        if (!byRegion.keySet().containsAll(Demo.REGIONS)) {
            throw new IllegalArgumentException(
                    "--route53-stand-in: " + aggregatorConfig + " must have a target in each of the demo's regions "
                            + Demo.REGIONS + ", has " + byRegion.keySet());
        }
        List<Route53StandIn.Record> records = new ArrayList<>();
        List<Route53StandIn.Resolver> resolvers = new ArrayList<>();
        byRegion.forEach((region, target) -> {
            records.add(
                    new Route53StandIn.Record(target.name(), target.http().url().getHost()));
            resolvers.add(new Route53StandIn.Resolver(
                    region,
                    null,
                    Demo.NEAREST_FIRST.get(region).stream()
                            .map(nearest -> byRegion.get(nearest).name())
                            .toList()));
        });
        AggregatorConfig.Alarm alarm = config.alarm();
        ComposeRoute53 route53 = new ComposeRoute53(new Route53StandIn(
                Demo.NAME,
                (int) config.targets().get(0).failover().dnsTtl().toSeconds(),
                new Route53StandIn.Alarm(
                        Demo.PERIOD, alarm.evaluationPeriods(), alarm.datapointsToAlarm(), alarm.treatMissingData()),
                config.route53().insufficientDataHealthStatus(),
                records,
                resolvers,
                System.currentTimeMillis()));
        List<String> targets =
                records.stream().map(Route53StandIn.Record::target).toList();
        bridge.onRequest(request -> {
            if (request.operation().equals("PutMetricData")) {
                for (String target : targets) {
                    for (double value : request.datums(CloudWatchContract.HEALTHY, target)) {
                        route53.standIn.datum(target, value, request.at());
                    }
                }
            }
        });
        vertx.setPeriodic(500, tick -> route53.tick());
        return vertx.createHttpServer()
                .requestHandler(request -> {
                    try {
                        request.response()
                                .putHeader("Content-Type", "application/json")
                                .end(JSON.writeValueAsString(route53.view()));
                    } catch (Exception e) {
                        request.response().setStatusCode(500).end(e.toString());
                    }
                })
                .listen(port, host)
                .onSuccess(server -> System.out.println("vantage-demo local-aws-bridge: Route 53 stand-in for "
                        + Demo.NAME + " (alarms on " + Demo.PERIOD.toSeconds()
                        + " s periods, not CloudWatch's 60 s), its view on " + host + ":" + server.actualPort()));
    }

    private synchronized void tick() {
        for (Route53StandIn.Change change : standIn.tick(System.currentTimeMillis())) {
            System.out.println("vantage-demo route53 stand-in: " + change.what());
            changes.addLast(change);
            if (changes.size() > KEPT_CHANGES) {
                changes.removeFirst();
            }
        }
    }

    private synchronized View view() {
        return new View(
                standIn.name(),
                standIn.alarm().period().toString(),
                standIn.targets(),
                standIn.answers(),
                List.copyOf(changes));
    }
}
