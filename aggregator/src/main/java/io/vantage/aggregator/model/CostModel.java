package io.vantage.aggregator.model;

import io.vantage.aggregator.cloudwatch.CloudWatchContract;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.wire.target.TargetSpec;

/**
 * Monthly AWS cost and probe traffic of one target under vantage, next to a Route 53 endpoint health check
 * doing the same job. Prices are us-east-1 list prices written down when this was built
 * (https://aws.amazon.com/cloudwatch/pricing/, https://aws.amazon.com/route53/pricing/); they are constants
 * here, not fetched, and should be checked against the pages before they are relied on.
 */
public final class CostModel {
    public static final double SECONDS_PER_MONTH = 30.4375 * 86_400;
    /** Custom metric, first 10,000 per month. */
    public static final double CUSTOM_METRIC = 0.30;
    /** PutMetricData, per 1,000 requests. */
    public static final double PUT_METRIC_DATA_PER_1000 = 0.01;
    /** Standard-resolution alarm, per month. */
    public static final double STANDARD_ALARM = 0.10;
    /** A Route 53 health check on an AWS endpoint (also the price of alarm-based and calculated checks), per month. */
    public static final double HEALTH_CHECK_BASIC = 0.50;
    /** Each optional feature of an endpoint check (HTTPS, string matching, fast interval), AWS endpoint, per month. */
    public static final double HEALTH_CHECK_FEATURE = 1.00;
    /** Route 53 health checkers probing each endpoint (about 16 locations, per the Route 53 developer guide). */
    public static final int ROUTE53_CHECKERS = 16;
    /** Datums vantage publishes per target: Healthy, HealthyVantages, ReportingVantages, LatencyP50, LatencyP90. */
    public static final int METRICS_PER_TARGET = CloudWatchContract.METRICS.size();

    private CostModel() {}

    /**
     * {@code vantage*}: with {@code replicas} aggregators publishing; {@code route53*}: a Route 53 endpoint check with
     * HTTPS and string matching at the fast 10 s interval (what comes closest to vantage's assertions and cadence).
     */
    public record Monthly(
            double vantageDollars,
            double vantageProbesPerMonth,
            double route53Dollars,
            double route53ProbesPerMonth,
            double route53StandardProbesPerMonth) {}

    public static Monthly of(TargetSpec target, int agents, int replicas, AggregatorConfig.CloudWatch cloudWatch) {
        double publishes = SECONDS_PER_MONTH / cloudWatch.publishEvery().getSeconds() * replicas;
        // One PutMetricData carries up to 1,000 datums: this target's share of the requests.
        double putShare = publishes * METRICS_PER_TARGET / 1000.0;
        double vantage = METRICS_PER_TARGET * CUSTOM_METRIC
                + putShare / 1000.0 * PUT_METRIC_DATA_PER_1000
                + STANDARD_ALARM
                + HEALTH_CHECK_BASIC;
        double vantageProbes = agents * SECONDS_PER_MONTH / target.interval().toMillis() * 1000;
        boolean https = target.http() != null && target.http().https();
        double route53 = HEALTH_CHECK_BASIC + HEALTH_CHECK_FEATURE * ((https ? 1 : 0) + 1 + 1);
        return new Monthly(
                vantage,
                vantageProbes,
                route53,
                ROUTE53_CHECKERS * SECONDS_PER_MONTH / 10,
                ROUTE53_CHECKERS * SECONDS_PER_MONTH / 30);
    }
}
