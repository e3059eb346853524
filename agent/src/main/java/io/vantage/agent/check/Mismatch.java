package io.vantage.agent.check;

import io.vantage.wire.report.FailureReason;

/** Why an answer fails its check: the reason the result reports, and a message for people. */
public record Mismatch(FailureReason reason, String message) {}
