package io.vantage.aggregator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.cloudwatch.Publication;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.aggregator.config.LoadedAggregatorConfig;
import io.vantage.aggregator.drill.Drills;
import io.vantage.aggregator.gauges.RoundGauges;
import io.vantage.aggregator.ingest.Credentials;
import io.vantage.aggregator.ingest.IngestHandler;
import io.vantage.aggregator.ingest.RateLimiter;
import io.vantage.aggregator.ingest.ResultRules;
import io.vantage.aggregator.ingest.ResultStore;
import io.vantage.aggregator.ingest.ServerLimits;
import io.vantage.aggregator.members.TargetsBody;
import io.vantage.aggregator.metrics.AggregatorMetrics;
import io.vantage.aggregator.metrics.MetricNames;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.quorum.Cadence;
import io.vantage.aggregator.reconcile.RunningReconciliation;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.aggregator.routing.Routing;
import io.vantage.aggregator.status.Status;
import io.vantage.aggregator.status.StatusDocuments;
import io.vantage.aggregator.status.StatusPage;
import io.vantage.aggregator.status.StatusSnapshot;
import io.vantage.runtime.AnswerSlots;
import io.vantage.runtime.Answers;
import io.vantage.runtime.ConfigDiff;
import io.vantage.runtime.ConfigWatcher;
import io.vantage.runtime.ReadAccess;
import io.vantage.runtime.ReloadMetrics;
import io.vantage.runtime.otlp.OtlpExporter;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One aggregator replica, assembled along its one data path: ingest writes the {@link ResultStore} (results, when each
 * agent last counted, which process reports as it); the {@link EvaluationLoop} reads only the store, every second and
 * soon after new results, and hands each immutable round to its consumers (publication, the round's gauges, observed
 * routing, status; an {@link Extension}'s publication listener). Around it: the running reconciliation with AWS, config
 * reloads, and the API verticles. Evaluation runs on this verticle's context; the API verticles see immutable snapshots.
 */
public final class Aggregator extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);

    private final Path configFile;
    private final AggregatorConfigLoader loader;
    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final Optional<Extension> extension;
    private final ResultStore store = new ResultStore();
    private volatile LoadedAggregatorConfig loaded;
    private volatile IngestHandler.Ingest ingestSettings;
    private volatile Predictions predictions;
    private Future<Predictions> predicting = Future.succeededFuture();

    private AggregatorMetrics metrics;
    private ReloadMetrics reloads;
    private RunningReconciliation aws;
    private Publication publication;
    private Status status;
    private RoundGauges gauges;
    private StatusDocuments documents;
    private AnswerSlots answerSlots;
    private EvaluationLoop loop;
    private ConfigWatcher watcher;
    private ApiVerticle firstApi;
    private OtlpExporter otlp;
    private long startNanos;

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
        Context context = vertx.getOrCreateContext();
        AggregatorConfig config = loaded.config();
        metrics = new AggregatorMetrics(registry);
        startNanos = clock.millis() * 1_000_000;
        reloads = new ReloadMetrics(registry, clock.millis() / 1000.0);
        aws = new RunningReconciliation(context, () -> loaded.config(), registry, metrics);
        publication = new Publication(
                config.cloudwatch(),
                context,
                registry,
                (datums, at) -> extension.ifPresent(added -> added.published(datums, at)));
        Routing routing = new Routing(registry);
        status = new Status(
                new Status.Sources(
                        target -> store.observations(target, clock.millis()),
                        aws::healthCheckIds,
                        aws::recordStates,
                        () -> predictions),
                routing,
                clock);
        documents = new StatusDocuments(
                status,
                snapshot -> extension.map(added -> added.pageSection(snapshot)).orElse(StatusPage.Section.NONE));
        Map<String, Counter> refused = new HashMap<>();
        for (String reason : List.of(AnswerSlots.BUSY, AnswerSlots.DEADLINE)) {
            refused.put(
                    reason,
                    Counter.builder(MetricNames.API_ANSWERS_REFUSED)
                            .tag("reason", reason)
                            .description("Status and metrics answers refused (busy: too many in flight) or cut off "
                                    + "(deadline: not read in time)")
                            .register(registry));
        }
        answerSlots = new AnswerSlots(
                ServerLimits.MAX_ANSWERS_IN_FLIGHT,
                ServerLimits.ANSWER_DEADLINE_MILLIS,
                reason -> refused.get(reason).increment());
        gauges = new RoundGauges(registry, clock::millis, this::predicted);
        loop = new EvaluationLoop(
                context,
                store,
                clock,
                new Drills(registry),
                List.of(
                        publication,
                        gauges,
                        routing.consumer(
                                target -> store.observations(target, clock.millis()),
                                aws::recordValues,
                                this::afterVerdict),
                        status));
        apply(loaded);
        vertx.setPeriodic(Cadence.EVALUATE_EVERY.toMillis(), tick -> loop.evaluate());
        aws.start(config);
        if (config.otlp() != null) {
            otlp = otlpExporter(config);
            otlp.start();
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
                    loop.evaluate();
                });
    }

    @Override
    public Future<?> stop() {
        if (watcher != null) {
            watcher.stop();
        }
        Future<Void> exporting = otlp == null ? Future.succeededFuture() : otlp.stop();
        // A prediction still being computed finishes first: its result has a live loop to return to.
        return predicting.otherwiseEmpty().compose(done -> publication.close()).compose(closed -> exporting);
    }

    /**
     * The OTLP export of this aggregator's metrics: its resource is the aggregator (service.name vantage-aggregator),
     * this replica (service.instance.id, as {@link io.vantage.wire.Headers#REPLICA} names it) and its deployment.
     */
    private OtlpExporter otlpExporter(AggregatorConfig config) {
        List<String> resource =
                new ArrayList<>(List.of("service.name", "vantage-aggregator", "service.instance.id", REPLICA));
        if (config.deployment() != null) {
            resource.addAll(List.of("vantage.deployment", config.deployment()));
        }
        return new OtlpExporter(
                vertx,
                new OtlpExporter.Settings(
                        config.otlp().endpoint(),
                        loaded.otlpHeaders(),
                        config.otlp().interval(),
                        config.otlp().timeout()),
                resource,
                "io.vantage.aggregator",
                null,
                () -> gauges.otlp(startNanos),
                registry,
                clock);
    }

    /** The OTLP exporter, null unless {@code otlp} is configured. */
    public OtlpExporter otlp() {
        return otlp;
    }

    /** What a reload changed: targets and agents by name, and the other settings. */
    static String changes(AggregatorConfig before, AggregatorConfig after) {
        return new ConfigDiff()
                .items("targets", before.targets(), after.targets(), TargetSpec::name)
                .items("agents", before.agents(), after.agents(), AggregatorConfig.AgentEntry::id)
                .settings(before, after, Set.of("targets", "agents"))
                .toString();
    }

    public int port() {
        return firstApi.port();
    }

    /** The latest round as status; built on first request after each round (building it costs more than evaluating). */
    public StatusSnapshot snapshot() {
        return status.snapshot();
    }

    /** The model's time until clients move for {@code target}, null until predictions are computed. */
    private FailoverRange predicted(TargetSpec target) {
        Predictions expected = predictions;
        Predictions.ForTarget forTarget = expected == null ? null : expected.of(target);
        return forTarget == null ? null : forTarget.failover().clients();
    }

    /**
     * The model's time from the verdict until clients move for {@code target}, failing over or back (what an observed
     * event is timed by), null until predictions are computed.
     */
    private FailoverRange afterVerdict(TargetSpec target, Routing.FailoverKind kind) {
        Predictions expected = predictions;
        Predictions.ForTarget forTarget = expected == null ? null : expected.of(target);
        if (forTarget == null) {
            return null;
        }
        return switch (kind) {
            case FAILOVER -> forTarget.failover().clientsAfterVerdict();
            case FAILBACK -> forTarget.failback().clientsAfterVerdict();
        };
    }

    /** The API's view of this aggregator (ApiVerticle sees nothing else). */
    private ApiSource api() {
        return new ApiSource() {
            @Override
            public StatusDocuments documents() {
                return documents;
            }

            @Override
            public ReadAccess readers() {
                return loaded.readers();
            }

            @Override
            public Answers.Parts metrics() {
                return gauges.scrape();
            }

            @Override
            public AnswerSlots answerSlots() {
                return answerSlots;
            }

            @Override
            public Credentials credentials() {
                return ingestSettings.credentials();
            }

            @Override
            public TargetsBody share(String agentId, String instance) {
                return store.share(agentId, instance, clock.millis());
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
                return ready()
                        ? "ready: " + loop.latest().targets().size() + " targets evaluated"
                        : "not ready: starting";
            }

            @Override
            public IngestHandler ingestHandler(Vertx vertx, Consumer<HttpConnection> onAuthenticated) {
                return new IngestHandler(vertx, clock, () -> ingestSettings, store, metrics, onAuthenticated);
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
                : ManagementFactory.getRuntimeMXBean().getName();
        return name.replaceAll("[^A-Za-z0-9._@-]", "_");
    }

    boolean ready() {
        return firstApi != null && loop.latest() != null;
    }

    private void apply(LoadedAggregatorConfig next) {
        AggregatorConfig config = next.config();
        Map<String, Integer> confirmByTarget = new HashMap<>();
        config.agentTargets()
                .forEach(target ->
                        confirmByTarget.put(target.name(), target.quorum().confirm()));
        // before ingest and the API see them
        store.configure(config.agents(), config.agentTargets(), config::agentTargets, clock.millis());
        ingestSettings = new IngestHandler.Ingest(
                new Credentials(next.credentials()),
                new RateLimiter(config.ingest().maxRequestsPerSecond(), System::nanoTime),
                new ResultRules(confirmByTarget, config.ingest().maxClockSkew().toMillis()));
        loop.configure(config);
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
                status.invalidate(); // the next request rebuilds the status with them
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
            if (!before.server().equals(after.server())
                    || !before.cloudwatch().equals(after.cloudwatch())
                    || !Objects.equals(before.otlp(), after.otlp())) {
                LOG.warn("config reload ({}): server, cloudwatch and otlp changes take effect after a restart", why);
            }
            LOG.info(
                    "config reloaded ({}): {}; {} targets, {} agents in force",
                    why,
                    changes(before, after),
                    after.targets().size(),
                    after.agents().size());
            loop.evaluate();
        });
    }
}
