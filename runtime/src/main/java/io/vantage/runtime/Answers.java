package io.vantage.runtime;

import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/** HTTP answers that take milliseconds to build, built on a worker thread so that no event loop waits for them. */
public final class Answers {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** About how many characters a part of a streamed answer holds ({@link Parts}). */
    public static final int PART_CHARS = 64 * 1024;

    private Answers() {}

    /**
     * A body written in parts: each call appends the next part (about {@link #PART_CHARS} characters, or all that is
     * left) and says whether more follow. Calls come one at a time, on worker threads, each after the previous part
     * has been handed to the connection; an exception ends the answer.
     */
    @FunctionalInterface
    public interface Parts {
        boolean next(StringBuilder out) throws Exception;
    }

    /**
     * Answers a {@code /metrics} request from {@code exposition}, streamed: a scrape of thousands of targets is
     * megabytes, and built whole (a builder, its string, its bytes) it put that much short-lived garbage in the old
     * generation at every scrape, which the serial collector grew rather than collected (docs/benchmarks.md). In parts,
     * written as the connection drains, a scrape holds about one part at a time. {@code ended} runs once the last part
     * is handed to the connection (or the answer failed, or the client went away).
     */
    public static void metrics(Vertx vertx, Parts exposition, HttpServerRequest request, Runnable ended) {
        new Stream(vertx, request.response(), exposition, ended).next();
    }

    /** Writes {@link Parts} one at a time: the next is built once the connection has taken the previous one. */
    private static final class Stream {
        private final Vertx vertx;
        private final HttpServerResponse response;
        private final Parts parts;
        private final Runnable ended;
        private final StringBuilder text = new StringBuilder(PART_CHARS + PART_CHARS / 4);

        Stream(Vertx vertx, HttpServerResponse response, Parts parts, Runnable ended) {
            this.vertx = vertx;
            this.response = response;
            this.parts = parts;
            this.ended = ended;
        }

        /** One built part, and whether more follow it. */
        private record Part(Buffer bytes, boolean more) {}

        void next() {
            vertx.executeBlocking(
                            () -> {
                                text.setLength(0);
                                boolean more = parts.next(text);
                                return new Part(Buffer.buffer(text.toString()), more);
                            },
                            false)
                    .onComplete(built -> {
                        if (response.closed()) {
                            ended.run(); // the client went away: nothing more to build
                            return;
                        }
                        if (built.failed()) {
                            failed(built.cause());
                        } else if (!response.headWritten() && !built.result().more()) {
                            response.putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT)
                                    .end(built.result().bytes());
                            ended.run();
                        } else {
                            write(built.result());
                        }
                    });
        }

        private void write(Part part) {
            if (!response.headWritten()) {
                response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT);
            }
            if (!part.more()) {
                response.end(part.bytes());
                ended.run();
                return;
            }
            response.write(part.bytes());
            if (response.writeQueueFull()) {
                response.drainHandler(drained -> {
                    response.drainHandler(null);
                    next();
                });
            } else {
                next();
            }
        }

        /**
         * Before the first part: a 500 naming the failure. After it: the connection is reset, so that the scraper
         * records a failed scrape rather than taking the parts it got for the whole exposition.
         */
        private void failed(Throwable cause) {
            if (response.headWritten()) {
                response.reset();
            } else {
                response.setStatusCode(500).end("scrape failed: " + cause.getMessage() + "\n");
            }
            ended.run();
        }
    }

    /**
     * {@code bytes} as a buffer that any number of answers can send at once without a copy each: off the heap, so
     * that the transport writes it as it is (a heap buffer is copied into native memory for every connection it is
     * written to, and that copy lives until the client reads it). Freed by the collector once no answer holds it.
     */
    public static Buffer shared(byte[] bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return BufferInternal.buffer(Unpooled.wrappedBuffer(direct));
    }
}
