package io.vantage.aggregator.status;

import io.vantage.aggregator.quorum.Evaluation;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.target.TargetSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The state of every target after one evaluation round, immutable, served as {@code /v1/status}.
 * Agents are the configured ones, in config order; a target's vantage list has an entry for each.
 */
public record StatusSnapshot(long generatedAt, List<AgentInfo> agents, List<TargetStatus> targets) {
    public static final StatusSnapshot EMPTY = new StatusSnapshot(0, List.of(), List.of());

    public record AgentInfo(String id, String region, Double lastReportAgeSeconds) {}

    public record TargetStatus(
            String name,
            String verdict,
            long since,
            String leaningTowards,
            int healthyVantages,
            int reportingVantages,
            int staleVantages,
            int minVantages,
            int healthyNeeded,
            Double latencyP50Ms,
            Double latencyP90Ms,
            List<VantageStatus> vantages) {}

    /** One agent's latest result for a target; {@code state} is healthy, unhealthy, stale or missing. */
    public record VantageStatus(String agentId, String region, String state, Double ageSeconds, FailureReason reason,
            Integer statusCode, Double totalMs, String message) {}

    public static TargetStatus target(TargetSpec spec, Evaluation evaluation, Collection<Observation> all, List<AgentInfo> agents, long now) {
        List<VantageStatus> vantages = new ArrayList<>(agents.size());
        for (AgentInfo agent : agents) {
            Observation observation = all.stream().filter(o -> o.agentId().equals(agent.id())).findFirst().orElse(null);
            if (observation == null) {
                vantages.add(new VantageStatus(agent.id(), agent.region(), "missing", null, null, null, null, null));
                continue;
            }
            boolean fresh = evaluation.freshObservations().contains(observation);
            String state = !fresh ? "stale" : observation.healthy() ? "healthy" : "unhealthy";
            Double total = observation.result().timings().total();
            vantages.add(new VantageStatus(agent.id(), agent.region(), state, (now - observation.observedAt()) / 1000.0,
                    observation.result().reason(), observation.result().statusCode(), total == null ? null : total * 1000,
                    observation.result().message()));
        }
        List<Double> latencies = evaluation.freshObservations().stream()
                .map(o -> o.result().timings().total()).filter(t -> t != null).map(t -> t * 1000).sorted(Comparator.naturalOrder()).toList();
        return new TargetStatus(spec.name(), evaluation.verdict().name(), evaluation.state().since(),
                evaluation.state().candidate() == null ? null : evaluation.state().candidate().name(),
                evaluation.healthy(), evaluation.fresh(), evaluation.stale(), spec.quorum().minVantages(), spec.quorum().healthy(),
                percentile(latencies, 0.5), percentile(latencies, 0.9), vantages);
    }

    /** Nearest-rank percentile; null when there is nothing to rank. */
    public static Double percentile(List<Double> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(quantile * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
