package io.vantage.aggregator.model;

import java.util.List;

/**
 * CloudWatch's M-out-of-N evaluation with missing data, as documented in "How alarm state is evaluated
 * when data is missing" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html,
 * section alarms-evaluating-missing-data). The evaluation range is the most recent few periods (five for
 * standard-resolution alarms in the documented examples), oldest first.
 * <ul>
 * <li>At least N real data points: the N most recent are evaluated; M or more breaching is ALARM, else OK.</li>
 * <li>None: missing → INSUFFICIENT_DATA, ignore → unchanged, breaching → ALARM, notBreaching → OK.</li>
 * <li>Some but fewer than N: breaching and notBreaching fill the gap with that value; missing and ignore
 * evaluate the real points only — M breaching is ALARM, any non-breaching point is OK. When every real
 * point is breaching but there are fewer than M, missing follows the section "Avoiding premature transitions
 * to alarm state" (CloudWatch-alarms-avoiding-premature-transition): ALARM when the oldest breaching point is
 * at least M periods old, otherwise INSUFFICIENT_DATA; ignore keeps the current state, as the tables show.</li>
 * </ul>
 * Tested against every row of the documented tables and the premature-transition rule's own cases.
 */
public final class AlarmEvaluator {
    public enum Point {
        BREACHING,
        NOT_BREACHING,
        MISSING
    }

    public enum State {
        OK,
        ALARM,
        INSUFFICIENT_DATA
    }

    private AlarmEvaluator() {}

    /** {@code range}: the evaluation range, oldest first; {@code treatMissingData} as in PutMetricAlarm. */
    public static State evaluate(
            List<Point> range, int evaluationPeriods, int datapointsToAlarm, String treatMissingData, State current) {
        List<Point> real =
                range.stream().filter(point -> point != Point.MISSING).toList();
        if (real.size() >= evaluationPeriods) {
            long breaching = real.subList(real.size() - evaluationPeriods, real.size()).stream()
                    .filter(p -> p == Point.BREACHING)
                    .count();
            return breaching >= datapointsToAlarm ? State.ALARM : State.OK;
        }
        int fill = evaluationPeriods - real.size();
        long breaching = real.stream().filter(p -> p == Point.BREACHING).count();
        switch (treatMissingData) {
            case "breaching":
                return breaching + fill >= datapointsToAlarm ? State.ALARM : State.OK;
            case "notBreaching":
                return breaching >= datapointsToAlarm ? State.ALARM : State.OK;
            case "missing":
            case "ignore":
                boolean ignore = treatMissingData.equals("ignore");
                if (real.isEmpty()) {
                    return ignore ? current : State.INSUFFICIENT_DATA;
                }
                if (breaching >= datapointsToAlarm) {
                    return State.ALARM;
                }
                if (breaching < real.size()) {
                    return State.OK;
                }
                if (ignore) {
                    return current;
                }
                // Every real point breaches, but fewer than M do: the rule against premature transitions. ALARM once
                // the oldest breaching point is at least M periods old (every more recent one breaching or missing).
                int age = range.size() - range.indexOf(Point.BREACHING);
                return age >= datapointsToAlarm ? State.ALARM : State.INSUFFICIENT_DATA;
            default:
                throw new IllegalArgumentException("treatMissingData '" + treatMissingData
                        + "' is not one of missing, ignore, breaching, notBreaching");
        }
    }
}
