package io.vantage.agent.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.vantage.wire.Documents;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.target.BodyAssertion;
import io.vantage.wire.target.DnsSpec;
import io.vantage.wire.target.HeaderExpectation;
import io.vantage.wire.target.HttpSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The validators every probe's answer goes through; each returns null when the answer satisfies its check, else the
 * {@link Mismatch}. Pure but for the compiled-pattern cache (RE2, by pattern text; bounded by the targets' distinct
 * patterns, cleared if it ever grows past {@value #MAX_CACHED_PATTERNS}). One instance per probe loop: not thread-safe.
 */
public final class Checks {
    private static final int MAX_CACHED_PATTERNS = 10_000;
    private final Map<String, Pattern> patterns = new HashMap<>();

    /** The status must be in {@code expectStatus}. */
    public Mismatch status(HttpSpec spec, int status) {
        return spec.statusExpected(status)
                ? null
                : new Mismatch(FailureReason.HTTP_STATUS, "status " + status + " is not in " + spec.expectStatus());
    }

    /** The body must satisfy the assertion (contains, regex or JSON pointer). */
    public Mismatch body(BodyAssertion assertion, String body) {
        String why = bodyMismatch(assertion, body);
        return why == null ? null : new Mismatch(FailureReason.BODY_MISMATCH, why);
    }

    /**
     * Each expectation must hold for the response's headers ({@code values}: a header's values by name, in any case),
     * as blackbox_exporter's {@code fail_if_header_matches} / {@code fail_if_header_not_matches} judge them: a missing
     * header fails unless {@code allowMissing}; otherwise some value must match, or with {@code mustNotMatch} none.
     */
    public Mismatch headers(List<HeaderExpectation> expectations, Function<String, List<String>> values) {
        for (HeaderExpectation expected : expectations) {
            List<String> found = values.apply(expected.name());
            if (found.isEmpty()) {
                if (expected.allowMissing()) {
                    continue;
                }
                return new Mismatch(FailureReason.BODY_MISMATCH, "header " + expected.name() + " is missing");
            }
            Pattern pattern = pattern(expected.regex());
            boolean anyMatches =
                    found.stream().anyMatch(value -> pattern.matcher(value).find());
            if (anyMatches == expected.mustNotMatch()) {
                return new Mismatch(
                        FailureReason.BODY_MISMATCH,
                        "header " + expected.name() + ": '" + abbreviate(Checks.printable(found.get(0))) + "'"
                                + (found.size() > 1 ? " (and " + (found.size() - 1) + " more values)" : "")
                                + (expected.mustNotMatch() ? " matches /" : " does not match /") + expected.regex()
                                + "/");
            }
        }
        return null;
    }

    /** Every pattern of {@code expect} must match somewhere in the body, and none of {@code reject}. */
    public Mismatch bodyRegexes(List<String> expect, List<String> reject, String body) {
        for (String regex : reject) {
            if (pattern(regex).matcher(body).find()) {
                return new Mismatch(FailureReason.BODY_MISMATCH, "body matches /" + regex + "/ (rejectBodyRegex)");
            }
        }
        for (String regex : expect) {
            if (!pattern(regex).matcher(body).find()) {
                return new Mismatch(
                        FailureReason.BODY_MISMATCH, "body does not match /" + regex + "/ (expectBodyRegex)");
            }
        }
        return null;
    }

    /** The first match of {@code regex} in {@code line}, its groups readable; null when it does not match. */
    public Matcher match(String regex, String line) {
        Matcher matcher = pattern(regex).matcher(line);
        return matcher.find() ? matcher : null;
    }

    /** The whole attempt must have taken no longer than {@code maxLatency} (none: no limit). */
    public Mismatch latency(Duration maxLatency, long elapsedNanos) {
        if (maxLatency == null || elapsedNanos <= maxLatency.toNanos()) {
            return null;
        }
        return new Mismatch(
                FailureReason.TOO_SLOW,
                "answered in " + elapsedNanos / 1_000_000 + "ms, over maxLatency " + maxLatency.toMillis() + "ms");
    }

    /**
     * The records must number at least {@code minCount}, one must contain {@code contains} and one match {@code regex}
     * (each when set). {@code question} ("A app.example.com") opens the message.
     */
    public Mismatch answers(DnsSpec.Answer expected, String question, List<String> answers) {
        String why = null;
        if (answers.size() < expected.minCount()) {
            why = answers.size() + " records, expected at least " + expected.minCount();
        } else if (expected.contains() != null && answers.stream().noneMatch(a -> a.contains(expected.contains()))) {
            why = "no record contains '" + expected.contains() + "' in " + preview(answers);
        } else if (expected.regex() != null) {
            Pattern pattern = pattern(expected.regex());
            if (answers.stream().noneMatch(a -> pattern.matcher(a).find())) {
                why = "no record matches /" + expected.regex() + "/ in " + preview(answers);
            }
        }
        return why == null ? null : new Mismatch(FailureReason.BODY_MISMATCH, question + ": " + why);
    }

    /**
     * One section of a DNS response ({@code records}: each record's full text) against its checks, as
     * blackbox_exporter's validRRs judges them: no record may match a {@code failIfMatches} pattern, every record must
     * match every {@code failIfNotMatches} and {@code failIfAllMatch} pattern (the latter, as blackbox_exporter
     * implements it despite its name, passes with no records), and some record must match a {@code failIfNoneMatches}
     * pattern; a section without records fails {@code failIfNotMatches} and {@code failIfNoneMatches}.
     */
    public Mismatch section(String section, DnsSpec.Section rules, String question, List<String> records) {
        String why = sectionMismatch(rules, records);
        return why == null ? null : new Mismatch(FailureReason.BODY_MISMATCH, question + ": " + section + " " + why);
    }

    private String sectionMismatch(DnsSpec.Section rules, List<String> records) {
        if (records.isEmpty() && !rules.failIfNotMatches().isEmpty()) {
            return "has no records to match failIfNotMatches /"
                    + rules.failIfNotMatches().get(0) + "/";
        }
        if (records.isEmpty() && !rules.failIfNoneMatches().isEmpty()) {
            return "has no records to match failIfNoneMatches " + rules.failIfNoneMatches();
        }
        for (String regex : rules.failIfMatches()) {
            Pattern pattern = pattern(regex);
            for (String record : records) {
                if (pattern.matcher(record).find()) {
                    return "record '" + record + "' matches failIfMatches /" + regex + "/";
                }
            }
        }
        for (String regex : rules.failIfNotMatches()) {
            Pattern pattern = pattern(regex);
            for (String record : records) {
                if (!pattern.matcher(record).find()) {
                    return "record '" + record + "' does not match failIfNotMatches /" + regex + "/";
                }
            }
        }
        for (String regex : rules.failIfAllMatch()) {
            Pattern pattern = pattern(regex);
            for (String record : records) {
                if (!pattern.matcher(record).find()) {
                    return "record '" + record + "' does not match failIfAllMatch /" + regex + "/";
                }
            }
        }
        if (!rules.failIfNoneMatches().isEmpty()
                && records.stream()
                        .noneMatch(record -> rules.failIfNoneMatches().stream()
                                .anyMatch(
                                        regex -> pattern(regex).matcher(record).find()))) {
            return "has no record matching failIfNoneMatches " + rules.failIfNoneMatches() + " in " + preview(records);
        }
        return null;
    }

    private String bodyMismatch(BodyAssertion assertion, String body) {
        if (assertion.contains() != null) {
            return body.contains(assertion.contains()) ? null : "body does not contain '" + assertion.contains() + "'";
        }
        if (assertion.regex() != null) {
            return pattern(assertion.regex()).matcher(body).find()
                    ? null
                    : "body does not match /" + assertion.regex() + "/";
        }
        BodyAssertion.JsonPointerAssertion pointer = assertion.jsonPointer();
        JsonNode root;
        try {
            root = Documents.json().readTree(body);
        } catch (IOException e) {
            return "body is not JSON, so " + pointer.path() + " cannot be read";
        }
        JsonNode node = root == null ? null : root.at(pointer.path());
        if (node == null || node.isMissingNode()) {
            return "JSON body has nothing at " + pointer.path();
        }
        String actual = node.isValueNode() ? node.asText() : node.toString();
        return actual.equals(pointer.equals())
                ? null
                : "JSON " + pointer.path() + " is '" + abbreviate(actual) + "', expected '" + pointer.equals() + "'";
    }

    /** The compiled pattern (the config checked its syntax when it loaded). */
    private Pattern pattern(String regex) {
        if (patterns.size() > MAX_CACHED_PATTERNS) {
            patterns.clear();
        }
        return patterns.computeIfAbsent(regex, Pattern::compile);
    }

    private static String preview(List<String> answers) {
        List<String> shown = answers.subList(0, Math.min(5, answers.size()));
        return shown + (answers.size() > shown.size() ? " and " + (answers.size() - shown.size()) + " more" : "");
    }

    /** {@code text} with anything but printable ASCII shown as ?. */
    static String printable(String text) {
        return text.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** At most 40 characters of {@code text}, marked when cut. */
    public static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
