package io.vantage.agent.probe;

import io.vantage.agent.check.Checks;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TlsClientSpec;
import io.vantage.wire.target.TlsSpec;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Healthy when a verified handshake succeeds, the leaf certificate has enough days left and the {@code
 * queryResponse} dialogue, if any, succeeds over the TLS connection.
 */
public final class TlsProber implements Prober<TlsSpec> {
    private final Dialer dialer;
    private final Clock clock;
    private final Checks checks;

    public TlsProber(Dialer dialer, Clock clock, Checks checks) {
        this.dialer = dialer;
        this.clock = clock;
        this.checks = checks;
    }

    @Override
    public Future<ProbeResult> probe(TlsSpec spec, Attempt attempt, int timeoutMillis) {
        attempt.explain(() -> "dialling " + spec.host() + " port " + spec.port());
        return dialer.connect(attempt, spec.host(), spec.port(), timeoutMillis).compose(socket -> {
            attempt.onFinish(socket::close);
            attempt.explain(() -> "TLS handshake as " + spec.effectiveServerName());
            return dialer.secure(attempt, socket, spec.effectiveServerName(), spec.caFile(), spec.insecureSkipVerify())
                    .compose(leaf -> {
                        Duration left = Duration.between(
                                clock.instant(),
                                Instant.ofEpochMilli(leaf.getNotAfter().getTime()));
                        if (left.compareTo(Duration.ofDays(spec.minDaysRemaining())) < 0) {
                            return Future.succeededFuture(attempt.fail(
                                    FailureReason.TLS_EXPIRING,
                                    String.format(
                                            Locale.ROOT,
                                            "certificate for %s expires in %.1f days, under the minimum of %d",
                                            spec.effectiveServerName(),
                                            left.toMinutes() / 1440.0,
                                            spec.minDaysRemaining())));
                        }
                        return Dialogue.run(
                                dialer,
                                checks,
                                attempt,
                                socket,
                                spec.queryResponse(),
                                spec.effectiveServerName(),
                                new TlsClientSpec(spec.caFile(), spec.insecureSkipVerify()));
                    });
        });
    }
}
