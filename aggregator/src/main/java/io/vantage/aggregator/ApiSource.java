package io.vantage.aggregator;

import io.vantage.aggregator.ingest.Credentials;
import io.vantage.aggregator.ingest.IngestHandler;
import io.vantage.aggregator.members.TargetsBody;
import io.vantage.aggregator.status.StatusDocuments;
import io.vantage.runtime.AnswerSlots;
import io.vantage.runtime.Answers;
import io.vantage.runtime.ReadAccess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.function.Consumer;

/**
 * What the HTTP API reads from the aggregator, and nothing more: {@link ApiVerticle} depends on this, not on
 * {@link Aggregator}. Every method is safe from any API event loop (immutable snapshots or thread-safe parts).
 */
interface ApiSource {
    /** {@code /v1/status} and the page, rendered once per round and view. */
    StatusDocuments documents();

    /** Who may read the status and metrics (reloaded with the config). */
    ReadAccess readers();

    /** The {@code /metrics} exposition, in parts. */
    Answers.Parts metrics();

    /** The bound on status and metrics answers in flight, shared by every API event loop. */
    AnswerSlots answerSlots();

    Credentials credentials();

    /**
     * The share of the targets that process {@code instance} (null: one that sends none) of agent {@code agentId}
     * probes; null when the process is refused (more report as the agent than its members bound).
     */
    TargetsBody share(String agentId, String instance);

    /** This replica's name, sent with every answer. */
    String replica();

    boolean ready();

    String readiness();

    /** A handler for {@code POST /v1/reports} on {@code vertx}, writing into the result store. */
    IngestHandler ingestHandler(Vertx vertx, Consumer<HttpConnection> onAuthenticated);
}
