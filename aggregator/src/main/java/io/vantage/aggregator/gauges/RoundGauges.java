package io.vantage.aggregator.gauges;

import static io.vantage.runtime.Exposition.family;
import static io.vantage.runtime.Exposition.labels;
import static io.vantage.runtime.Exposition.sample;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.members.MemberView;
import io.vantage.aggregator.metrics.MetricNames;
import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Verdict;
import io.vantage.aggregator.round.FailoverRange;
import io.vantage.aggregator.round.Round;
import io.vantage.aggregator.round.RoundConsumer;
import io.vantage.runtime.Answers;
import io.vantage.runtime.otlp.OtlpNames;
import io.vantage.runtime.otlp.OtlpParts;
import io.vantage.runtime.otlp.OtlpWriter;
import io.vantage.runtime.otlp.RegistryMetrics;
import io.vantage.wire.target.TargetSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;

/**
 * The latest round as series on {@code /metrics}: per configured agent its report age, whether it reported and whether
 * it is blind (gauges, read at scrape time); per vantage point its members (alive, joining, expected), each member's
 * share and report age, the assignment moves and unassigned targets (written at scrape time: members come and go);
 * what evaluating took (a timer); and per target its verdict, vantage points, record and predicted failover.
 *
 * <p>The per-target series are written at scrape time straight from the round (and the predictions) rather than kept
 * as meters: registering four gauges per target blocked the evaluator's event loop for 8.3 s at the start of 20,000
 * targets, and writing 60,000 predictions into a multi-gauge 7.3 s on a reload. Taking a round costs one reference; a
 * scrape walks it on a worker thread, in parts ({@link Answers.Parts}). {@code vantage_target_healthy} exists only
 * while a target has a verdict: a blind fleet is never mistaken for a failure by an alert on it.
 */
public final class RoundGauges implements RoundConsumer {
    private static final String HEALTHY = MetricNames.TARGET_HEALTHY;
    private static final String VANTAGES = MetricNames.TARGET_VANTAGES;
    private static final String RECORD = MetricNames.TARGET_RECORD;
    private static final String PREDICTED = MetricNames.FAILOVER_PREDICTED;
    /** Buckets around the evaluation budget (20 ms p99, 100 ms max at 10,000 targets x 10 agents): its tail shows. */
    private static final Duration[] EVALUATION_BUCKETS = LongStream.of(
                    2, 5, 10, 15, 20, 30, 50, 75, 100, 150, 250, 500, 1000)
            .mapToObj(Duration::ofMillis)
            .toArray(Duration[]::new);

    private final PrometheusMeterRegistry registry;
    private final LongSupplier clockMillis;
    private final Family[] families;
    private final Timer evaluation;
    private volatile Round latest;
    /** The latest round's agents by id, as the per-agent gauges read them at scrape time. */
    private volatile Map<String, Round.Agent> agents = Map.of();
    /** The per-agent gauges, by agent (the loop's context only). */
    private final Map<String, List<Gauge>> agentGauges = new HashMap<>();

    /**
     * {@code clockMillis}: the clock report ages are measured on at scrape time; {@code predicted}: a target's
     * predicted failover, null until computed; read at scrape time.
     */
    public RoundGauges(
            PrometheusMeterRegistry registry, LongSupplier clockMillis, Function<TargetSpec, FailoverRange> predicted) {
        this.registry = registry;
        this.clockMillis = clockMillis;
        this.families = families(predicted);
        this.evaluation = Timer.builder(MetricNames.EVALUATION_DURATION)
                .description("Time to evaluate every target once")
                .serviceLevelObjectives(EVALUATION_BUCKETS)
                .register(registry);
    }

    @Override
    public void accept(Round round) {
        Map<String, Round.Agent> byId = new HashMap<>();
        round.agents().forEach(agent -> byId.put(agent.id(), agent));
        agents = byId;
        register(byId);
        latest = round;
        evaluation.record(round.durationNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Report-age, reported and blind gauges for each configured agent, and none left for agents a reload removed (or
     * moved). An agent not heard yet ages from when it was configured (the aggregator's start, or the reload that added
     * it), so the silent-agent alert also fires for one never heard since the start.
     */
    private void register(Map<String, Round.Agent> configured) {
        agentGauges.entrySet().removeIf(entry -> {
            Round.Agent agent = configured.get(entry.getKey());
            boolean gone = agent == null
                    || !agent.region().equals(entry.getValue().get(0).getId().getTag("region"));
            if (gone) {
                entry.getValue().forEach(registry::remove);
            }
            return gone;
        });
        configured.forEach((id, agent) -> agentGauges.computeIfAbsent(
                id,
                added -> List.of(
                        gauge(MetricNames.AGENT_REPORT_AGE, agent, RoundGauges::silentSeconds)
                                .description("Seconds since the agent's last accepted report (since it was configured, "
                                        + "while it has not reported)")
                                .register(registry),
                        gauge(MetricNames.AGENT_REPORTED, agent, (heard, now) -> heard.lastReportAt() != null ? 1 : 0)
                                .description(
                                        "1 once the agent's first report was accepted since this aggregator started")
                                .register(registry),
                        gauge(MetricNames.AGENT_BLIND, agent, (heard, now) -> heard.blind() ? 1 : 0)
                                .description("1 while the agent is blind (fails nearly every target the others see "
                                        + "healthy): its unhealthy votes are set aside")
                                .register(registry))));
    }

    /** A gauge of {@code agent}'s value in the latest round, as of the scrape (NaN once a reload removed it). */
    private Gauge.Builder<RoundGauges> gauge(String name, Round.Agent agent, AgentValue value) {
        return Gauge.builder(name, this, gauges -> {
                    Round.Agent latest = gauges.agents.get(agent.id());
                    return latest == null ? Double.NaN : value.of(latest, gauges.clockMillis.getAsLong());
                })
                .tag("agent", agent.id())
                .tag("region", agent.region());
    }

    @FunctionalInterface
    private interface AgentValue {
        double of(Round.Agent agent, long nowMillis);
    }

    /** Seconds since the agent's results last counted, or since it was configured while none has. */
    private static double silentSeconds(Round.Agent agent, long nowMillis) {
        long since = agent.lastReportAt() != null ? agent.lastReportAt() : agent.configuredAt();
        return (nowMillis - since) / 1000.0;
    }

    /** The exposition: the registry's meters, then the latest round's series, family by family. */
    public Answers.Parts scrape() {
        return new Answers.Parts() {
            private Round round;
            private int at; // the family being written
            private int next; // its next target
            private boolean headed; // whether its HELP and TYPE are written

            @Override
            public boolean next(StringBuilder out) {
                if (round == null) {
                    out.append(registry.scrape());
                    round = latest;
                    if (round == null) {
                        return false;
                    }
                    writeMembers(out, round.agents(), clockMillis.getAsLong());
                }
                for (; at < families.length; at++, next = 0, headed = false) {
                    Family written = families[at];
                    while (next < round.targets().size()) {
                        if (out.length() >= Answers.PART_CHARS) {
                            return true;
                        }
                        int before = out.length();
                        written.samples()
                                .write(
                                        out,
                                        round.targets().get(next),
                                        round.evaluations().get(next));
                        if (!headed && out.length() > before) {
                            // A family is written only with a sample, as the registry writes one.
                            StringBuilder header = new StringBuilder();
                            family(header, written.name(), "gauge", written.help());
                            out.insert(before, header);
                            headed = true;
                        }
                        next++;
                    }
                }
                return false;
            }
        };
    }

    /**
     * The vantage points' members as of the round, their ages as of {@code nowMillis}: a family for a handful of
     * vantage points and at most 64 members each, written whole in the first part. {@code vantage_agent_members} has
     * both states for every configured vantage point, 0 when none is (the vantage-point-down alert reads alive=0).
     */
    static void writeMembers(StringBuilder out, List<Round.Agent> agents, long nowMillis) {
        if (agents.isEmpty()) {
            return;
        }
        family(
                out,
                MetricNames.AGENT_MEMBERS,
                "gauge",
                "Members of the vantage point: alive (in a share of the targets, heard within 45 s), joining (heard, "
                        + "waiting to take a share)");
        for (Round.Agent agent : agents) {
            long alive = 0;
            long joining = 0;
            for (MemberView member : agent.members().members()) {
                if (member.alive(nowMillis)) {
                    alive++;
                } else if (!member.sharing() && !member.gone(nowMillis)) {
                    joining++;
                }
            }
            sample(
                    out,
                    MetricNames.AGENT_MEMBERS,
                    labels("agent", agent.id(), "region", agent.region(), "state", "alive"),
                    alive);
            sample(
                    out,
                    MetricNames.AGENT_MEMBERS,
                    labels("agent", agent.id(), "region", agent.region(), "state", "joining"),
                    joining);
        }
        if (agents.stream().anyMatch(agent -> agent.expectedMembers() != null)) {
            family(
                    out,
                    MetricNames.AGENT_MEMBERS_EXPECTED,
                    "gauge",
                    "How many members the vantage point should run (expectedMembers; absent when not configured)");
            for (Round.Agent agent : agents) {
                if (agent.expectedMembers() != null) {
                    sample(
                            out,
                            MetricNames.AGENT_MEMBERS_EXPECTED,
                            labels("agent", agent.id(), "region", agent.region()),
                            agent.expectedMembers());
                }
            }
        }
        if (agents.stream().anyMatch(agent -> !agent.members().members().isEmpty())) {
            family(out, MetricNames.MEMBER_TARGETS, "gauge", "Targets in the member's share");
            for (Round.Agent agent : agents) {
                for (MemberView member : agent.members().members()) {
                    sample(
                            out,
                            MetricNames.MEMBER_TARGETS,
                            labels("agent", agent.id(), "member", member.instance(), "region", agent.region()),
                            member.targets());
                }
            }
        }
        if (agents.stream()
                .flatMap(agent -> agent.members().members().stream())
                .anyMatch(member -> member.lastReportAt() != null)) {
            family(
                    out,
                    MetricNames.MEMBER_REPORT_AGE,
                    "gauge",
                    "Seconds since the member's results last counted (absent while none has)");
            for (Round.Agent agent : agents) {
                for (MemberView member : agent.members().members()) {
                    if (member.lastReportAt() != null) {
                        sample(
                                out,
                                MetricNames.MEMBER_REPORT_AGE,
                                labels("agent", agent.id(), "member", member.instance(), "region", agent.region()),
                                (nowMillis - member.lastReportAt()) / 1000.0);
                    }
                }
            }
        }
        perAgent(
                out,
                agents,
                MetricNames.ASSIGNMENT_MOVES,
                "counter",
                "Targets that changed owner among the vantage point's members (a new owner each)",
                agent -> agent.members().moves());
        perAgent(
                out,
                agents,
                MetricNames.AGENT_TARGETS_UNASSIGNED,
                "gauge",
                "Targets placed at the vantage point that none of its members in a share is assigned",
                agent -> agent.members().unassigned());
    }

    /** A family with one sample per vantage point, labelled with its agent id and region. */
    private static void perAgent(
            StringBuilder out,
            List<Round.Agent> agents,
            String name,
            String type,
            String help,
            ToDoubleFunction<Round.Agent> value) {
        family(out, name, type, help);
        for (Round.Agent agent : agents) {
            sample(out, name, labels("agent", agent.id(), "region", agent.region()), value.applyAsDouble(agent));
        }
    }

    /**
     * The OTLP export, in parts ({@link OtlpParts}): the registry's meters and the vantage points' members, then the
     * latest round's per-target series, written into the request from the same round as {@link #scrape()}, metric by
     * metric, each part about {@link OtlpWriter#PART_BYTES}; names by {@link OtlpNames}' rule, labels as attributes.
     * {@code startNanos}: when this process started, the start of its sums.
     */
    public OtlpParts otlp(long startNanos) {
        return new OtlpParts() {
            private Round round;
            private int at; // the family being written
            private int next; // its next target

            @Override
            public boolean next(OtlpWriter out) {
                if (round == null) {
                    RegistryMetrics.write(out, registry, startNanos);
                    round = latest;
                    if (round == null) {
                        return false;
                    }
                    writeMembers(out, round.agents(), clockMillis.getAsLong(), startNanos);
                }
                for (; at < families.length; at++, next = 0) {
                    Family written = families[at];
                    OtlpNames names = OtlpNames.of(written.name());
                    out.gauge(names.name(), written.help(), names.unit());
                    while (next < round.targets().size()) {
                        if (out.size() >= OtlpWriter.PART_BYTES) {
                            return true;
                        }
                        written.points()
                                .write(
                                        out,
                                        round.targets().get(next),
                                        round.evaluations().get(next));
                        next++;
                    }
                }
                return false;
            }
        };
    }

    /** The members' families of {@link #writeMembers(StringBuilder, List, long)}, as OTLP metrics. */
    static void writeMembers(OtlpWriter out, List<Round.Agent> agents, long nowMillis, long startNanos) {
        OtlpNames members = OtlpNames.of(MetricNames.AGENT_MEMBERS);
        out.gauge(members.name(), "Members of the vantage point: alive, joining", members.unit());
        for (Round.Agent agent : agents) {
            long alive = 0;
            long joining = 0;
            for (MemberView member : agent.members().members()) {
                if (member.alive(nowMillis)) {
                    alive++;
                } else if (!member.sharing() && !member.gone(nowMillis)) {
                    joining++;
                }
            }
            agentPoint(out, agent).attribute("state", "alive").value(alive);
            agentPoint(out, agent).attribute("state", "joining").value(joining);
        }
        OtlpNames expected = OtlpNames.of(MetricNames.AGENT_MEMBERS_EXPECTED);
        out.gauge(expected.name(), "How many members the vantage point should run", expected.unit());
        for (Round.Agent agent : agents) {
            if (agent.expectedMembers() != null) {
                agentPoint(out, agent).value((long) agent.expectedMembers());
            }
        }
        OtlpNames targets = OtlpNames.of(MetricNames.MEMBER_TARGETS);
        out.gauge(targets.name(), "Targets in the member's share", targets.unit());
        for (Round.Agent agent : agents) {
            for (MemberView member : agent.members().members()) {
                memberPoint(out, agent, member).value((long) member.targets());
            }
        }
        OtlpNames age = OtlpNames.of(MetricNames.MEMBER_REPORT_AGE);
        out.gauge(age.name(), "Seconds since the member's results last counted", age.unit());
        for (Round.Agent agent : agents) {
            for (MemberView member : agent.members().members()) {
                if (member.lastReportAt() != null) {
                    memberPoint(out, agent, member).value((nowMillis - member.lastReportAt()) / 1000.0);
                }
            }
        }
        OtlpNames moves = OtlpNames.of(MetricNames.ASSIGNMENT_MOVES);
        out.sum(
                moves.name(),
                "Targets that changed owner among the vantage point's members",
                moves.unit(),
                true,
                startNanos);
        for (Round.Agent agent : agents) {
            agentPoint(out, agent).value((double) agent.members().moves());
        }
        OtlpNames unassigned = OtlpNames.of(MetricNames.AGENT_TARGETS_UNASSIGNED);
        out.gauge(
                unassigned.name(),
                "Targets placed at the vantage point that none of its members in a share is assigned",
                unassigned.unit());
        for (Round.Agent agent : agents) {
            agentPoint(out, agent).value((double) agent.members().unassigned());
        }
    }

    private static OtlpWriter agentPoint(OtlpWriter out, Round.Agent agent) {
        return out.point().attribute("agent", agent.id()).attribute("region", agent.region());
    }

    private static OtlpWriter memberPoint(OtlpWriter out, Round.Agent agent, MemberView member) {
        return out.point()
                .attribute("agent", agent.id())
                .attribute("member", member.instance())
                .attribute("region", agent.region());
    }

    /**
     * A family of per-target series: its name and help, how one target's samples are written, and how its OTLP points
     * are (the same values, labels as attributes).
     */
    private record Family(String name, String help, Samples samples, Points points) {}

    @FunctionalInterface
    private interface Points {
        void write(OtlpWriter out, TargetSpec target, Evaluation evaluation);
    }

    @FunctionalInterface
    private interface Samples {
        void write(StringBuilder out, TargetSpec target, Evaluation evaluation);
    }

    private static Family[] families(Function<TargetSpec, FailoverRange> predicted) {
        return new Family[] {
            new Family(
                    HEALTHY,
                    "1 healthy, 0 unhealthy by quorum; absent while there is insufficient data",
                    (out, target, evaluation) -> {
                        if (evaluation.verdict() != Verdict.INSUFFICIENT_DATA) {
                            sample(
                                    out,
                                    HEALTHY,
                                    labels("target", target.name()),
                                    evaluation.verdict() == Verdict.HEALTHY ? 1 : 0);
                        }
                    },
                    (out, target, evaluation) -> {
                        if (evaluation.verdict() != Verdict.INSUFFICIENT_DATA) {
                            out.point()
                                    .attribute("target", target.name())
                                    .value(evaluation.verdict() == Verdict.HEALTHY ? 1L : 0L);
                        }
                    }),
            new Family(
                    RECORD,
                    "1 for the record group (name and type) whose health check this target guards",
                    (out, target, evaluation) -> {
                        if (target.route53() != null) {
                            sample(
                                    out,
                                    RECORD,
                                    labels("record", target.route53().group(), "target", target.name()),
                                    1);
                        }
                    },
                    (out, target, evaluation) -> {
                        if (target.route53() != null) {
                            out.point()
                                    .attribute("record", target.route53().group())
                                    .attribute("target", target.name())
                                    .value(1L);
                        }
                    }),
            new Family(
                    VANTAGES,
                    "Vantage points by what their latest result says (stale: older than the freshness window)",
                    (out, target, evaluation) -> {
                        sample(
                                out,
                                VANTAGES,
                                labels("state", "healthy", "target", target.name()),
                                evaluation.healthy());
                        sample(
                                out,
                                VANTAGES,
                                labels("state", "unhealthy", "target", target.name()),
                                evaluation.fresh() - evaluation.healthy());
                        sample(out, VANTAGES, labels("state", "stale", "target", target.name()), evaluation.stale());
                    },
                    (out, target, evaluation) -> {
                        out.point()
                                .attribute("state", "healthy")
                                .attribute("target", target.name())
                                .value((long) evaluation.healthy());
                        out.point()
                                .attribute("state", "unhealthy")
                                .attribute("target", target.name())
                                .value((long) (evaluation.fresh() - evaluation.healthy()));
                        out.point()
                                .attribute("state", "stale")
                                .attribute("target", target.name())
                                .value((long) evaluation.stale());
                    }),
            new Family(
                    PREDICTED,
                    "The model's time from an endpoint failing until clients are sent elsewhere (best, typical, worst), to "
                            + "put beside vantage_observed_failover_seconds",
                    (out, target, evaluation) -> {
                        FailoverRange times = predicted.apply(target);
                        if (times != null) {
                            sample(out, PREDICTED, labels("bound", "best", "target", target.name()), times.best());
                            sample(
                                    out,
                                    PREDICTED,
                                    labels("bound", "typical", "target", target.name()),
                                    times.typical());
                            sample(out, PREDICTED, labels("bound", "worst", "target", target.name()), times.worst());
                        }
                    },
                    (out, target, evaluation) -> {
                        FailoverRange times = predicted.apply(target);
                        if (times != null) {
                            out.point()
                                    .attribute("bound", "best")
                                    .attribute("target", target.name())
                                    .value(times.best());
                            out.point()
                                    .attribute("bound", "typical")
                                    .attribute("target", target.name())
                                    .value(times.typical());
                            out.point()
                                    .attribute("bound", "worst")
                                    .attribute("target", target.name())
                                    .value(times.worst());
                        }
                    }),
        };
    }
}
