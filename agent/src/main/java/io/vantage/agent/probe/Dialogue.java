package io.vantage.agent.probe;

import com.google.re2j.Matcher;
import io.vantage.agent.check.Checks;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.QueryStep;
import io.vantage.wire.target.TlsClientSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A {@code queryResponse} dialogue on a connected socket, run as blackbox_exporter's tcp prober runs it: for each step,
 * with {@code expect}, lines are read (a line ends at a newline, a carriage return before it dropped; the bytes left
 * when the peer closes are the last line) until one matches, else the probe fails once the peer closes; then {@code
 * send} is written with a newline, {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}} replaced by the groups of
 * that match ({@code $$}: a dollar sign; an unknown group: nothing, as Go's {@code Regexp.Expand}); then {@code
 * startTls} upgrades the connection, forgetting bytes read but not yet consumed. Records {@link
 * Fact#FAILED_DUE_TO_REGEX}. Used from the socket's event loop only.
 */
final class Dialogue {
    /** The longest line read, as Go's {@code bufio.Scanner}. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final Dialer dialer;
    private final Checks checks;
    private final Attempt attempt;
    private final NetSocket socket;
    private final String serverName;
    private final TlsClientSpec tls;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private boolean closed;
    private Throwable error;
    private boolean answered;
    private Runnable waiting;

    private Dialogue(
            Dialer dialer, Checks checks, Attempt attempt, NetSocket socket, String serverName, TlsClientSpec tls) {
        this.dialer = dialer;
        this.checks = checks;
        this.attempt = attempt;
        this.socket = socket;
        this.serverName = serverName;
        this.tls = tls;
    }

    /**
     * Runs {@code steps} on {@code socket}; {@code serverName} and {@code tls} verify the server if a step starts TLS.
     * Succeeds the attempt when every step has, fails it at the first step that does not.
     */
    static Future<ProbeResult> run(
            Dialer dialer,
            Checks checks,
            Attempt attempt,
            NetSocket socket,
            List<QueryStep> steps,
            String serverName,
            TlsClientSpec tls) {
        attempt.fact(Fact.FAILED_DUE_TO_REGEX, 0);
        if (steps.isEmpty()) {
            return Future.succeededFuture(attempt.succeed());
        }
        Dialogue dialogue = new Dialogue(dialer, checks, attempt, socket, serverName, tls);
        attempt.enter(Phase.WAIT);
        socket.handler(dialogue::received);
        socket.exceptionHandler(failure -> {
            dialogue.error = failure;
            dialogue.wake();
        });
        socket.closeHandler(done -> {
            dialogue.closed = true;
            if (dialogue.partial.size() > 0) {
                dialogue.lines.add(dialogue.partial.toString(StandardCharsets.UTF_8));
                dialogue.partial.reset();
            }
            dialogue.wake();
        });
        return dialogue.step(steps, 0);
    }

    private Future<ProbeResult> step(List<QueryStep> steps, int index) {
        if (index == steps.size()) {
            return Future.succeededFuture(attempt.succeed());
        }
        QueryStep step = steps.get(index);
        Future<Matcher> expected = step.expect() == null ? Future.succeededFuture(null) : expect(step.expect());
        return expected.compose(
                match -> {
                    if (step.expect() != null && match == null) {
                        attempt.fact(Fact.FAILED_DUE_TO_REGEX, 1);
                        attempt.explain(() -> "no line matched /" + step.expect() + "/ before the connection closed");
                        return Future.succeededFuture(attempt.fail(
                                FailureReason.BODY_MISMATCH,
                                "step " + (index + 1) + ": no line matched /" + step.expect()
                                        + "/ before the connection closed"));
                    }
                    Future<Void> sent = Future.succeededFuture();
                    if (step.send() != null) {
                        String line = match == null ? step.send() : expand(step.send(), match);
                        attempt.explain(() -> "sending '" + Checks.abbreviate(line) + "'");
                        sent = socket.write(Buffer.buffer(line + "\n", "UTF-8"));
                    }
                    if (step.startTls()) {
                        sent = sent.compose(written -> startTls());
                    }
                    return sent.compose(done -> step(steps, index + 1));
                },
                failure -> failure instanceof LineTooLong
                        ? Future.succeededFuture(attempt.fail(
                                FailureReason.PROTOCOL,
                                "step " + (index + 1) + ": a line of the answer exceeds " + MAX_LINE_BYTES + " bytes"))
                        : Future.failedFuture(failure));
    }

    /** A line longer than {@link #MAX_LINE_BYTES}: the answer is not the line-based protocol expected. */
    private static final class LineTooLong extends RuntimeException {
        LineTooLong() {
            super("line too long", null, false, false);
        }
    }

    private Future<Void> startTls() {
        attempt.explain(() -> "starting TLS as " + serverName);
        lines.clear();
        partial.reset();
        return dialer.secure(attempt, socket, serverName, tls.caFile(), tls.insecureSkipVerify())
                .map(leaf -> {
                    attempt.enter(answered ? Phase.BODY : Phase.WAIT);
                    return null;
                });
    }

    /** The match of the first line that matches {@code regex}; null when the peer closes before one does. */
    private Future<Matcher> expect(String regex) {
        Promise<Matcher> promise = Promise.promise();
        Runnable look = new Runnable() {
            @Override
            public void run() {
                if (error != null) {
                    promise.tryFail(error);
                    return;
                }
                while (!lines.isEmpty()) {
                    String line = lines.poll();
                    Matcher match = checks.match(regex, line);
                    attempt.explain(() -> "read '" + Checks.abbreviate(line) + "'"
                            + (match == null ? "" : ", which matches /" + regex + "/"));
                    if (match != null) {
                        attempt.fact(Fact.FAILED_DUE_TO_REGEX, 0);
                        waiting = null;
                        promise.tryComplete(match);
                        return;
                    }
                }
                if (closed) {
                    waiting = null;
                    promise.tryComplete(null);
                } else {
                    waiting = this;
                }
            }
        };
        look.run();
        return promise.future();
    }

    private void received(Buffer buffer) {
        if (!answered) {
            answered = true;
            attempt.enter(Phase.BODY);
        }
        for (int i = 0; i < buffer.length(); i++) {
            byte b = buffer.getByte(i);
            if (b == '\n') {
                byte[] bytes = partial.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                lines.add(new String(bytes, 0, end, StandardCharsets.UTF_8));
                partial.reset();
            } else if (partial.size() >= MAX_LINE_BYTES) {
                error = new LineTooLong();
                break;
            } else {
                partial.write(b);
            }
        }
        wake();
    }

    private void wake() {
        Runnable next = waiting;
        if (next != null && !attempt.finished()) {
            next.run();
        }
    }

    /** {@code template} with {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}} and {@code $$} expanded. */
    static String expand(String template, Matcher match) {
        StringBuilder out = new StringBuilder(template.length());
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '$' || i + 1 == template.length()) {
                out.append(c);
                i++;
                continue;
            }
            if (template.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            String name;
            int end;
            if (template.charAt(i + 1) == '{') {
                int close = template.indexOf('}', i + 2);
                name = close < 0 ? "" : template.substring(i + 2, close);
                end = close + 1;
            } else {
                end = i + 1;
                while (end < template.length()
                        && (Character.isLetterOrDigit(template.charAt(end)) || template.charAt(end) == '_')) {
                    end++;
                }
                name = template.substring(i + 1, end);
            }
            if (name.isEmpty() || !name.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
                // Not a reference, as Go reads it: the dollar sign stays.
                out.append(c);
                i++;
                continue;
            }
            out.append(group(match, name));
            i = end;
        }
        return out.toString();
    }

    private static String group(Matcher match, String name) {
        String value;
        try {
            value = name.chars().allMatch(Character::isDigit)
                    ? (Integer.parseInt(name) <= match.groupCount() ? match.group(Integer.parseInt(name)) : null)
                    : match.group(name);
        } catch (IllegalArgumentException e) {
            value = null; // no group of that name
        }
        return value == null ? "" : value;
    }
}
