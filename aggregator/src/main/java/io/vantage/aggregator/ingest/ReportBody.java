package io.vantage.aggregator.ingest;

import io.vantage.wire.Limits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPInputStream;

/**
 * A report's body, read as it arrives: at most {@link Limits#MAX_REPORT_BODY_BYTES}, within
 * {@link ServerLimits#BODY_DEADLINE_MILLIS} however slowly it trickles (a slow client holds a connection, never a
 * thread). A gzip body is decompressed here, bounded again, so a small gzip bomb is refused too; the HTTP server's own
 * decompression would close the connection without an answer.
 */
final class ReportBody {
    private static final int MAX_BYTES = Limits.MAX_REPORT_BODY_BYTES;
    private static final long DEADLINE_MILLIS = ServerLimits.BODY_DEADLINE_MILLIS;

    /**
     * A body refused, with the answer's status and message; {@code close}: the client may still be sending, so the
     * connection is closed once answered.
     */
    static final class Refused extends Exception {
        final int status;
        final boolean close;

        Refused(int status, String message, boolean close) {
            super(message, null, false, false);
            this.status = status;
            this.close = close;
        }
    }

    private ReportBody() {}

    /** The body of {@code request}, decompressed when {@code gzip}; fails with {@link Refused} only. */
    static Future<Buffer> read(Vertx vertx, HttpServerRequest request, boolean gzip) {
        Promise<Buffer> read = Promise.promise();
        Buffer body = Buffer.buffer();
        long deadline = vertx.setTimer(
                DEADLINE_MILLIS,
                fired -> read.tryFail(
                        new Refused(408, "the body did not arrive within " + DEADLINE_MILLIS + " ms", true)));
        request.handler(chunk -> {
            if (read.future().isComplete()) {
                return;
            }
            if (body.length() + chunk.length() > MAX_BYTES) {
                vertx.cancelTimer(deadline);
                read.fail(new Refused(413, "body exceeds the limit of " + MAX_BYTES + " bytes", true));
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(error -> vertx.cancelTimer(deadline));
        request.endHandler(end -> {
            vertx.cancelTimer(deadline);
            if (read.future().isComplete()) {
                return;
            }
            if (!gzip) {
                read.complete(body);
                return;
            }
            try {
                read.complete(Buffer.buffer(gunzip(body.getBytes())));
            } catch (TooLarge e) {
                read.fail(
                        new Refused(413, "body exceeds the limit of " + MAX_BYTES + " bytes once decompressed", false));
            } catch (IOException e) {
                read.fail(new Refused(400, "the gzip body could not be decompressed: " + e.getMessage(), false));
            }
        });
        return read.future();
    }

    /** Decompresses at most {@link #MAX_BYTES}; more is {@link TooLarge}. */
    private static byte[] gunzip(byte[] compressed) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(MAX_BYTES, compressed.length * 8 + 64));
            byte[] chunk = new byte[64 * 1024];
            for (int read; (read = in.read(chunk)) > 0; ) {
                if (out.size() + read > MAX_BYTES) {
                    throw new TooLarge();
                }
                out.write(chunk, 0, read);
            }
            return out.toByteArray();
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super("too large once decompressed");
        }
    }
}
