package io.vantage.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Whether the config in force is the file on disk, for the agent and the aggregator alike: a rejected reload keeps
 * the previous config and drops {@code vantage_config_last_reload_successful} to 0.
 */
public final class ReloadMetrics {
    public static final String RELOAD_SUCCESS = "vantage.config.last.reload.successful";
    public static final String RELOAD_TIMESTAMP = "vantage.config.last.reload.success.timestamp.seconds";
    public static final String RELOADS = "vantage.config.reloads";

    private final Counter succeeded;
    private final Counter failed;
    private volatile double lastSuccessful = 1;
    private volatile double lastSuccessSeconds;

    public ReloadMetrics(MeterRegistry registry, double startSeconds) {
        this.lastSuccessSeconds = startSeconds;
        this.succeeded = Counter.builder(RELOADS)
                .tag("outcome", "success")
                .description("Config reloads")
                .register(registry);
        this.failed = Counter.builder(RELOADS)
                .tag("outcome", "failure")
                .description("Config reloads")
                .register(registry);
        Gauge.builder(RELOAD_SUCCESS, this, m -> m.lastSuccessful)
                .description(
                        "1 if the last config reload was applied, 0 if it was rejected and the previous config kept")
                .register(registry);
        Gauge.builder(RELOAD_TIMESTAMP, this, m -> m.lastSuccessSeconds)
                .description("When the config in force was loaded")
                .register(registry);
    }

    public void reload(boolean applied, double nowSeconds) {
        lastSuccessful = applied ? 1 : 0;
        if (applied) {
            lastSuccessSeconds = nowSeconds;
            succeeded.increment();
        } else {
            failed.increment();
        }
    }
}
