package io.vantage.agent.probe;

import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.ProbeSpec;
import io.vertx.core.Future;

/**
 * One protocol's probe: dial, check, record. It returns {@code attempt.succeed()} or
 * {@code attempt.fail(reason, message)}; a failed future means an unexpected error, which the runner
 * classifies. It never schedules, retries, times out or touches metrics.
 */
public interface Prober<S extends ProbeSpec> {
    Future<ProbeResult> probe(S spec, Attempt attempt, int timeoutMillis);
}
