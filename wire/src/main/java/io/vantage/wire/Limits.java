package io.vantage.wire;

import java.time.Duration;

/** Every size limit of the wire protocol, and the push cadence, in one place, so agent and aggregator cannot disagree. */
public final class Limits {
    /** Most results one {@code POST /v1/reports} may carry; an agent splits larger pushes. */
    public static final int MAX_RESULTS_PER_BATCH = 5_000;
    /** Largest accepted (decompressed) report body: a result is a few hundred bytes of JSON. */
    public static final int MAX_REPORT_BODY_BYTES = 4 * 1024 * 1024;
    /** Largest target list an agent will accept from an aggregator. */
    public static final int MAX_TARGETS_BODY_BYTES = 16 * 1024 * 1024;
    /** Longest target name: it becomes a CloudWatch dimension value (max 255) and part of an alarm name (max 255). */
    public static final int MAX_TARGET_NAME_LENGTH = 128;
    /** Longest agent id or region. */
    public static final int MAX_IDENTITY_LENGTH = 64;
    /** Deepest JSON nesting accepted in any document. */
    public static final int MAX_JSON_NESTING_DEPTH = 32;
    /** How often an agent pushes its new results unless its config says otherwise ({@code agent.pushInterval}). */
    public static final Duration DEFAULT_PUSH_INTERVAL = Duration.ofSeconds(1);
    /** Current wire version; it is also the path prefix {@code /v1/}. */
    public static final int WIRE_VERSION = 1;

    private Limits() {}
}
