package io.vantage.aggregator.status;

import com.fasterxml.jackson.annotation.JsonValue;
import io.vantage.aggregator.members.MemberView;
import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.quorum.QuorumEvaluator;
import io.vantage.aggregator.round.Round;
import io.vantage.aggregator.routing.Routing;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.target.TargetSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The state of every target after one evaluation round, immutable, served as {@code /v1/status}.
 * Agents are the configured ones, in config order, as the round saw them; a target's vantage list has an entry for each.
 * {@code routing}: where DNS sends each vantage point for each observed name; {@code failovers}: the failovers and
 * failbacks observed, newest first.
 */
public record StatusSnapshot(
        long generatedAt,
        List<AgentStatus> agents,
        List<TargetStatus> targets,
        List<Routing.ObservedName> routing,
        List<Routing.FailoverEvent> failovers) {
    public static final StatusSnapshot EMPTY = new StatusSnapshot(0, List.of(), List.of(), List.of(), List.of());

    /**
     * What a reader without the read token sees by default ({@code server.anonymousStatus: summary}): verdicts, counts,
     * latencies, predictions and observed failovers, but none of what names AWS resources or quotes a server: no
     * health-check ids, no record or hosted-zone names (a record set is "record set N", so that its targets still read
     * as one group), no probe messages, no DNS answers, no instance ids (pod names): a member is "member N", its
     * place in its vantage point's list, and a target's vantage names the same label or none.
     */
    public StatusSnapshot summary() {
        List<TargetStatus> shown = new ArrayList<>(targets.size());
        Map<String, String> groups = new HashMap<>();
        Map<String, Map<String, String>> memberLabels = new HashMap<>();
        List<AgentStatus> agentsShown = new ArrayList<>(agents.size());
        for (AgentStatus agent : agents) {
            Map<String, String> labels = new HashMap<>();
            List<MemberStatus> members = new ArrayList<>(agent.members().size());
            for (MemberStatus member : agent.members()) {
                String label = "member " + (members.size() + 1);
                labels.put(member.instance(), label);
                members.add(new MemberStatus(
                        label,
                        member.sharing(),
                        member.targets(),
                        member.lastSeenAgeSeconds(),
                        member.lastReportAgeSeconds()));
            }
            memberLabels.put(agent.id(), labels);
            agentsShown.add(new AgentStatus(
                    agent.id(),
                    agent.region(),
                    agent.lastReportAgeSeconds(),
                    agent.blind(),
                    agent.duplicateIdentity(),
                    List.copyOf(members),
                    agent.expectedMembers(),
                    agent.moves(),
                    agent.unassigned()));
        }
        for (TargetStatus target : targets) {
            String group = target.recordGroup() == null
                    ? null
                    : groups.computeIfAbsent(target.recordGroup(), named -> "record set " + (groups.size() + 1));
            List<VantageStatus> vantages = new ArrayList<>(target.vantages().size());
            for (VantageStatus vantage : target.vantages()) {
                vantages.add(new VantageStatus(
                        vantage.agentId(),
                        vantage.region(),
                        vantage.state(),
                        vantage.ageSeconds(),
                        vantage.reason(),
                        vantage.statusCode(),
                        vantage.totalMs(),
                        null,
                        vantage.members(),
                        vantage.member() == null
                                ? null
                                : memberLabels
                                        .getOrDefault(vantage.agentId(), Map.of())
                                        .get(vantage.member())));
            }
            shown.add(new TargetStatus(
                    target.name(),
                    target.region(),
                    target.verdict(),
                    target.since(),
                    target.leaningTowards(),
                    target.healthyVantages(),
                    target.reportingVantages(),
                    target.staleVantages(),
                    target.blindVantages(),
                    target.lostVantages(),
                    target.minVantages(),
                    target.healthyNeeded(),
                    target.latencyP50Ms(),
                    target.latencyP90Ms(),
                    null,
                    null,
                    target.recordCheck(),
                    group,
                    target.drill(),
                    target.drilled(),
                    target.drillEndsAt(),
                    target.expected(),
                    List.copyOf(vantages)));
        }
        return new StatusSnapshot(generatedAt, List.copyOf(agentsShown), List.copyOf(shown), List.of(), failovers);
    }

    /**
     * A configured agent (a vantage point) as the round saw it. {@code lastReportAgeSeconds}: since its results last
     * counted, null when none has since the aggregator started; {@code blind}: its unhealthy votes are set aside;
     * {@code duplicateIdentity}: more processes than its members bound reported as it within the last minute (only the
     * bound's count); {@code members}: the processes that report as it, in seat order; {@code expectedMembers}: how
     * many should run (null: not configured); {@code moves}: targets that changed owner among its members since the
     * aggregator started; {@code unassigned}: targets placed at it that no member in a share is assigned.
     */
    public record AgentStatus(
            String id,
            String region,
            Double lastReportAgeSeconds,
            boolean blind,
            boolean duplicateIdentity,
            List<MemberStatus> members,
            Integer expectedMembers,
            long moves,
            int unassigned) {
        /** {@code agent} as of its round, evaluated at {@code roundAt}. */
        static AgentStatus of(Round.Agent agent, long roundAt) {
            return new AgentStatus(
                    agent.id(),
                    agent.region(),
                    agent.lastReportAt() == null ? null : (roundAt - agent.lastReportAt()) / 1000.0,
                    agent.blind(),
                    agent.duplicateIdentity(),
                    agent.members().members().stream()
                            .map(member -> MemberStatus.of(member, roundAt))
                            .toList(),
                    agent.expectedMembers(),
                    agent.members().moves(),
                    agent.members().unassigned());
        }

        /** Members in a share of the targets (alive: the round let the silent ones go). */
        public long alive() {
            return members.stream().filter(MemberStatus::sharing).count();
        }
    }

    /**
     * A member of a vantage point: its instance id (a pod's name; "member N" in the summary), whether it has a share of
     * the targets (false while a returning member waits to rejoin), how many targets its share holds, and since it was
     * last heard (any request) and its results last counted (null: never).
     */
    public record MemberStatus(
            String instance, boolean sharing, int targets, double lastSeenAgeSeconds, Double lastReportAgeSeconds) {
        static MemberStatus of(MemberView member, long roundAt) {
            return new MemberStatus(
                    member.instance(),
                    member.sharing(),
                    member.targets(),
                    Math.max(0, roundAt - member.lastSeen()) / 1000.0,
                    member.lastReportAt() == null ? null : Math.max(0, roundAt - member.lastReportAt()) / 1000.0);
        }
    }

    /**
     * {@code region}: the region the target serves from, if configured; {@code blindVantages}: unhealthy votes set aside
     * because their agent is blind; {@code lostVantages}: vantage points in the target's region taken as lost with it.
     * {@code recordGroup}: the record set its binding belongs to (zone, name, type; every target of one latency or
     * failover record shares it), null when unbound. {@code drill}: what the page says of its drill (running or
     * refused); {@code drilled}: whether this round publishes Healthy=0 for it because of a drill;
     * {@code drillEndsAt}: when that drill ends (epoch millis; null without one).
     */
    public record TargetStatus(
            String name,
            String region,
            String verdict,
            long since,
            String leaningTowards,
            int healthyVantages,
            int reportingVantages,
            int staleVantages,
            int blindVantages,
            int lostVantages,
            int minVantages,
            int healthyNeeded,
            Double latencyP50Ms,
            Double latencyP90Ms,
            String healthCheckId,
            String record,
            String recordCheck,
            String recordGroup,
            String drill,
            boolean drilled,
            Long drillEndsAt,
            Predictions.ForTarget expected,
            List<VantageStatus> vantages) {}

    /**
     * /**
     * What a vantage point's latest result says of a target: healthy, unhealthy, blind (an unhealthy vote set aside),
     * stale, missing, or not placed (the target's probeFrom leaves it out); /v1/status and the page write the label.
     */
    public enum VantageState {
        HEALTHY,
        UNHEALTHY,
        /** Failing while the agent is blind: set aside, not counted against the target. */
        BLIND,
        /** Older than the target's freshness window. */
        STALE,
        /** No result from this vantage point yet. */
        MISSING,
        /** The target is not placed at this vantage point (its probeFrom names others): never asked, never counted. */
        NOT_PLACED;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }

        @Override
        public String toString() {
            return label();
        }
    }

    /**
     * A vantage point's latest result for a target. {@code members}: how many fresh members its vote came from (0: none
     * is fresh, null: no result); {@code member}: the instance that reported the newest result (null: none, or one no
     * longer in its seat).
     */
    public record VantageStatus(
            String agentId,
            String region,
            VantageState state,
            Double ageSeconds,
            FailureReason reason,
            Integer statusCode,
            Double totalMs,
            String message,
            Integer members,
            String member) {}

    /**
     * {@code recordState}: for a target bound to a Route 53 record, whether the record carries its check (attached,
     * pending, conflict, error; unknown until AWS was read). {@code redactMessages}: leave each result's message out
     * (server.redactMessages). The counts are those the round's verdict was made from; {@code observations} (each
     * heard agent's latest result) and their ages and freshness are as of {@code now}, when the status is built.
     */
    public static TargetStatus target(
            TargetSpec spec,
            Evaluation evaluation,
            List<Round.Agent> agents,
            List<Observation> observations,
            long now,
            String healthCheckId,
            String recordState,
            String drill,
            boolean drilled,
            Long drillEndsAt,
            Predictions.ForTarget expected,
            boolean redactMessages) {
        Map<String, Observation> byAgent = new HashMap<>();
        observations.forEach(observation -> byAgent.put(observation.agentId(), observation));
        long freshness = spec.freshness().toMillis();
        List<VantageStatus> vantages = new ArrayList<>(agents.size());
        for (Round.Agent agent : agents) {
            Observation observation = byAgent.get(agent.id());
            if (!spec.placedAt(agent.id(), agent.region())) {
                vantages.add(new VantageStatus(
                        agent.id(), agent.region(), VantageState.NOT_PLACED, null, null, null, null, null, null, null));
                continue;
            }
            if (observation == null) {
                vantages.add(new VantageStatus(
                        agent.id(), agent.region(), VantageState.MISSING, null, null, null, null, null, null, null));
                continue;
            }
            long age = Math.max(0, now - observation.observedAt());
            VantageState state = !QuorumEvaluator.isFresh(observation.observedAt(), now, freshness)
                    ? VantageState.STALE
                    : observation.healthy()
                            ? VantageState.HEALTHY
                            : agent.blind() ? VantageState.BLIND : VantageState.UNHEALTHY;
            Double total = observation.totalSeconds();
            vantages.add(new VantageStatus(
                    agent.id(),
                    agent.region(),
                    state,
                    age / 1000.0,
                    observation.reason(),
                    observation.statusCode(),
                    total == null ? null : total * 1000,
                    redactMessages ? null : observation.message(),
                    observation.members(),
                    observation.member()));
        }
        return new TargetStatus(
                spec.name(),
                spec.region(),
                evaluation.verdict().name(),
                evaluation.state().since(),
                evaluation.state().candidate() == null
                        ? null
                        : evaluation.state().candidate().name(),
                evaluation.healthy(),
                evaluation.fresh(),
                evaluation.stale(),
                evaluation.setAside(),
                evaluation.lost(),
                spec.quorum().minVantages(),
                spec.quorum().healthy(),
                evaluation.measuredLatency() ? evaluation.latencyP50Ms() : null,
                evaluation.measuredLatency() ? evaluation.latencyP90Ms() : null,
                healthCheckId,
                spec.route53() == null
                        ? null
                        : spec.route53().record() + " in zone " + spec.route53().zone(),
                spec.route53() == null ? null : recordState == null ? "unknown" : recordState,
                spec.route53() == null ? null : spec.route53().group(),
                drill,
                drilled,
                drillEndsAt,
                expected,
                vantages);
    }
}
