package io.vantage.aggregator.status;

import io.vantage.runtime.Answers;
import io.vantage.wire.Documents;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code /v1/status} and the page as sent: each rendered once per round and view, on the first request after the round,
 * and shared by every reader of that round ({@link Answers#shared}). A thousand readers of 10,000 targets cost one
 * rendering and one copy, not a thousand; a reader that never reads holds a reference, not a document.
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

    private record Rendering(StatusSnapshot from, Buffer body) {}

    private final Status status;
    private final Function<StatusSnapshot, String> pageSection;
    private final Map<Format, Map<View, Rendering>> latest = new EnumMap<>(Format.class);

    /** {@code pageSection}: HTML an embedding process adds to the page for a snapshot (empty for none). */
    public StatusDocuments(Status status, Function<StatusSnapshot, String> pageSection) {
        this.status = status;
        this.pageSection = pageSection;
        for (Format format : Format.values()) {
            latest.put(format, new EnumMap<>(View.class));
        }
    }

    /**
     * The latest round's document in {@code format} for {@code view}: the one already rendered for this round, or
     * rendered now. Blocking (it may build the snapshot and render it): call it from a worker thread. Readers that
     * arrive while it renders wait for that rendering rather than making their own.
     */
    public synchronized Buffer get(Format format, View view) {
        StatusSnapshot snapshot = status.snapshot();
        Rendering held = latest.get(format).get(view);
        if (held != null && held.from() == snapshot) {
            return held.body();
        }
        StatusSnapshot shown = view == View.FULL ? snapshot : snapshot.summary();
        byte[] bytes = switch (format) {
            case JSON -> Documents.writeJson(shown);
            case PAGE -> StatusPage.render(shown, pageSection.apply(shown)).getBytes(StandardCharsets.UTF_8);
        };
        Buffer body = Answers.shared(bytes);
        latest.get(format).put(view, new Rendering(snapshot, body));
        return body;
    }
}
