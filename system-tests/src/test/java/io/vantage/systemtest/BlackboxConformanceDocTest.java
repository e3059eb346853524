package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/blackbox-conformance.md's "Deliberate differences" table lists exactly the cases of {@link
 * BlackboxConformanceIT#DIFFERENCES}: the test's map is the one place they are decided, the doc says them to users.
 */
class BlackboxConformanceDocTest {
    static final String SECTION = "## Deliberate differences";

    @Test
    void theDocListsExactlyTheDeliberateDifferences() throws Exception {
        String doc = Files.readString(Repository.root().resolve("docs/blackbox-conformance.md"));
        int start = doc.indexOf(SECTION);
        assertThat(start)
                .as("docs/blackbox-conformance.md has a section '%s'", SECTION)
                .isNotNegative();
        int end = doc.indexOf("\n## ", start + SECTION.length());
        String section = doc.substring(start, end < 0 ? doc.length() : end);
        // Rows of the section's table: "| case | reason |", past the header and its rule.
        List<String> listed = new ArrayList<>();
        section.lines()
                .filter(line -> line.startsWith("| ") && !line.startsWith("| case ") && !line.startsWith("|---"))
                .forEach(line ->
                        listed.add(line.substring(2, line.indexOf(" |", 2)).trim()));
        assertThat(listed)
                .as("the cases in docs/blackbox-conformance.md's '%s' table", SECTION)
                .containsExactlyInAnyOrderElementsOf(BlackboxConformanceIT.DIFFERENCES.keySet());
    }
}
