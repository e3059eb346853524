package io.vantage.aggregator;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.config.Placement;
import io.vantage.aggregator.ingest.Credentials;
import io.vantage.aggregator.ingest.IngestHandler;
import io.vantage.aggregator.status.StatusDocuments;
import io.vantage.runtime.AnswerSlots;
import io.vantage.runtime.Answers;
import io.vantage.runtime.ReadAccess;
import io.vantage.wire.Documents;
import io.vantage.wire.Tokens;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the HTTP API reads from the aggregator, and nothing more: {@link ApiVerticle} depends on this, not on
 * {@link Aggregator}. Every method is safe from any API event loop (immutable snapshots or thread-safe parts).
 */
interface ApiSource {
    /** The target list as agents fetch it, with its ETag. */
    record TargetsBody(Buffer json, String etag) {
        /** The list's JSON and its ETag: the first 12 bytes of its SHA-256, hex. */
        static TargetsBody of(List<TargetSpec> targets) {
            byte[] json = Documents.writeJson(new TargetList(targets));
            String hash = HexFormat.of().formatHex(Tokens.sha256(new String(json, StandardCharsets.UTF_8)), 0, 12);
            return new TargetsBody(Buffer.buffer(json), "\"" + hash + "\"");
        }

        /**
         * Each agent entry's list (by id): the targets placed at it. Entries placed alike share one body, so a fleet
         * with no placed target holds one list however many agents it has.
         */
        static Map<String, TargetsBody> perAgent(AggregatorConfig config) {
            Map<BitSet, TargetsBody> byPlacement = new HashMap<>();
            Map<String, TargetsBody> bodies = new HashMap<>();
            List<TargetSpec> targets = config.targets();
            for (AggregatorConfig.AgentEntry agent : config.agents()) {
                BitSet placed = new BitSet(targets.size());
                for (int i = 0; i < targets.size(); i++) {
                    placed.set(i, Placement.placedAt(targets.get(i), agent));
                }
                bodies.put(agent.id(), byPlacement.computeIfAbsent(placed, p -> of(config.agentTargets(agent))));
            }
            return Map.copyOf(bodies);
        }
    }

    /** {@code /v1/status} and the page, rendered once per round and view. */
    StatusDocuments documents();

    /** Who may read the status and metrics (reloaded with the config). */
    ReadAccess readers();

    /** The {@code /metrics} exposition, in parts. */
    Answers.Parts metrics();

    /** The bound on status and metrics answers in flight, shared by every API event loop. */
    AnswerSlots answerSlots();

    Credentials credentials();

    /** The target list of the agent entry {@code agentId} (the one its token authenticates), null for none. */
    TargetsBody targetsBody(String agentId);

    /** This replica's name, sent with every answer. */
    String replica();

    boolean ready();

    String readiness();

    /** A handler for {@code POST /v1/reports} on {@code vertx}, writing into the result store. */
    IngestHandler ingestHandler(Vertx vertx, Consumer<HttpConnection> onAuthenticated);
}
