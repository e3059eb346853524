package io.vantage.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.agent.testing.Probes;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.target.BodyAssertion;
import io.vantage.wire.target.DnsSpec;
import io.vantage.wire.target.HttpSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The validators alone, on answers given to them (the probers feed them real answers in ProbeTest and DnsProbeTest). */
class ChecksTest {
    private final Checks checks = new Checks();

    private static HttpSpec http(String extra) {
        return Probes.target("{name: t, http: {url: 'http://127.0.0.1:1/'" + extra + "}}")
                .http();
    }

    @Test
    void statusIsCheckedAgainstTheExpectedRanges() {
        assertThat(checks.status(http(""), 204)).isNull();
        assertThat(checks.status(http(""), 503))
                .isEqualTo(new Mismatch(FailureReason.HTTP_STATUS, "status 503 is not in [200-399]"));
        HttpSpec ranges = http(", expectStatus: ['200', '401-403']");
        assertThat(checks.status(ranges, 402)).isNull();
        assertThat(checks.status(ranges, 301).reason()).isEqualTo(FailureReason.HTTP_STATUS);
    }

    @Test
    void bodyContainsRegexAndJsonPointer() {
        assertThat(checks.body(new BodyAssertion("UP", null, null), "status: UP"))
                .isNull();
        assertThat(checks.body(new BodyAssertion("UP", null, null), "status: DOWN"))
                .isEqualTo(new Mismatch(FailureReason.BODY_MISMATCH, "body does not contain 'UP'"));
        BodyAssertion regex = new BodyAssertion(null, "ver(sion)?=[0-9]+", null);
        assertThat(checks.body(regex, "a version=12 b")).isNull();
        assertThat(checks.body(regex, "no number").message()).isEqualTo("body does not match /ver(sion)?=[0-9]+/");
        BodyAssertion pointer = new BodyAssertion(null, null, new BodyAssertion.JsonPointerAssertion("/status", "UP"));
        assertThat(checks.body(pointer, "{\"status\":\"UP\"}")).isNull();
        assertThat(checks.body(pointer, "{\"status\":\"DOWN\"}").message())
                .isEqualTo("JSON /status is 'DOWN', expected 'UP'");
        assertThat(checks.body(pointer, "{\"other\":1}").message()).isEqualTo("JSON body has nothing at /status");
        assertThat(checks.body(pointer, "<html>").message()).isEqualTo("body is not JSON, so /status cannot be read");
    }

    @Test
    void latencyOverTheLimitIsTooSlow() {
        assertThat(checks.latency(null, 10_000_000_000L)).as("no limit").isNull();
        assertThat(checks.latency(Duration.ofMillis(500), 500_000_000L)).isNull();
        assertThat(checks.latency(Duration.ofMillis(500), 750_000_000L))
                .isEqualTo(new Mismatch(FailureReason.TOO_SLOW, "answered in 750ms, over maxLatency 500ms"));
    }

    @Test
    void dnsAnswersByCountSubstringAndPattern() {
        List<String> records = List.of("10.0.0.1", "10.0.0.2");
        assertThat(checks.answers(DnsSpec.Answer.DEFAULT, "A app", records)).isNull();
        assertThat(checks.answers(DnsSpec.Answer.DEFAULT, "A app", List.of()))
                .isEqualTo(new Mismatch(FailureReason.BODY_MISMATCH, "A app: 0 records, expected at least 1"));
        assertThat(checks.answers(new DnsSpec.Answer(null, null, 3), "A app", records)
                        .message())
                .isEqualTo("A app: 2 records, expected at least 3");
        assertThat(checks.answers(new DnsSpec.Answer("0.0.2", null, null), "A app", records))
                .isNull();
        assertThat(checks.answers(new DnsSpec.Answer("10.9", null, null), "A app", records)
                        .message())
                .isEqualTo("A app: no record contains '10.9' in [10.0.0.1, 10.0.0.2]");
        assertThat(checks.answers(new DnsSpec.Answer(null, "^10\\.0\\.0\\.2$", null), "A app", records))
                .isNull();
        assertThat(checks.answers(new DnsSpec.Answer(null, "^192\\.", null), "A app", records)
                        .reason())
                .isEqualTo(FailureReason.BODY_MISMATCH);
    }

    @Test
    void aBodyRegexAndADnsRegexShareOneCompiledPattern() {
        // The same pattern text on an HTTP and a DNS target: both are judged by it (one cache, keyed by text).
        String pattern = "^ok-[a-z]+$";
        assertThat(checks.body(new BodyAssertion(null, pattern, null), "ok-ready"))
                .isNull();
        assertThat(checks.answers(new DnsSpec.Answer(null, pattern, null), "TXT app", List.of("ok-ready")))
                .isNull();
        assertThat(checks.answers(new DnsSpec.Answer(null, pattern, null), "TXT app", List.of("no")))
                .isNotNull();
    }
}
