package io.vantage.wire.target;

import io.vantage.wire.Checks;

/**
 * What the response body must show: exactly one of a substring, a regular expression, or a JSON pointer value.
 * Regular expressions are RE2 syntax (RE2/J): matching takes time linear in the body, whatever the pattern, so
 * there are no backreferences or lookarounds.
 */
public record BodyAssertion(String contains, String regex, JsonPointerAssertion jsonPointer) {
    public BodyAssertion {
        int set = (contains != null ? 1 : 0) + (regex != null ? 1 : 0) + (jsonPointer != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("set exactly one of contains, regex, jsonPointer");
        }
        if (regex != null) {
            Checks.re2("regex", regex);
        }
    }

    /** The JSON value at {@code path} (RFC 6901), rendered as text, must equal {@code equals}. */
    public record JsonPointerAssertion(String path, String equals) {
        public JsonPointerAssertion {
            Checks.required("path", path);
            Checks.required("equals", equals);
            if (!path.isEmpty() && !path.startsWith("/")) {
                throw Checks.invalid("path", "'" + path + "' is not a JSON pointer; it must start with '/'");
            }
        }
    }
}
