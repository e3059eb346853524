package io.vantage.agent.probe;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An incremental HTTP/1.x response reader: status line, headers, then a body delimited by
 * Content-Length, chunked encoding or connection close. It keeps at most {@code maxBodyBytes} of the
 * body and reports completion as soon as more than that has arrived ({@link #truncated()}). The headers are kept, in
 * order, for the checks that read them (bounded, with the status line, by {@link #MAX_HEADER_BYTES}).
 */
final class HttpResponseParser {
    /** The status line, headers and trailers together (chunk framing does not count: the body cap bounds it). */
    static final int MAX_HEADER_BYTES = 64 * 1024;
    /** Any one line, chunk-size lines included. */
    static final int MAX_LINE_BYTES = 8 * 1024;

    enum State {
        STATUS,
        HEADERS,
        BODY_LENGTH,
        CHUNK_SIZE,
        CHUNK_DATA,
        CHUNK_END,
        TRAILERS,
        BODY_UNTIL_CLOSE,
        DONE
    }

    private final int maxBodyBytes;
    private final boolean noBody;
    private final StringBuilder line = new StringBuilder(128);
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private State state = State.STATUS;
    private int headerBytes;
    private int status;
    private long remaining = -1;
    private boolean chunked;
    private boolean connectionClose;
    private boolean truncated;
    private boolean http10;
    private String location;
    private long contentLength = -1;
    private long bodyBytes;
    private final List<Header> headers = new ArrayList<>();

    /** One response header: its name in lower case, and its value trimmed. */
    record Header(String name, String value) {}

    HttpResponseParser(int maxBodyBytes, boolean headRequest) {
        this.maxBodyBytes = maxBodyBytes;
        this.noBody = headRequest;
    }

    /** Consumes bytes; returns true once the response is complete. Throws {@link ProtocolException} on garbage. */
    boolean feed(Buffer buffer) {
        int length = buffer.length();
        int i = 0;
        while (i < length && state != State.DONE) {
            switch (state) {
                case STATUS, HEADERS, CHUNK_SIZE, CHUNK_END, TRAILERS -> {
                    byte b = buffer.getByte(i++);
                    boolean head = state == State.STATUS || state == State.HEADERS || state == State.TRAILERS;
                    if (head && ++headerBytes > MAX_HEADER_BYTES) {
                        throw new ProtocolException("response head exceeds " + MAX_HEADER_BYTES + " bytes");
                    }
                    if (line.length() >= MAX_LINE_BYTES) {
                        throw new ProtocolException("a line of the response exceeds " + MAX_LINE_BYTES + " bytes");
                    }
                    if (b == '\n') {
                        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r'
                                ? line.length() - 1
                                : line.length();
                        String text = line.substring(0, end);
                        line.setLength(0);
                        onLine(text);
                    } else {
                        line.append((char) (b & 0xff));
                    }
                }
                case BODY_LENGTH, CHUNK_DATA -> {
                    int take = (int) Math.min(remaining, length - i);
                    keep(buffer, i, take);
                    i += take;
                    remaining -= take;
                    if (remaining == 0) {
                        state = state == State.BODY_LENGTH ? State.DONE : State.CHUNK_END;
                    }
                }
                case BODY_UNTIL_CLOSE -> {
                    keep(buffer, i, length - i);
                    i = length;
                }
                case DONE -> throw new IllegalStateException("unreachable");
            }
            if (truncated) {
                state = State.DONE;
            }
        }
        return state == State.DONE;
    }

    /** The peer closed the connection: complete when the body was delimited by the close. */
    boolean closed() {
        if (state == State.BODY_UNTIL_CLOSE) {
            state = State.DONE;
        }
        return state == State.DONE;
    }

    boolean started() {
        return headerBytes > 0;
    }

    int status() {
        return status;
    }

    /** Whether the connection may carry another request after this response. */
    boolean reusable() {
        return state == State.DONE
                && !truncated
                && !connectionClose
                && !http10
                && (chunked || remaining == 0 || noBody || status == 204 || status == 304);
    }

    String location() {
        return location;
    }

    /** The version the status line named: HTTP/1.0 or HTTP/1.1. */
    String version() {
        return http10 ? "HTTP/1.0" : "HTTP/1.1";
    }

    /** The Content-Length header's value, or -1 when there was none. */
    long contentLength() {
        return contentLength;
    }

    /** Bytes of body read (those past {@code maxBodyBytes} that arrived in the same read included). */
    long bodyBytes() {
        return bodyBytes;
    }

    /** Whether the body went on past {@code maxBodyBytes}, so that {@link #body()} is only its beginning. */
    boolean truncated() {
        return truncated;
    }

    /** The headers of the final response (trailers of a chunked body not included), in the order they came. */
    List<Header> headers() {
        return headers;
    }

    /** The values of header {@code name} (any case), in order; empty when it is absent. */
    List<String> header(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return headers.stream()
                .filter(header -> header.name().equals(lower))
                .map(Header::value)
                .toList();
    }

    String body() {
        return body.toString(StandardCharsets.UTF_8);
    }

    private void onLine(String text) {
        switch (state) {
            case STATUS -> {
                if (!text.startsWith("HTTP/1.")
                        || text.length() < 12
                        || text.charAt(8) != ' '
                        || (text.length() > 12 && text.charAt(12) != ' ')) {
                    throw new ProtocolException("not an HTTP/1.x status line: " + printable(text));
                }
                http10 = text.startsWith("HTTP/1.0");
                headers.clear(); // an interim response's headers are not the final one's
                try {
                    status = Integer.parseInt(text.substring(9, 12));
                } catch (NumberFormatException e) {
                    throw new ProtocolException("bad status code in: " + printable(text));
                }
                if (status < 100 || status > 599) {
                    throw new ProtocolException("status code out of range in: " + printable(text));
                }
                state = State.HEADERS;
            }
            case HEADERS -> {
                if (text.isEmpty()) {
                    if (status / 100 == 1) {
                        state = State.STATUS; // an interim 100 Continue: the real response follows
                    } else {
                        startBody();
                    }
                    return;
                }
                int colon = text.indexOf(':');
                if (colon <= 0) {
                    throw new ProtocolException("malformed header line: " + printable(text));
                }
                String name = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = text.substring(colon + 1).trim();
                headers.add(new Header(name, value));
                switch (name) {
                    case "content-length" -> {
                        try {
                            remaining = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            throw new ProtocolException("bad Content-Length: " + printable(value));
                        }
                        if (remaining < 0) {
                            throw new ProtocolException("negative Content-Length");
                        }
                        contentLength = remaining;
                    }
                    case "transfer-encoding" ->
                        chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                    case "connection" -> connectionClose = value.equalsIgnoreCase("close");
                    case "location" -> location = value;
                    default -> {}
                }
            }
            case CHUNK_SIZE -> {
                int semicolon = text.indexOf(';');
                String hex = (semicolon < 0 ? text : text.substring(0, semicolon)).trim();
                try {
                    remaining = Long.parseLong(hex, 16);
                } catch (NumberFormatException e) {
                    throw new ProtocolException("bad chunk size: " + printable(hex));
                }
                if (remaining < 0 || hex.startsWith("+")) {
                    throw new ProtocolException("bad chunk size: " + printable(hex));
                }
                state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
            }
            case CHUNK_END -> {
                if (!text.isEmpty()) {
                    throw new ProtocolException("chunk not followed by CRLF");
                }
                state = State.CHUNK_SIZE;
            }
            case TRAILERS -> {
                if (text.isEmpty()) {
                    state = State.DONE;
                }
            }
            default -> throw new IllegalStateException("no lines in state " + state);
        }
    }

    private void startBody() {
        if (noBody || status == 204 || status == 304) {
            state = State.DONE;
        } else if (chunked) {
            state = State.CHUNK_SIZE;
        } else if (remaining >= 0) {
            state = remaining == 0 ? State.DONE : State.BODY_LENGTH;
        } else {
            state = State.BODY_UNTIL_CLOSE;
        }
        if (maxBodyBytes == 0 && state != State.DONE) {
            truncated = true;
            state = State.DONE;
        }
    }

    private void keep(Buffer buffer, int from, int count) {
        bodyBytes += count;
        int room = maxBodyBytes - body.size();
        int kept = Math.min(room, count);
        body.write(buffer.getBytes(from, from + kept), 0, kept);
        if (kept < count) {
            truncated = true;
        }
    }

    private static String printable(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    static final class ProtocolException extends RuntimeException {
        ProtocolException(String message) {
            super(message);
        }
    }
}
