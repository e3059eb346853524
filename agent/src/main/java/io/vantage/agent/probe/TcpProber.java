package io.vantage.agent.probe;

import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TcpSpec;
import io.vertx.core.Future;

/** Healthy when the port accepts a connection. */
public final class TcpProber implements Prober<TcpSpec> {
    private final Dialer dialer;

    public TcpProber(Dialer dialer) {
        this.dialer = dialer;
    }

    @Override
    public Future<ProbeResult> probe(TcpSpec spec, Attempt attempt, int timeoutMillis) {
        return dialer.connect(attempt, spec.host(), spec.port(), timeoutMillis).map(socket -> {
            attempt.onFinish(socket::close);
            return attempt.succeed();
        });
    }
}
