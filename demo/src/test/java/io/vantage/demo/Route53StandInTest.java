package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.model.AlarmEvaluator.State;
import io.vantage.testing.TestDnsServer;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stand-in the demo and the failover loop test rest on: periods and statistic as CloudWatch computes them, health
 * checks as Route 53 derives them from an alarm, and latency answers on a real DNS server on loopback.
 */
class Route53StandInTest {
    private static final long PERIOD = 1_000;
    /** A period boundary, so that the times below read as whole periods. */
    private static final long T0 = 1_800_000_000_000L;

    private final Vertx vertx = Vertx.vertx();
    private final TestDnsServer east = TestDnsServer.start(vertx);
    private final TestDnsServer west = TestDnsServer.start(vertx);

    @AfterEach
    void close() {
        east.close();
        west.close();
        vertx.close().await();
    }

    private Route53StandIn standIn(String insufficientDataHealthStatus) {
        return new Route53StandIn(
                "app.test",
                60,
                new Route53StandIn.Alarm(Duration.ofMillis(PERIOD), 3, 2, "missing"),
                insufficientDataHealthStatus,
                List.of(new Route53StandIn.Record("east", "127.0.0.2"), new Route53StandIn.Record("west", "127.0.0.3")),
                List.of(
                        new Route53StandIn.Resolver("us-east-1", east, List.of("east", "west")),
                        new Route53StandIn.Resolver("eu-west-1", west, List.of("west", "east"))),
                T0);
    }

    private static Route53StandIn.TargetView view(Route53StandIn standIn, String target) {
        return standIn.targets().stream()
                .filter(t -> t.target().equals(target))
                .findFirst()
                .orElseThrow();
    }

    private static String answer(Route53StandIn standIn, String region) {
        return standIn.answers().stream()
                .filter(a -> a.region().equals(region))
                .findFirst()
                .orElseThrow()
                .target();
    }

    /** Both targets healthy in the periods [from, to), from two replicas. */
    private static void healthy(Route53StandIn standIn, String target, long from, long to) {
        for (long at = from; at < to; at += PERIOD) {
            standIn.datum(target, 1, at + 100);
            standIn.datum(target, 1, at + 600);
        }
    }

    @Test
    void theMinimumOverEveryReplicasDatumsDecidesAndTheAnswerFollowsTheHealthCheck() {
        Route53StandIn standIn = standIn("LastKnownStatus");
        assertThat(view(standIn, "east").healthy())
                .as("a new check has no status yet: healthy")
                .isTrue();
        healthy(standIn, "east", T0, T0 + 3 * PERIOD);
        healthy(standIn, "west", T0, T0 + 6 * PERIOD);
        standIn.tick(T0 + 3 * PERIOD);
        assertThat(view(standIn, "east").alarm()).isEqualTo(State.OK);

        // One replica still says healthy, the other not: the period's Minimum is 0, so the period breaches.
        for (long at = T0 + 3 * PERIOD; at < T0 + 5 * PERIOD; at += PERIOD) {
            standIn.datum("east", 1, at + 100);
            standIn.datum("east", 0, at + 600);
        }
        standIn.tick(T0 + 4 * PERIOD + 500);
        assertThat(view(standIn, "east").alarm())
                .as("1 of 3 breaching, 2 needed")
                .isEqualTo(State.OK);
        List<Route53StandIn.Change> changes = standIn.tick(T0 + 5 * PERIOD);
        assertThat(view(standIn, "east").alarm()).isEqualTo(State.ALARM);
        assertThat(view(standIn, "east").healthy()).isFalse();
        assertThat(answer(standIn, "us-east-1")).isEqualTo("west");
        assertThat(answer(standIn, "eu-west-1")).isEqualTo("west");
        assertThat(changes)
                .extracting(Route53StandIn.Change::what)
                .containsExactly(
                        "alarm of east is ALARM",
                        "health check of east is unhealthy",
                        "DNS: app.test from us-east-1 answers west (127.0.0.3)");

        DnsClient client = vertx.createDnsClient(east.port(), "127.0.0.1");
        assertThat(client.resolveA("app.test").await())
                .as("what a client in us-east-1 is told")
                .containsExactly("127.0.0.3");
    }

    @Test
    void theModelsAlarmTimeScalesOnlyItsWaitForPeriods() {
        Route53StandIn.Alarm sixSeconds = new Route53StandIn.Alarm(Duration.ofSeconds(6), 3, 2, "missing");
        assertThat(sixSeconds.alarmSeconds(14, 104))
                .as("14 s to the first datum, then 90 s / 10")
                .isEqualTo(23.0);
        assertThat(new Route53StandIn.Alarm(Duration.ofSeconds(60), 3, 2, "missing").alarmSeconds(14, 104))
                .isEqualTo(104.0);
    }

    @Test
    void everyRecordUnhealthyIsAnsweredAsIfAllWereHealthy() {
        Route53StandIn standIn = standIn("LastKnownStatus");
        for (long at = T0; at < T0 + 3 * PERIOD; at += PERIOD) {
            standIn.datum("east", 0, at + 100);
            standIn.datum("west", 0, at + 100);
        }
        List<Route53StandIn.Change> changes = standIn.tick(T0 + 3 * PERIOD);
        assertThat(view(standIn, "east").healthy()).isFalse();
        assertThat(view(standIn, "west").healthy()).isFalse();
        assertThat(answer(standIn, "us-east-1")).isEqualTo("east");
        assertThat(answer(standIn, "eu-west-1")).isEqualTo("west");
        assertThat(changes).noneMatch(change -> change.what().startsWith("DNS"));
    }

    @Test
    void insufficientDataFollowsTheHealthChecksSetting() {
        for (String setting : List.of("LastKnownStatus", "Healthy", "Unhealthy")) {
            Route53StandIn standIn = standIn(setting);
            for (long at = T0; at < T0 + 3 * PERIOD; at += PERIOD) {
                standIn.datum("east", 0, at + 100);
            }
            standIn.tick(T0 + 3 * PERIOD);
            assertThat(view(standIn, "east").healthy()).isFalse();
            // The datums stop (a blind fleet publishes none): after the range has passed, INSUFFICIENT_DATA.
            standIn.tick(T0 + 9 * PERIOD);
            assertThat(view(standIn, "east").alarm()).isEqualTo(State.INSUFFICIENT_DATA);
            assertThat(view(standIn, "east").healthy()).as(setting).isEqualTo(setting.equals("Healthy"));
            // No datum ever for west: insufficient from the start.
            assertThat(view(standIn, "west").healthy()).as(setting).isEqualTo(!setting.equals("Unhealthy"));
        }
    }
}
