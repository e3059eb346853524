package io.vantage.agent.probe;

import io.vantage.agent.check.Checks;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TcpSpec;
import io.vertx.core.Future;

/** Healthy when the port accepts a connection and the {@code queryResponse} dialogue, if any, succeeds. */
public final class TcpProber implements Prober<TcpSpec> {
    private final Dialer dialer;
    private final Checks checks;

    public TcpProber(Dialer dialer, Checks checks) {
        this.dialer = dialer;
        this.checks = checks;
    }

    @Override
    public Future<ProbeResult> probe(TcpSpec spec, Attempt attempt, int timeoutMillis) {
        attempt.explain(() -> "dialling " + spec.host() + " port " + spec.port());
        return dialer.connect(attempt, spec.host(), spec.port(), timeoutMillis).compose(socket -> {
            attempt.onFinish(socket::close);
            attempt.explain(() -> "connected");
            return Dialogue.run(
                    dialer, checks, attempt, socket, spec.queryResponse(), spec.effectiveServerName(), spec.tls());
        });
    }
}
