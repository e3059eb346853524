package io.vantage.aggregator.status;

import io.vantage.runtime.Answers;
import io.vantage.wire.Documents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code /v1/status} and the page as sent: each rendered once per round and view, on a worker thread, on the first
 * request after the round, and shared by every reader of that round ({@link Answers#shared}): a thousand readers of
 * 10,000 targets cost one rendering and one copy, not a thousand, and readers that arrive while it renders wait for
 * that one. A reader that never reads holds a reference, not a document, so no bound on readers is needed here.
 */
public final class StatusDocuments {
    /** What a reader may see: everything, or {@link StatusSnapshot#summary()}. */
    public enum View {
        FULL,
        SUMMARY
    }

    /** The JSON document or the HTML page. */
    public enum Format {
        JSON,
        PAGE
    }

    /** A rendering, done or under way, and the {@link Status#version()} it is for. */
    private record Rendering(long version, Future<Buffer> body) {}

    private final Status status;
    private final Function<StatusSnapshot, StatusPage.Section> pageSection;
    private final Map<Format, Map<View, Rendering>> latest = new EnumMap<>(Format.class);

    /** {@code pageSection}: what an embedding process adds to the page for a snapshot ({@code Section.NONE}: nothing). */
    public StatusDocuments(Status status, Function<StatusSnapshot, StatusPage.Section> pageSection) {
        this.status = status;
        this.pageSection = pageSection;
        for (Format format : Format.values()) {
            latest.put(format, new EnumMap<>(View.class));
        }
    }

    /**
     * The latest round's document in {@code format} for {@code view}: the rendering already made or under way for this
     * round, or one started now on a worker thread of {@code vertx}. Called from event loops; returns at once.
     */
    public synchronized Future<Buffer> get(Vertx vertx, Format format, View view) {
        long version = status.version();
        Rendering held = latest.get(format).get(view);
        if (held != null && held.version() == version && !held.body().failed()) {
            return held.body();
        }
        Future<Buffer> body = vertx.executeBlocking(() -> render(format, view), false);
        latest.get(format).put(view, new Rendering(version, body));
        return body;
    }

    private Buffer render(Format format, View view) {
        StatusSnapshot snapshot = status.snapshot();
        StatusSnapshot shown = view == View.FULL ? snapshot : snapshot.summary();
        byte[] bytes = switch (format) {
            case JSON -> Documents.writeJson(shown);
            case PAGE -> StatusPage.render(shown, pageSection.apply(shown)).getBytes(StandardCharsets.UTF_8);
        };
        return Answers.shared(bytes);
    }
}
