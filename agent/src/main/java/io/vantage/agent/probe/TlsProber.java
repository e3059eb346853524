package io.vantage.agent.probe;

import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TlsSpec;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Healthy when a verified handshake succeeds and the leaf certificate has enough days left. */
public final class TlsProber implements Prober<TlsSpec> {
    private final Dialer dialer;
    private final Clock clock;

    public TlsProber(Dialer dialer, Clock clock) {
        this.dialer = dialer;
        this.clock = clock;
    }

    @Override
    public Future<ProbeResult> probe(TlsSpec spec, Attempt attempt, int timeoutMillis) {
        return dialer.connect(attempt, spec.host(), spec.port(), timeoutMillis)
                .compose(socket -> {
                    attempt.onFinish(socket::close);
                    return dialer.secure(attempt, socket, spec.effectiveServerName(), spec.caFile(), false);
                })
                .map(leaf -> {
                    Duration left = Duration.between(
                            clock.instant(),
                            Instant.ofEpochMilli(leaf.getNotAfter().getTime()));
                    if (left.compareTo(Duration.ofDays(spec.minDaysRemaining())) < 0) {
                        return attempt.fail(
                                FailureReason.TLS_EXPIRING,
                                String.format(
                                        Locale.ROOT,
                                        "certificate for %s expires in %.1f days, under the minimum of %d",
                                        spec.effectiveServerName(),
                                        left.toMinutes() / 1440.0,
                                        spec.minDaysRemaining()));
                    }
                    return attempt.succeed();
                });
    }
}
