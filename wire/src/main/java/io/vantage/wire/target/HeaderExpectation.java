package io.vantage.wire.target;

import io.vantage.wire.Checks;
import java.util.regex.Pattern;

/**
 * A check of one response header, as blackbox_exporter's {@code fail_if_header_matches} and {@code
 * fail_if_header_not_matches} make it: some value of header {@code name} must match {@code regex} (RE2), or, with
 * {@code mustNotMatch}, none may. A missing header fails the check unless {@code allowMissing}.
 */
public record HeaderExpectation(String name, String regex, Boolean mustNotMatch, Boolean allowMissing) {
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    public HeaderExpectation {
        Checks.required("name", name);
        if (!HEADER_NAME.matcher(name).matches()) {
            throw Checks.invalid("name", "'" + Checks.visible(name) + "' is not a valid header name");
        }
        Checks.re2("regex", Checks.required("regex", regex));
        mustNotMatch = mustNotMatch != null && mustNotMatch;
        allowMissing = allowMissing != null && allowMissing;
    }
}
