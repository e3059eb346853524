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
 * point is breaching but there are fewer than M, the documentation's examples give ALARM if the data stopped
 * at least N periods ago (its breaching state is carried) and otherwise INSUFFICIENT_DATA for missing;
 * ignore keeps the current state.</li>
 * </ul>
 * The last rule is inferred from the documented tables, which this class is tested against row by row.
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
                int newestReal = range.lastIndexOf(Point.BREACHING);
                boolean stoppedLongAgo = range.size() - 1 - newestReal >= evaluationPeriods;
                return stoppedLongAgo ? State.ALARM : State.INSUFFICIENT_DATA;
            default:
                throw new IllegalArgumentException("treatMissingData '" + treatMissingData
                        + "' is not one of missing, ignore, breaching, notBreaching");
        }
    }
}
