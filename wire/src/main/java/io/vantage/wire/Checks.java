package io.vantage.wire;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Validation helpers for the records' compact constructors. Each message starts with the key name
 * so that {@link Documents} can prefix the path of the enclosing object: {@code targets[0].timeout: ...}.
 */
public final class Checks {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private Checks() {}

    public static IllegalArgumentException invalid(String key, String problem) {
        return new IllegalArgumentException(key + ": " + problem);
    }

    public static <T> T required(String key, T value) {
        if (value == null) {
            throw invalid(key, "is required");
        }
        return value;
    }

    public static String name(String key, String value, int maxLength) {
        required(key, value);
        if (value.length() > maxLength || !NAME.matcher(value).matches()) {
            throw invalid(
                    key,
                    "'" + visible(value) + "' must be 1-" + maxLength
                            + " characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }

    /**
     * Refuses control characters (CR, LF, NUL, ...) in a value that is written onto the wire (a header line, an
     * SNI name): one would let a config, or an aggregator serving targets, inject protocol lines.
     */
    public static String noControlCharacters(String key, String value) {
        if (hasControlCharacter(value)) {
            throw invalid(key, "'" + visible(value) + "' contains a control character (shown as ?)");
        }
        return value;
    }

    public static boolean hasControlCharacter(String value) {
        return value != null && value.chars().anyMatch(Checks::isControl);
    }

    private static boolean isControl(int c) {
        return c < 0x20 || c == 0x7f;
    }

    /**
     * Text a probed server chose (a DNS answer, a value quoted from a response), fit to report: each control character
     * written as a visible escape ({@code \t}, {@code \n}, {@code \r}, else &#92;u and four hex digits), then cut to at most
     * {@code maxLength} characters, never inside an escape. A probe reports what it saw this way, so the wire's refusal
     * of control characters guards against a broken agent and never turns an odd answer into a failed probe.
     */
    public static String reportable(String text, int maxLength) {
        if (text.length() <= maxLength && !hasControlCharacter(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(maxLength);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escaped = switch (c) {
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> isControl(c) ? "\\u" + HexFormat.of().toHexDigits(c) : null;
            };
            if (out.length() + (escaped == null ? 1 : escaped.length()) > maxLength) {
                break;
            }
            if (escaped == null) {
                out.append(c);
            } else {
                out.append(escaped);
            }
        }
        return out.toString();
    }

    /** {@code value} with each control character replaced by '?', safe to print. */
    public static String visible(String value) {
        return value.replaceAll("\\p{Cntrl}", "?");
    }

    public static int range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid(key, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    public static Duration positive(String key, Duration value, Duration min, Duration max) {
        required(key, value);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw invalid(
                    key,
                    "must be between " + Durations.format(min) + " and " + Durations.format(max) + ", got "
                            + Durations.format(value));
        }
        return value;
    }

    /** A regular expression in RE2 syntax (linear-time matching: no backreferences or lookarounds), or an error naming it. */
    public static String re2(String key, String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw invalid(key, "'" + regex + "' is not a valid RE2 regular expression: " + e.getDescription());
        }
        return regex;
    }
}
