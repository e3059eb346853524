package io.vantage.aggregator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.model.AlarmEvaluator.Point;
import io.vantage.aggregator.model.AlarmEvaluator.State;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the two tables in CloudWatch's documentation, "How alarm state is evaluated when data is
 * missing" (AlarmThatSendsEmail.md): 0 is a non-breaching data point, X breaching, - missing; oldest first.
 * "Retain current state" is checked by evaluating once from OK and once from ALARM.
 */
class AlarmEvaluatorTest {
    static Stream<Arguments> documentedRows() {
        return Stream.of(
                // Datapoints to Alarm 3, Evaluation Periods 3
                row(3, 3, "0 - X - X", "OK", "OK", "OK", "OK"),
                row(3, 3, "0 - - - -", "OK", "OK", "OK", "OK"),
                row(3, 3, "- - - - -", "INSUFFICIENT_DATA", "RETAIN", "ALARM", "OK"),
                row(3, 3, "0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"),
                row(3, 3, "- - - - X", "INSUFFICIENT_DATA", "RETAIN", "ALARM", "OK"),
                row(3, 3, "X - - - -", "ALARM", "RETAIN", "ALARM", "OK"),
                // Datapoints to Alarm 2, Evaluation Periods 3
                row(2, 3, "0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"),
                row(2, 3, "0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"),
                row(2, 3, "0 - X - -", "OK", "OK", "ALARM", "OK"),
                row(2, 3, "- - - - 0", "OK", "OK", "ALARM", "OK"),
                row(2, 3, "- - - - X", "INSUFFICIENT_DATA", "RETAIN", "ALARM", "OK"),
                // "Avoiding premature transitions to alarm state": fewer than M points, all breaching, ALARM once the
                // oldest breaching one is at least M periods old (the two tables above hold such rows too).
                row(3, 3, "- - X - X", "ALARM", "RETAIN", "ALARM", "OK"),
                row(3, 3, "- - - X X", "INSUFFICIENT_DATA", "RETAIN", "ALARM", "OK"),
                row(2, 3, "- - - X -", "ALARM", "RETAIN", "ALARM", "OK"),
                row(2, 2, "- - - - X", "INSUFFICIENT_DATA", "RETAIN", "ALARM", "OK"),
                row(2, 2, "- - - X -", "ALARM", "RETAIN", "ALARM", "OK"));
    }

    private static Arguments row(
            int datapointsToAlarm,
            int evaluationPeriods,
            String points,
            String missing,
            String ignore,
            String breaching,
            String notBreaching) {
        return Arguments.of(datapointsToAlarm, evaluationPeriods, points, missing, ignore, breaching, notBreaching);
    }

    @ParameterizedTest(name = "{0} of {1}: {2}")
    @MethodSource("documentedRows")
    void documentedExample(
            int m, int n, String points, String missing, String ignore, String breaching, String notBreaching) {
        List<Point> range = new ArrayList<>();
        for (String point : points.split(" ")) {
            range.add(
                    switch (point) {
                        case "X" -> Point.BREACHING;
                        case "0" -> Point.NOT_BREACHING;
                        default -> Point.MISSING;
                    });
        }
        assertThat(AlarmEvaluator.evaluate(range, n, m, "missing", State.OK).name())
                .as("missing")
                .isEqualTo(missing);
        assertThat(AlarmEvaluator.evaluate(range, n, m, "breaching", State.OK).name())
                .as("breaching")
                .isEqualTo(breaching);
        assertThat(AlarmEvaluator.evaluate(range, n, m, "notBreaching", State.OK)
                        .name())
                .as("notBreaching")
                .isEqualTo(notBreaching);
        for (State current : State.values()) {
            String expected = ignore.equals("RETAIN") ? current.name() : ignore;
            assertThat(AlarmEvaluator.evaluate(range, n, m, "ignore", current).name())
                    .as("ignore from " + current)
                    .isEqualTo(expected);
        }
    }
}
