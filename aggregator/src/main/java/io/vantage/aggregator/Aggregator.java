package io.vantage.aggregator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.cloudwatch.AwsClients;
import io.vantage.aggregator.cloudwatch.CloudWatchPublisher;
import io.vantage.aggregator.cloudwatch.Datum;
import io.vantage.aggregator.cloudwatch.Datums;
import io.vantage.aggregator.cloudwatch.DryRunPublisher;
import io.vantage.aggregator.cloudwatch.MetricsPublisher;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.config.LoadedAggregatorConfig;
import io.vantage.aggregator.drill.Drills;
import io.vantage.aggregator.ingest.Credentials;
import io.vantage.aggregator.ingest.IngestHandler;
import io.vantage.aggregator.ingest.Instances;
import io.vantage.aggregator.ingest.RateLimiter;
import io.vantage.aggregator.ingest.ResultStore;
import io.vantage.aggregator.metrics.AggregatorMetrics;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.quorum.BlindAgents;
import io.vantage.aggregator.quorum.Cadence;
import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.QuorumEvaluator;
import io.vantage.aggregator.quorum.Vantage;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.quorum.VerdictState;
import io.vantage.aggregator.reconcile.AwsErrors;
import io.vantage.aggregator.reconcile.Reconciliation;
import io.vantage.aggregator.routing.Routing;
import io.vantage.aggregator.status.StatusSnapshot;
import io.vantage.runtime.ConfigWatcher;
import io.vantage.runtime.ReloadMetrics;
import io.vantage.wire.Documents;
import io.vantage.wire.Tokens;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One aggregator replica: keeps the newest result per (target, agent), evaluates every target every second
 * and soon after new results arrive, logs each verdict change with its reason, publishes, and serves the
 * API. Evaluation state lives on this verticle's context; the API verticles see immutable snapshots.
 */
public final class Aggregator extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);

    /**
     * One configured target as the evaluator walks it, with everything a round needs at hand (no lookup by name): its
     * vantage points in the store, its series and the state the last round left.
     */
    private static final class Row {
        final TargetSpec target;
        final Duration freshness;
        final Vantage[] vantages;
        /** Per agent (config order): whether it serves from the target's region (fate sharing). */
        final boolean[] colocated;

        final AggregatorMetrics.TargetMeters meters;
        VerdictState state;

        Row(
                TargetSpec target,
                Vantage[] vantages,
                List<AggregatorConfig.AgentEntry> agents,
                AggregatorMetrics.TargetMeters meters,
                VerdictState state) {
            this.target = target;
            this.freshness = target.freshness();
            this.vantages = vantages;
            this.colocated = new boolean[agents.size()];
            for (int i = 0; i < colocated.length; i++) {
                colocated[i] = agents.get(i).region().equals(target.region());
            }
            this.meters = meters;
            this.state = state;
        }
    }

    /** The outcome of one evaluation round, immutable; the status snapshot is built from it when asked for. */
    private record Round(
            long at,
            List<StatusSnapshot.AgentInfo> agents,
            List<TargetSpec> targets,
            List<Evaluation> evaluations,
            Set<String> drilled,
            Map<String, String> drills) {}

    private final Path configFile;
    private final AggregatorConfigLoader loader;
    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final Optional<Extension> extension;
    private final ResultStore store = new ResultStore();
    private final Instances instances = new Instances();
    /** The configured targets in config order, as the evaluator walks them; rebuilt when a config loads. */
    private List<Row> rows = List.of();
    /** The rows' vantage points and freshness windows, as {@link BlindAgents} reads them; rebuilt with the rows. */
    private List<Vantage[]> allVantages = List.of();

    private long[] freshnessMillis = new long[0];
    /** Since when each agent (config order) is blind, as the last round found ({@link BlindAgents#NOT_BLIND}: not). */
    private long[] blindSince = new long[0];
    /** When the config in force was applied: an agent never heard from since is missing since then. */
    private long appliedAt;

    private final AtomicBoolean evaluationPending = new AtomicBoolean();
    private final List<String> deployments = new ArrayList<>();
    private volatile LoadedAggregatorConfig loaded;
    private volatile IngestHandler.Ingest ingestSettings;
    private volatile ApiSource.TargetsBody targetsBody;
    private volatile Round round;
    private volatile Predictions predictions;
    private Future<Predictions> predicting = Future.succeededFuture();
    private volatile Map<String, String> healthCheckIds = Map.of();
    /** Bound targets: whether their record carries their check, as the last plan or apply found (see Plan.recordStates). */
    private volatile Map<String, String> recordStates = Map.of();
    /** Bound targets' record values, from the last plan: how observed answers are matched to targets. */
    private volatile Map<String, List<String>> recordValues = Map.of();

    private Routing routing;
    private Drills drills;
    /** How often a running aggregator looks up its health check IDs when it is not reconciling. */
    private static final long LOOKUP_EVERY_MILLIS = 300_000;

    private volatile StatusSnapshot snapshot = StatusSnapshot.EMPTY;
    private AggregatorMetrics metrics;
    private ReloadMetrics reloads;
    private MetricsPublisher publisher;
    private ConfigWatcher watcher;
    private Context context;
    private long lastEvaluation;
    private ApiVerticle firstApi;

    public Aggregator(
            LoadedAggregatorConfig config,
            Path configFile,
            AggregatorConfigLoader loader,
            PrometheusMeterRegistry registry,
            Clock clock,
            Optional<Extension> extension) {
        this.loaded = config;
        this.configFile = configFile;
        this.loader = loader;
        this.registry = registry;
        this.clock = clock;
        this.extension = extension;
    }

    @Override
    public Future<?> start() {
        context = vertx.getOrCreateContext();
        metrics = new AggregatorMetrics(registry, clock::millis);
        reloads = new ReloadMetrics(registry, clock.millis() / 1000.0);
        routing = new Routing(registry);
        drills = new Drills(registry);
        apply(loaded);
        AggregatorConfig config = loaded.config();
        publisher = publisher(config.cloudwatch());
        vertx.setPeriodic(Cadence.EVALUATE_EVERY.toMillis(), tick -> evaluate());
        vertx.setPeriodic(config.cloudwatch().publishEvery().toMillis(), tick -> {
            Round latest = round;
            if (latest != null) {
                List<Datum> datums = Datums.of(latest.targets(), latest.evaluations(), latest.drilled());
                publisher.publish(datums, latest.at());
                extension.ifPresent(added -> added.published(datums, latest.at()));
            }
        });
        if (config.cloudwatch().mode() == AggregatorConfig.CloudWatch.Mode.AWS
                && config.route53().enabled()) {
            long every = config.route53().reconcileEvery() != null
                    ? config.route53().reconcileEvery().toMillis()
                    : LOOKUP_EVERY_MILLIS;
            reconcile();
            vertx.setPeriodic(every, tick -> reconcile());
        }
        if (configFile != null) {
            watcher = new ConfigWatcher(vertx, configFile, this::reload);
            watcher.start(2_000);
        }
        // One core is left to the evaluator (and publishing): ingest cannot starve the verdict's cadence
        // (docs/benchmarks.md).
        int instances = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() - 1));
        List<ApiVerticle> apis = new ArrayList<>();
        ApiSource source = api();
        return vertx.deployVerticle(
                        () -> {
                            ApiVerticle api = new ApiVerticle(source, config.server(), registry, extension, instances);
                            synchronized (apis) {
                                apis.add(api);
                            }
                            return api;
                        },
                        new DeploymentOptions().setInstances(instances))
                .onSuccess(id -> {
                    deployments.add(id);
                    firstApi = apis.get(0);
                    LOG.info(
                            "aggregator listening on {}:{} ({} API event loops); {} targets, {} agents; CloudWatch {} (namespace {})",
                            config.server().host(),
                            firstApi.port(),
                            instances,
                            config.targets().size(),
                            config.agents().size(),
                            config.cloudwatch().mode(),
                            config.cloudwatch().namespace());
                    evaluate();
                });
    }

    @Override
    public Future<?> stop() {
        if (watcher != null) {
            watcher.stop();
        }
        // A prediction still being computed finishes first: its result has a live loop to return to.
        return predicting.otherwiseEmpty().compose(done -> publisher.close());
    }

    /**
     * Learns each target's health check ID (for /v1/status and the page) and, when {@code route53.reconcileEvery}
     * is set, applies the plan too. Without it the running aggregator only reads: plan / apply do the changes.
     */
    private void reconcile() {
        boolean applying = loaded.config().route53().reconcileEvery() != null;
        // Built from the config in force now, so that targets added or removed by a reload are reconciled; creating
        // the SDK clients loads and initialises a good deal, so it happens on a worker thread.
        AggregatorConfig config = loaded.config();
        vertx.executeBlocking(() -> Reconciliation.create(config, registry), false)
                .onFailure(error -> LOG.warn("could not create the AWS clients: {}", error.toString()))
                .onSuccess(reconciliation -> reconcile(reconciliation, applying));
    }

    private void reconcile(Reconciliation reconciliation, boolean applying) {
        Future.fromCompletionStage(
                        reconciliation.plan().thenCompose(plan -> {
                            Map<String, String> records =
                                    plan.recordStates(loaded.config().targets());
                            // What DNS answers for each bound record: how observed answers are matched to targets.
                            recordValues = Map.copyOf(plan.recordValues());
                            if (applying && plan.pending() && plan.errors().isEmpty()) {
                                LOG.info("reconciling alarms and health checks:\n{}", plan.describe());
                                return reconciliation.apply(plan).thenApply(ids -> {
                                    records.replaceAll((target, state) -> state.equals("pending") ? "attached" : state);
                                    recordStates = Map.copyOf(records);
                                    metrics.awsDiffers(false);
                                    return ids;
                                });
                            }
                            recordStates = Map.copyOf(records);
                            metrics.awsDiffers(plan.pending() || !plan.errors().isEmpty());
                            if (plan.pending() || !plan.errors().isEmpty()) {
                                LOG.warn(
                                        "alarms or health checks differ from the config; run vantage-aggregator apply:\n{}",
                                        plan.describe());
                            }
                            return java.util.concurrent.CompletableFuture.completedFuture(
                                    plan.healthChecks().ids());
                        }),
                        context)
                .onComplete(done -> {
                    try {
                        reconciliation.close();
                    } catch (Exception e) {
                        LOG.debug("closing the AWS clients failed", e);
                    }
                    if (done.succeeded()) {
                        healthCheckIds = Map.copyOf(done.result());
                    } else {
                        LOG.warn("could not read alarms and health checks: {}", AwsErrors.describe(done.cause()));
                    }
                });
    }

    private MetricsPublisher publisher(AggregatorConfig.CloudWatch settings) {
        if (settings.mode() == AggregatorConfig.CloudWatch.Mode.DRY_RUN) {
            return new DryRunPublisher(settings.namespace(), registry);
        }
        // Retries must end before the next publish is due: the call timeout is 80 % of the cadence.
        java.time.Duration timeout = settings.publishEvery().multipliedBy(4).dividedBy(5);
        return new CloudWatchPublisher(
                AwsClients.cloudWatch(settings.region(), settings.endpoint(), timeout, registry),
                settings.namespace(),
                context,
                registry);
    }

    public int port() {
        return firstApi.port();
    }

    /** The latest round as status; built on first request after each round (building it costs more than evaluating). */
    public StatusSnapshot snapshot() {
        Round latest = round;
        StatusSnapshot built = snapshot;
        if (latest == null || built.generatedAt() == latest.at()) {
            return built;
        }
        List<StatusSnapshot.TargetStatus> targets =
                new ArrayList<>(latest.targets().size());
        long now = clock.millis();
        Predictions expected = predictions;
        boolean redact = loaded.config().server().redactMessages();
        for (int i = 0; i < latest.targets().size(); i++) {
            TargetSpec target = latest.targets().get(i);
            targets.add(StatusSnapshot.target(
                    target,
                    latest.evaluations().get(i),
                    latest.agents(),
                    store.observations(target.name()),
                    now,
                    healthCheckIds.get(target.name()),
                    recordStates.get(target.name()),
                    latest.drills().get(target.name()),
                    latest.drilled().contains(target.name()),
                    expected == null ? null : expected.of(target),
                    redact));
        }
        built = new StatusSnapshot(
                latest.at(), latest.agents(), List.copyOf(targets), routing.names(), routing.events());
        snapshot = built;
        return built;
    }

    /** The API's view of this aggregator (ApiVerticle sees nothing else). */
    private ApiSource api() {
        return new ApiSource() {
            @Override
            public StatusSnapshot snapshot() {
                return Aggregator.this.snapshot();
            }

            @Override
            public Credentials credentials() {
                return ingestSettings.credentials();
            }

            @Override
            public TargetsBody targetsBody() {
                return targetsBody;
            }

            @Override
            public String replica() {
                return REPLICA;
            }

            @Override
            public boolean ready() {
                return Aggregator.this.ready();
            }

            @Override
            public String readiness() {
                return ready() ? "ready: " + round.targets().size() + " targets evaluated" : "not ready: starting";
            }

            @Override
            public IngestHandler ingestHandler(
                    Vertx vertx, java.util.function.Consumer<io.vertx.core.http.HttpConnection> onAuthenticated) {
                return new IngestHandler(
                        vertx,
                        clock,
                        () -> ingestSettings,
                        store,
                        instances,
                        metrics,
                        Aggregator.this::evaluateSoon,
                        onAuthenticated);
            }
        };
    }

    /**
     * This replica's name, sent with every answer ({@link io.vantage.wire.Headers#REPLICA}): the host name (a pod's
     * name in Kubernetes), or the JVM's {@code pid@host} where no HOSTNAME is set.
     */
    private static final String REPLICA = replicaName();

    private static String replicaName() {
        String host = System.getenv("HOSTNAME");
        String name = host != null && !host.isBlank()
                ? host
                : java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
        return name.replaceAll("[^A-Za-z0-9._@-]", "_");
    }

    boolean ready() {
        return firstApi != null && round != null;
    }

    private void apply(LoadedAggregatorConfig next) {
        AggregatorConfig config = next.config();
        Map<String, Integer> confirmByTarget = new HashMap<>();
        config.agentTargets()
                .forEach(target ->
                        confirmByTarget.put(target.name(), target.quorum().confirm()));
        Set<String> targetNames = confirmByTarget.keySet();
        Map<String, String> regions = new LinkedHashMap<>();
        config.agents().forEach(agent -> regions.put(agent.id(), agent.region()));
        store.configure(regions, targetNames); // before ingest sees the new targets and agents
        instances.retain(regions.keySet());
        ingestSettings = new IngestHandler.Ingest(
                new Credentials(next.credentials()),
                new RateLimiter(config.ingest().maxRequestsPerSecond(), System::nanoTime),
                Map.copyOf(confirmByTarget),
                config.ingest().maxClockSkew().toMillis());
        byte[] json = Documents.writeJson(new TargetList(config.agentTargets()));
        targetsBody = new ApiSource.TargetsBody(
                Buffer.buffer(json),
                "\""
                        + HexFormat.of()
                                .formatHex(
                                        Tokens.sha256(new String(json, java.nio.charset.StandardCharsets.UTF_8)), 0, 12)
                        + "\"");
        metrics.agents(regions);
        metrics.retainTargets(targetNames);
        Map<String, VerdictState> states = new HashMap<>();
        rows.forEach(row -> states.put(row.target.name(), row.state));
        long now = clock.millis();
        rows = config.targets().stream()
                .map(target -> new Row(
                        target,
                        store.vantages(target.name()),
                        config.agents(),
                        metrics.target(
                                target.name(),
                                target.route53() == null
                                        ? null
                                        : target.route53().group()),
                        states.getOrDefault(target.name(), VerdictState.initial(now))))
                .toList();
        allVantages = rows.stream().map(row -> row.vantages).toList();
        freshnessMillis =
                rows.stream().mapToLong(row -> row.freshness.toMillis()).toArray();
        if (blindSince.length != config.agents().size()) {
            blindSince = new long[0];
        }
        appliedAt = now;
        loaded = next;
        // Until the new ones are computed, the old ones stand where they still hold (a drill or a new target changes
        // no fleet-wide input); otherwise the page shows none rather than stale ones.
        Predictions previous = predictions;
        predictions = previous != null && previous.holdsFor(config) ? previous : null;
        predicting = vertx.executeBlocking(() -> new Predictions(config), false).onComplete(computed -> {
            if (computed.failed()) {
                LOG.warn(
                        "failover predictions could not be computed: {}",
                        computed.cause().toString());
            } else if (loaded == next) {
                predictions = computed.result();
                Map<String, double[]> predicted = new HashMap<>();
                for (TargetSpec target : config.targets()) {
                    Predictions.ForTarget forTarget = predictions.of(target);
                    if (forTarget != null) {
                        var clients = forTarget.failover().clients();
                        predicted.put(target.name(), new double[] {clients.best(), clients.typical(), clients.worst()});
                    }
                }
                metrics.predictedFailover(predicted);
                snapshot = StatusSnapshot.EMPTY; // the next request rebuilds the status with them
            }
        });
    }

    private void reload(String why) {
        vertx.executeBlocking(() -> loader.load(configFile), false).onComplete(result -> {
            if (result.failed()) {
                reloads.reload(false, clock.millis() / 1000.0);
                LOG.error(
                        "config reload ({}) rejected, keeping the config in force: {}",
                        why,
                        result.cause().getMessage());
                return;
            }
            reloads.reload(true, clock.millis() / 1000.0);
            AggregatorConfig before = loaded.config();
            apply(result.result());
            AggregatorConfig after = loaded.config();
            if (!before.server().equals(after.server()) || !before.cloudwatch().equals(after.cloudwatch())) {
                LOG.warn("config reload ({}): server and cloudwatch changes take effect after a restart", why);
            }
            LOG.info(
                    "config reloaded ({}): {} targets, {} agents",
                    why,
                    after.targets().size(),
                    after.agents().size());
            evaluate();
        });
    }

    private void evaluateSoon() {
        if (evaluationPending.compareAndSet(false, true)) {
            long wait = Math.max(1, lastEvaluation + Cadence.MIN_EVALUATION_SPACING.toMillis() - clock.millis());
            context.runOnContext(v -> vertx.setTimer(wait, tick -> evaluate()));
        }
    }

    /** One round over every target; runs on this verticle's context only. */
    private void evaluate() {
        evaluationPending.set(false);
        long started = System.nanoTime();
        long now = clock.millis();
        lastEvaluation = now;
        AggregatorConfig config = loaded.config();
        int configured = config.agents().size();
        long[] blind = BlindAgents.update(allVantages, freshnessMillis, configured, blindSince, now);
        boolean[] seeing = BlindAgents.seeing(allVantages, freshnessMillis, configured, now);
        logBlindness(config.agents(), blindSince, blind);
        blindSince = blind;
        List<StatusSnapshot.AgentInfo> agents = new ArrayList<>(configured);
        Set<String> twoProcesses = instances.conflicting(now);
        for (int i = 0; i < configured; i++) {
            AggregatorConfig.AgentEntry agent = config.agents().get(i);
            Long last = metrics.lastReport(agent.id());
            agents.add(new StatusSnapshot.AgentInfo(
                    agent.id(),
                    agent.region(),
                    last == null ? null : (now - last) / 1000.0,
                    blind[i] != BlindAgents.NOT_BLIND,
                    twoProcesses.contains(agent.id())));
        }
        metrics.blind(agents.stream()
                .filter(StatusSnapshot.AgentInfo::blind)
                .map(StatusSnapshot.AgentInfo::id)
                .collect(Collectors.toSet()));
        List<Evaluation> evaluations = new ArrayList<>(rows.size());
        for (Row row : rows) {
            VerdictState previous = row.state;
            Evaluation evaluation = QuorumEvaluator.evaluate(
                    row.target.quorum(),
                    row.freshness,
                    row.vantages,
                    configured,
                    new QuorumEvaluator.Fleet(row.colocated, blind, appliedAt, seeing),
                    previous,
                    now);
            row.state = evaluation.state();
            if (evaluation.changed()) {
                logChange(row.target, previous.published(), evaluation, store.observations(row.target.name()));
            }
            row.meters.update(evaluation);
            evaluations.add(evaluation);
        }
        Drills.Round drilled = Drills.Round.NONE;
        // Drills and observed routing need every verdict by name; without either, the round builds nothing more.
        if (!config.drills().isEmpty() || drills.any() || !config.observe().isEmpty()) {
            Map<String, Verdict> verdicts = new HashMap<>();
            for (int i = 0; i < evaluations.size(); i++) {
                verdicts.put(config.targets().get(i).name(), evaluations.get(i).verdict());
            }
            drilled = drills.evaluate(config, verdicts, now);
            Map<String, Verdict> published = new HashMap<>(verdicts);
            drilled.honoured().forEach(target -> published.put(target, Verdict.UNHEALTHY));
            Predictions expected = predictions;
            routing.update(now, config, store::observations, published, recordValues, target -> {
                Predictions.ForTarget forTarget = expected == null ? null : expected.of(target);
                return forTarget == null ? null : forTarget.failover().clients();
            });
        } else {
            drilled = drills.none();
            routing.stop();
        }
        round = new Round(now, agents, config.targets(), evaluations, drilled.honoured(), drilled.notes());
        metrics.evaluation().record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Logs each agent that turned blind, or stopped being blind, this round. */
    private static void logBlindness(List<AggregatorConfig.AgentEntry> agents, long[] before, long[] after) {
        for (int i = 0; i < after.length; i++) {
            boolean was = i < before.length && before[i] != BlindAgents.NOT_BLIND;
            boolean is = after[i] != BlindAgents.NOT_BLIND;
            if (is && !was) {
                LOG.warn(
                        "agent {}@{} is blind: its probes fail nearly every target while the other agents see most of "
                                + "them healthy; its unhealthy votes are set aside until it sees again",
                        agents.get(i).id(),
                        agents.get(i).region());
            } else if (was && !is) {
                LOG.info(
                        "agent {}@{} is no longer blind: its votes count again",
                        agents.get(i).id(),
                        agents.get(i).region());
            }
        }
    }

    private static void logChange(
            TargetSpec target, Verdict before, Evaluation evaluation, List<Observation> observations) {
        long freshness = target.freshness().toMillis();
        String seen = observations.stream()
                .map(o -> o.agentId() + "@" + o.region() + " "
                        + (!QuorumEvaluator.isFresh(o.observedAt(), evaluation.evaluatedAt(), freshness)
                                ? "stale"
                                : (o.success() ? "ok" : o.reason().label())
                                        + (o.success() == o.healthy() ? "" : ", not yet confirmed"))
                        + " ("
                        + (evaluation.evaluatedAt() - o.observedAt()) / 1000 + "s ago)")
                .collect(Collectors.joining(", "));
        String message = "{}: {} -> {} ({} of {} fresh vantage points healthy{}; quorum {} of at least {}): {}";
        Object[] arguments = {
            target.name(),
            before,
            evaluation.verdict(),
            evaluation.healthy(),
            evaluation.fresh(),
            (evaluation.setAside() > 0 ? "; " + evaluation.setAside() + " blind set aside" : "")
                    + (evaluation.lost() > 0
                            ? "; " + evaluation.lost() + " in " + target.region() + " lost with its region"
                            : ""),
            target.quorum().healthy(),
            target.quorum().minVantages(),
            seen.isEmpty() ? "no results" : seen
        };
        if (evaluation.verdict() == Verdict.HEALTHY) {
            LOG.info(message, arguments);
        } else {
            LOG.warn(message, arguments);
        }
    }
}
