package io.vantage.agent;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.agent.config.AgentConfig;
import io.vantage.agent.config.ConfigLoader;
import io.vantage.agent.config.LoadedConfig;
import io.vantage.agent.exporter.ProbeEndpoint;
import io.vantage.agent.exporter.ProbeModules;
import io.vantage.agent.http.AgentServer;
import io.vantage.agent.metrics.AgentMetrics;
import io.vantage.agent.probe.TlsEngine;
import io.vantage.agent.report.AggregatorConnection;
import io.vantage.agent.report.ReportPusher;
import io.vantage.agent.report.TargetSource;
import io.vantage.agent.schedule.ProbeLoops;
import io.vantage.runtime.ConfigDiff;
import io.vantage.runtime.ConfigWatcher;
import io.vantage.runtime.Listening;
import io.vantage.runtime.otlp.OtlpExporter;
import io.vantage.wire.Otlp;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent process, a member of its vantage point (its agent id) known by its instance id: probes its targets on
 * schedule (on its probe loops), records metrics, pushes results to every aggregator, and reloads its config. With
 * targets from aggregators it probes the union of the shares every aggregator assigns it. Everything but the probing
 * lives on this verticle's event loop; results come back to it from the probe loops.
 */
public final class Agent extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final long CONFIG_POLL_MILLIS = 2_000;

    private final Path configFile;
    private final ConfigLoader loader;
    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final String instance;
    private LoadedConfig loaded;
    private AgentMetrics metrics;
    private ProbeLoops probeLoops;
    private AgentServer server;
    private ConfigWatcher watcher;
    private OtlpExporter otlp;
    private final List<AggregatorConnection> connections = new ArrayList<>();
    private final List<ReportPusher> pushers = new ArrayList<>();
    private final List<TargetSource> targetSources = new ArrayList<>();
    private List<TargetSpec> targets = List.of();
    private Set<String> targetNames = Set.of();
    // Last outcome per target, so the log records transitions rather than every probe.
    private final Map<String, Boolean> lastSuccess = new HashMap<>();
    private String targetsSource = "none yet";
    // Targets two aggregators serve under one name with different specs, said once while they differ.
    private final Set<String> differingSpecs = new HashSet<>();

    /** With a random instance id (as when {@code VANTAGE_INSTANCE} is not set). */
    public Agent(
            LoadedConfig config, Path configFile, ConfigLoader loader, PrometheusMeterRegistry registry, Clock clock) {
        this(config, configFile, loader, registry, clock, Instance.random());
    }

    /**
     * {@code configFile} may be null when the config did not come from a file (then nothing reloads); {@code instance}
     * is this process's instance id ({@link Instance}).
     */
    public Agent(
            LoadedConfig config,
            Path configFile,
            ConfigLoader loader,
            PrometheusMeterRegistry registry,
            Clock clock,
            String instance) {
        this.loaded = config;
        this.configFile = configFile;
        this.loader = loader;
        this.registry = registry;
        this.clock = clock;
        this.instance = instance;
    }

    @Override
    public Future<?> start() {
        AgentConfig config = loaded.config();
        List<SocketAddress> dnsServers =
                config.dns().servers().stream().map(Agent::socketAddress).toList();
        metrics = new AgentMetrics(
                registry,
                loaded.region(),
                () -> probeLoops == null ? 0 : probeLoops.inFlight(),
                clock.millis() / 1000.0);
        TlsEngine engine = TlsEngine.detect();
        String transport = vertx.isNativeTransportEnabled() ? "epoll" : "nio";
        if (engine != TlsEngine.OPENSSL) {
            LOG.warn(
                    "TLS engine: the JDK's (OpenSSL did not load: {}); HTTPS probes cost several times more CPU",
                    TlsEngine.unavailableCause());
        }
        if (!vertx.isNativeTransportEnabled()) {
            LOG.info("network transport: nio (epoll did not load: {})", vertx.unavailableNativeTransportCause());
        }
        return ProbeLoops.deploy(
                        vertx,
                        config.agent().probeLoops(),
                        config.agent().maxInFlight(),
                        engine,
                        dnsServers,
                        config.dns().timeout(),
                        clock,
                        metrics,
                        batch -> context.runOnContext(v -> batch.forEach(this::onResult)))
                .compose(loops -> {
                    probeLoops = loops;
                    metrics.runtime(engine.label(), transport, loops.count());
                    return startWorking(config, engine, transport);
                });
    }

    /**
     * Listens first, then probes: a target on the agent's own port (the standalone example's) is up from its first
     * probe, and a port in use stops the start before anything is probed or pushed.
     */
    private Future<?> startWorking(AgentConfig config, TlsEngine engine, String transport) {
        ProbeEndpoint probe = new ProbeEndpoint(
                vertx,
                registry,
                () -> loaded.config().probe(),
                () -> loaded.probeModules(),
                probeLoops::probeOnce,
                clock);
        server = new AgentServer(
                vertx,
                registry,
                metrics::scrape,
                () -> loaded.readers(),
                this::ready,
                this::readiness,
                probe,
                () -> loaded.config().probe().enabled()
                        ? loaded.config().probe().maxInFlight()
                        : 0);
        return Listening.explained(
                        server.listen(config.server().host(), config.server().port()),
                        config.server().host(),
                        config.server().port(),
                        "server.port in the agent's config")
                .map(listening -> {
                    for (AgentConfig.Aggregator aggregator : config.agent().aggregators()) {
                        AggregatorConnection connection = new AggregatorConnection(
                                vertx, clock, aggregator, loaded.tokens().get(aggregator.label()), instance, registry);
                        connections.add(connection);
                        pushers.add(new ReportPusher(connection, clock, loaded.agentId(), loaded.region(), registry));
                        targetSources.add(new TargetSource(connection, registry));
                    }
                    if (!config.remoteTargets()) {
                        applyTargets(config.targets(), "config file");
                    }
                    if (!connections.isEmpty()) {
                        vertx.setPeriodic(
                                config.agent().pushInterval().toMillis(), tick -> pushers.forEach(ReportPusher::tick));
                        if (config.remoteTargets()) {
                            fetchTargets();
                            vertx.setPeriodic(config.agent().targetsRefresh().toMillis(), tick -> fetchTargets());
                        }
                    }
                    if (config.otlp() != null) {
                        otlp = otlpExporter(config.otlp());
                        otlp.start();
                    }
                    if (configFile != null) {
                        watcher = new ConfigWatcher(vertx, configFile, this::reload);
                        watcher.start(CONFIG_POLL_MILLIS);
                    }
                    return listening;
                })
                .onSuccess(listening -> logModules(loaded.probeModules()))
                .onSuccess(listening -> LOG.info(
                        "member {} of agent {} in region {} serving /metrics on port {}; {} targets from {}; {} probe loops, TLS engine {}, transport {}; pushing to {}",
                        instance,
                        loaded.agentId(),
                        loaded.region(),
                        listening.actualPort(),
                        targets.size(),
                        targetsSource,
                        probeLoops.count(),
                        engine.label(),
                        transport,
                        connections.isEmpty()
                                ? "no aggregator (standalone)"
                                : connections.stream()
                                        .map(AggregatorConnection::label)
                                        .toList()));
    }

    /**
     * The OTLP export of this agent's metrics: its resource is the agent (service.name vantage-agent), this member
     * (service.instance.id) and its region (cloud.region).
     */
    private OtlpExporter otlpExporter(Otlp settings) {
        return new OtlpExporter(
                vertx,
                new OtlpExporter.Settings(
                        settings.endpoint(), loaded.otlpHeaders(), settings.interval(), settings.timeout()),
                List.of(
                        "service.name",
                        "vantage-agent",
                        "service.instance.id",
                        instance,
                        "cloud.region",
                        loaded.region(),
                        "vantage.agent.id",
                        loaded.agentId()),
                "io.vantage.agent",
                null,
                metrics::otlp,
                registry,
                clock);
    }

    /** The OTLP exporter, null unless {@code otlp} is configured. */
    public OtlpExporter otlp() {
        return otlp;
    }

    @Override
    public Future<?> stop() {
        if (watcher != null) {
            watcher.stop();
        }
        List<Future<Void>> closing = new ArrayList<>();
        connections.forEach(connection -> closing.add(connection.close()));
        if (otlp != null) {
            closing.add(otlp.stop());
        }
        return Future.all(closing);
    }

    public int httpPort() {
        return server.port();
    }

    public ProbeLoops probeLoops() {
        return probeLoops;
    }

    private void onResult(ProbeResult result) {
        if (!targetNames.contains(result.target())) {
            return; // removed while it was being probed
        }
        metrics.record(result);
        for (ReportPusher pusher : pushers) {
            pusher.offer(result);
        }
        if (!result.isVote()) {
            return; // the agent's own lateness, not a transition of the endpoint
        }
        Boolean before = lastSuccess.put(result.target(), result.success());
        if (before == null || before != result.success()) {
            if (result.success()) {
                LOG.info(
                        "{}: {} is {}: status {} in {} ms",
                        loaded.agentId(),
                        result.target(),
                        before == null ? "up" : "up again",
                        result.statusCode() == null ? "-" : result.statusCode(),
                        Math.round(result.timings().total() * 1000));
            } else {
                LOG.warn(
                        "{}: {} is {}: {} ({})",
                        loaded.agentId(),
                        result.target(),
                        before == null ? "failing" : "failing now",
                        result.reason().label(),
                        result.message());
            }
        }
    }

    private void applyTargets(List<TargetSpec> next, String source) {
        targets = next;
        targetsSource = source;
        targetNames = next.stream().map(TargetSpec::name).collect(Collectors.toSet());
        lastSuccess.keySet().retainAll(targetNames);
        metrics.targets(next);
        probeLoops.update(next);
        LOG.info("schedule: {} targets from {} over {} probe loops", next.size(), source, probeLoops.count());
        pushers.forEach(pusher -> pusher.retainTargets(targetNames));
    }

    /**
     * Asks every aggregator for this member's share (one fetch at a time per aggregator) and probes the union of the
     * shares: aggregator replicas assign shares independently, so for a moment they may disagree, and probing both
     * shares costs extra probes where taking either would leave a gap. An aggregator that fails keeps its last share
     * in the union.
     */
    private void fetchTargets() {
        for (TargetSource source : targetSources) {
            if (source.fetching()) {
                continue; // a slow answer is still arriving: the next refresh asks again
            }
            source.fetchTargets().onComplete(fetched -> {
                if (fetched.failed()) {
                    TargetList last = source.last();
                    LOG.warn(
                            "fetching targets from {} failed: {}; {}",
                            source.label(),
                            fetched.cause().getMessage(),
                            last == null
                                    ? "it has served no target list yet"
                                    : "keeping its last " + last.targets().size() + " targets");
                    return;
                }
                if (fetched.result() != null) {
                    LOG.info(
                            "target list from {}: {} targets",
                            source.label(),
                            fetched.result().targets().size());
                    applyUnion();
                }
            });
        }
    }

    /** The union of the aggregators' last lists by target name, applied when it differs from the targets in force. */
    private void applyUnion() {
        if (!loaded.config().remoteTargets()) {
            return; // a reloaded config lists its own targets now
        }
        Map<String, TargetSpec> union = new LinkedHashMap<>();
        Map<String, String> servedBy = new HashMap<>();
        List<String> shares = new ArrayList<>();
        Set<String> differing = new HashSet<>();
        for (TargetSource source : targetSources) {
            TargetList list = source.last();
            if (list == null) {
                continue;
            }
            shares.add(source.label() + " (" + list.targets().size() + ")");
            for (TargetSpec target : list.targets()) {
                TargetSpec first = union.putIfAbsent(target.name(), target);
                if (first == null) {
                    servedBy.put(target.name(), source.label());
                } else if (!first.equals(target)) {
                    differing.add(target.name());
                    if (differingSpecs.add(target.name())) {
                        LOG.warn(
                                "aggregators {} and {} serve target {} with different specs; probing {}'s",
                                servedBy.get(target.name()),
                                source.label(),
                                target.name(),
                                servedBy.get(target.name()));
                    }
                }
            }
        }
        differingSpecs.retainAll(differing);
        List<TargetSpec> next = List.copyOf(union.values());
        String source = "aggregators " + String.join(", ", shares);
        if (next.equals(targets)) {
            targetsSource = source; // the same targets, perhaps shared out differently: no new schedule
            return;
        }
        applyTargets(next, source);
    }

    private void reload(String why) {
        vertx.executeBlocking(() -> loader.load(configFile), false).onComplete(result -> {
            if (result.failed()) {
                metrics.reload(false, clock.millis() / 1000.0);
                LOG.error(
                        "config reload ({}) rejected, keeping the config in force: {}",
                        why,
                        result.cause().getMessage());
                return;
            }
            LoadedConfig next = result.result();
            AgentConfig before = loaded.config();
            AgentConfig after = next.config();
            if (!before.agent().aggregators().equals(after.agent().aggregators())
                    || !before.server().equals(after.server())
                    || !before.dns().equals(after.dns())
                    || !Objects.equals(before.otlp(), after.otlp())
                    || !loaded.agentId().equals(next.agentId())
                    || !loaded.region().equals(next.region())) {
                LOG.warn(
                        "config reload ({}): changes to agent identity, aggregators, server, dns or otlp take effect after a restart; "
                                + "applying targets, tokens and the probe block only",
                        why);
            }
            for (AggregatorConnection connection : connections) {
                String token = next.tokens().get(connection.label());
                if (token != null) {
                    connection.token(token);
                }
            }
            loaded = new LoadedConfig(
                    after,
                    loaded.agentId(),
                    loaded.region(),
                    next.tokens(),
                    next.readers(),
                    next.probeModules(),
                    loaded.otlpHeaders());
            if (!after.remoteTargets()) {
                applyTargets(after.targets(), "config file");
            } else if (!before.remoteTargets()) {
                LOG.warn(
                        "config reload ({}): switching to targets from aggregators takes effect after a restart; "
                                + "keeping the {} targets in force",
                        why,
                        targets.size());
            }
            metrics.reload(true, clock.millis() / 1000.0);
            LOG.info("config reloaded ({}): {}; {} targets in force", why, changes(before, after), targets.size());
            logModules(next.probeModules());
        });
    }

    /** What a reload changed: local targets by name, and the other settings. */
    static String changes(AgentConfig before, AgentConfig after) {
        return new ConfigDiff()
                .items("targets", before.targets(), after.targets(), TargetSpec::name)
                .settings(before, after, Set.of("targets"))
                .toString();
    }

    /**
     * Probing, or (with targets from aggregators) assigned none by an aggregator that answered: a member may
     * rightly have no share (more members than targets, or not yet given one).
     */
    private boolean ready() {
        if (loaded.config().probeOnly()) {
            return true; // /probe only: ready as soon as it listens
        }
        if (probeLoops.size() == 0) {
            return loaded.config().remoteTargets() && !answeredBy().isEmpty();
        }
        return probeLoops.started() > 0;
    }

    /** What /probe offers, and what the module file asked for that it does not get (each refused module, each note). */
    private static void logModules(ProbeModules offered) {
        if (offered.modules().isEmpty()) {
            return;
        }
        LOG.info(
                "/probe modules: {}",
                String.join(", ", new TreeSet<>(offered.modules().keySet())));
        offered.refused().forEach(refusal -> LOG.warn("probe.modulesFile: {}", refusal));
        offered.notes().forEach(note -> LOG.info("probe.modulesFile: {}", note));
    }

    private String readiness() {
        if (loaded.config().probeOnly()) {
            return "ready: serving /probe with modules "
                    + String.join(
                            ", ", new TreeSet<>(loaded.probeModules().modules().keySet())) + " (no targets of its own)";
        }
        String member = loaded.config().remoteTargets() ? "member " + instance + ", " : "";
        if (probeLoops.size() == 0) {
            List<String> answered = answeredBy();
            if (loaded.config().remoteTargets() && !answered.isEmpty()) {
                return "ready: member " + instance + ", 0 targets assigned by " + String.join(", ", answered);
            }
            return "not ready: " + member + "no targets yet (source: " + targetsSource + ")";
        }
        if (probeLoops.started() == 0) {
            return "not ready: " + member + probeLoops.size() + " targets scheduled, no probe started yet";
        }
        return "ready: " + member + "probing " + probeLoops.size() + " targets from " + targetsSource;
    }

    /** The aggregators that have answered this member's target list. */
    private List<String> answeredBy() {
        return targetSources.stream()
                .filter(source -> source.last() != null)
                .map(TargetSource::label)
                .toList();
    }

    private static SocketAddress socketAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return SocketAddress.inetSocketAddress(
                Integer.parseInt(hostPort.substring(colon + 1)), hostPort.substring(0, colon));
    }
}
