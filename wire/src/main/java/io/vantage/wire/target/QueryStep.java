package io.vantage.wire.target;

import io.vantage.wire.Checks;

/**
 * One step of a TCP dialogue, run as blackbox_exporter's {@code query_response} runs it, in this order: with {@code
 * expect}, lines are read until one matches the RE2 pattern (the connection closing first fails the probe); then
 * {@code send} is written followed by a newline, {@code $1} / {@code ${name}} in it replaced by the groups of the line
 * {@code expect} matched; then, with {@code startTls}, the connection is upgraded to TLS. A step with none of them does
 * nothing, as in blackbox_exporter.
 */
public record QueryStep(String expect, String send, Boolean startTls) {
    public QueryStep {
        if (expect != null) {
            Checks.re2("expect", expect);
        }
        startTls = startTls != null && startTls;
    }
}
