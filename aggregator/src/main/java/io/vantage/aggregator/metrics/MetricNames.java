package io.vantage.aggregator.metrics;

/**
 * Every aggregator metric name. The per-target series of a round are written at scrape time in Prometheus form; the
 * others are Micrometer names, which the Prometheus registry turns into the same form (dots to underscores,
 * {@code _total} on counters). docs/operations.md lists them all (MetricsReferenceTest); src/test/resources/contract pins their shape.
 */
public final class MetricNames {
    // Per target, from the latest round (written at scrape time).
    public static final String TARGET_HEALTHY = "vantage_target_healthy";
    public static final String TARGET_VANTAGES = "vantage_target_vantages";
    public static final String TARGET_RECORD = "vantage_target_record";
    public static final String FAILOVER_PREDICTED = "vantage_failover_predicted_seconds";

    // Per vantage point and member, from the latest round (written at scrape time: members come and go).
    public static final String AGENT_MEMBERS = "vantage_agent_members";
    public static final String AGENT_MEMBERS_EXPECTED = "vantage_agent_members_expected";
    public static final String MEMBER_TARGETS = "vantage_member_targets";
    public static final String MEMBER_REPORT_AGE = "vantage_member_report_age_seconds";
    public static final String ASSIGNMENT_MOVES = "vantage_assignment_moves_total";
    public static final String AGENT_TARGETS_UNASSIGNED = "vantage_agent_targets_unassigned";

    // Per agent, from the latest round.
    public static final String AGENT_REPORT_AGE = "vantage.agent.report.age.seconds";
    public static final String AGENT_REPORTED = "vantage.agent.reported";
    public static final String AGENT_BLIND = "vantage.agent.blind";
    public static final String EVALUATION_DURATION = "vantage.evaluation.duration";

    // Ingest and the API.
    public static final String INGEST_RESULTS = "vantage.ingest.results";
    public static final String INGEST_REQUESTS = "vantage.ingest.requests";
    public static final String AGENT_IDENTITY_CONFLICTS = "vantage.agent.identity.conflicts";
    public static final String API_CONNECTIONS_CLOSED = "vantage.api.connections.closed";
    public static final String API_ANSWERS_REFUSED = "vantage.api.answers.refused";

    // Drills, publishing, AWS and observed routing.
    public static final String TARGET_DRILL = "vantage.target.drill";
    public static final String CLOUDWATCH_PUBLISH = "vantage.cloudwatch.publish";
    public static final String AWS_ATTEMPTS = "vantage.aws.attempts";
    public static final String AWS_DIFFERS = "vantage.aws.config.differs";
    public static final String ROUTE_VANTAGES = "vantage.route.vantages";
    public static final String OBSERVED_FAILOVER = "vantage.observed.failover.seconds";
    public static final String OBSERVED_FAILOVER_SLOWER = "vantage.observed.failover.slower.than.predicted";

    private MetricNames() {}
}
