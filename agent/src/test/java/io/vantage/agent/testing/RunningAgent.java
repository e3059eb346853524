package io.vantage.agent.testing;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.agent.Agent;
import io.vantage.agent.Instance;
import io.vantage.agent.config.ConfigLoader;
import io.vantage.agent.config.LoadedConfig;
import io.vantage.runtime.Startup;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * An agent started in this process from a config file, as {@code vantage-agent --config} starts it, with its own Vert.x
 * and registry: how the tests, the system tests and anything embedding an agent run one. Tokens come from files (no
 * environment variables are read unless given).
 */
public final class RunningAgent implements AutoCloseable {
    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final Agent agent;

    private RunningAgent(Vertx vertx, PrometheusMeterRegistry registry, Agent agent) {
        this.vertx = vertx;
        this.registry = registry;
        this.agent = agent;
    }

    public static RunningAgent start(Path configFile) {
        return start(configFile, Map.of());
    }

    /**
     * With {@code environment} as the process's environment: its instance id ({@code VANTAGE_INSTANCE}, else random)
     * and what the config refers to.
     */
    public static RunningAgent start(Path configFile, Map<String, String> environment) {
        String instance = Instance.from(environment);
        ConfigLoader loader = new ConfigLoader(environment);
        LoadedConfig loaded = loader.load(configFile);
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry);
        Agent agent = new Agent(loaded, configFile, loader, registry, Clock.systemUTC(), instance);
        vertx.deployVerticle(agent).await();
        return new RunningAgent(vertx, registry, agent);
    }

    public Agent agent() {
        return agent;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public Vertx vertx() {
        return vertx;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + agent.httpPort() + path;
    }

    /** A gauge or counter value as the next scrape would show it. */
    public double value(String name, String... tags) {
        var search = registry.find(name).tags(tags);
        var gauge = search.gauge();
        if (gauge != null) {
            return gauge.value();
        }
        var counter = search.counter();
        if (counter != null) {
            return counter.count();
        }
        var functionCounter = search.functionCounter();
        return functionCounter == null ? Double.NaN : functionCounter.count();
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
