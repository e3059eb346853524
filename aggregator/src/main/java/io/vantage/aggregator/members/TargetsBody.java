package io.vantage.aggregator.members;

import io.vantage.wire.Documents;
import io.vantage.wire.Tokens;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/** A target list as a member fetches it, with its ETag. */
public record TargetsBody(Buffer json, String etag) {
    /** The list's JSON and its ETag: the first 12 bytes of its SHA-256, hex. */
    public static TargetsBody of(List<TargetSpec> targets) {
        byte[] json = Documents.writeJson(new TargetList(targets));
        String hash = HexFormat.of().formatHex(Tokens.sha256(new String(json, StandardCharsets.UTF_8)), 0, 12);
        return new TargetsBody(Buffer.buffer(json), "\"" + hash + "\"");
    }
}
