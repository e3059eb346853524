package io.vantage.aggregator.status;

import io.vantage.aggregator.model.Predictions;
import io.vantage.aggregator.quorum.Observation;
import io.vantage.aggregator.round.Round;
import io.vantage.aggregator.round.RoundConsumer;
import io.vantage.aggregator.routing.Routing;
import io.vantage.wire.target.TargetSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The status of the latest round, as {@code /v1/status} and the page show it. Keeps the round; builds the
 * {@link StatusSnapshot} on the first request after it (building costs more than evaluating), from any thread.
 */
public final class Status implements RoundConsumer {
    /**
     * What the round does not carry: {@code observations} each target's latest results (as of the request);
     * {@code healthCheckIds} and {@code recordStates} by target, as AWS was last read; {@code predictions}, null until
     * computed.
     */
    public record Sources(
            Function<String, List<Observation>> observations,
            Supplier<Map<String, String>> healthCheckIds,
            Supplier<Map<String, String>> recordStates,
            Supplier<Predictions> predictions) {}

    private final Sources sources;
    private final Routing routing;
    private final Clock clock;
    private volatile Round round;
    private volatile StatusSnapshot snapshot = StatusSnapshot.EMPTY;
    private final AtomicLong version = new AtomicLong();

    public Status(Sources sources, Routing routing, Clock clock) {
        this.sources = sources;
        this.routing = routing;
        this.clock = clock;
    }

    @Override
    public void accept(Round latest) {
        round = latest;
        version.incrementAndGet();
    }

    /** Builds the status again at the next request, even for the same round (the predictions changed). */
    public void invalidate() {
        snapshot = StatusSnapshot.EMPTY;
        version.incrementAndGet();
    }

    /** Changes with every round and every {@link #invalidate()}: what a rendering of the status is current for. */
    public long version() {
        return version.get();
    }

    /** The latest round's status, {@link StatusSnapshot#EMPTY} before the first round. */
    public StatusSnapshot snapshot() {
        Round latest = round;
        StatusSnapshot built = snapshot;
        if (latest == null || built.generatedAt() == latest.at()) {
            return built;
        }
        List<StatusSnapshot.TargetStatus> targets =
                new ArrayList<>(latest.targets().size());
        long now = clock.millis();
        Predictions expected = sources.predictions().get();
        Map<String, String> healthCheckIds = sources.healthCheckIds().get();
        Map<String, String> recordStates = sources.recordStates().get();
        boolean redact = latest.config().server().redactMessages();
        for (int i = 0; i < latest.targets().size(); i++) {
            TargetSpec target = latest.targets().get(i);
            targets.add(StatusSnapshot.target(
                    target,
                    latest.evaluations().get(i),
                    latest.agents(),
                    sources.observations().apply(target.name()),
                    now,
                    healthCheckIds.get(target.name()),
                    recordStates.get(target.name()),
                    latest.drills().get(target.name()),
                    latest.drilled().contains(target.name()),
                    drillEnd(latest, target.name()),
                    expected == null ? null : expected.of(target),
                    redact));
        }
        List<StatusSnapshot.AgentStatus> agents = latest.agents().stream()
                .map(agent -> StatusSnapshot.AgentStatus.of(agent, latest.at()))
                .toList();
        built = new StatusSnapshot(latest.at(), agents, List.copyOf(targets), routing.names(), routing.events());
        snapshot = built;
        return built;
    }

    /** When the drill honoured for {@code target} this round ends, null when none is. */
    private static Long drillEnd(Round round, String target) {
        if (!round.drilled().contains(target)) {
            return null;
        }
        return round.config().drills().stream()
                .filter(drill -> drill.target().equals(target) && drill.activeAt(round.at()))
                .map(drill -> drill.end().toEpochMilli())
                .findFirst()
                .orElse(null);
    }
}
