package io.vantage.aggregator.cloudwatch;

import java.util.List;

/**
 * What vantage publishes to CloudWatch and how its alarms read it, in one place: the datums' names, dimension and
 * units, CloudWatch's request limits, and the alarm's comparison. The publisher, the alarm reconciler, the failover
 * model and the cost model all read it from here.
 */
public final class CloudWatchContract {
    /** The one dimension of every datum: the target's name. */
    public static final String DIMENSION = "Target";
    /** 1 when the quorum says healthy, 0 when unhealthy, absent while it has insufficient data (the alarm sees missing data). */
    public static final String HEALTHY = "Healthy";

    public static final String HEALTHY_VANTAGES = "HealthyVantages";
    public static final String REPORTING_VANTAGES = "ReportingVantages";
    public static final String LATENCY_P50 = "LatencyP50";
    public static final String LATENCY_P90 = "LatencyP90";
    /** Every metric a target may publish: what a target costs in custom metrics. */
    public static final List<String> METRICS =
            List.of(HEALTHY, HEALTHY_VANTAGES, REPORTING_VANTAGES, LATENCY_P50, LATENCY_P90);

    public static final String UNIT_NONE = "None";
    public static final String UNIT_COUNT = "Count";
    public static final String UNIT_MILLISECONDS = "Milliseconds";

    /** The alarm fires while {@link #HEALTHY}'s statistic is below this. */
    public static final double HEALTHY_THRESHOLD = 1.0;

    /**
     * PutMetricData: "Each request is also limited to no more than 1000 different metrics" and "limited to 1 MB"
     * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
     */
    public static final int MAX_DATUMS_PER_REQUEST = 1000;

    public static final int MAX_REQUEST_BYTES = 1_000_000;
    /** Standard resolution: one data point per minute at most. */
    public static final int STORAGE_RESOLUTION_SECONDS = 60;
    /** Standard-resolution alarms look back over this many periods (CloudWatch's documented examples). */
    public static final int EVALUATION_RANGE_PERIODS = 5;

    private CloudWatchContract() {}
}
