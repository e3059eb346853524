package io.vantage.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The metrics tables of docs/operations.md ("Metrics", one table per process) against the code: every family in the
 * metric contract a process is held to (src/test/resources/contract, checked against a running process by
 * AgentEndpointsTest and ContractTest) has a row listing its labels, and every row names a metric the process's sources
 * (its module and runtime) name. Not checked: the meaning column; the labels of families the contract has no series
 * for (the contracts are taken from one running scenario, so families that appear only with aggregators, AWS, drills
 * or observed names are absent from them) and of rows naming several families.
 */
class MetricsReferenceTest {
    private static final Path DOC = Path.of("..", "docs", "operations.md");
    private static final Pattern NAME = Pattern.compile("`(vantage_[a-z_]+)`");
    private static final Pattern SERIES = Pattern.compile("^\\s+series \\w+\\[(.*)]$");

    private static final Pattern LITERAL = Pattern.compile("\"(vantage[._][a-z._]+)\"");

    @ParameterizedTest
    @CsvSource({
        "Agent, ../agent/src/test/resources/contract/agent-metrics.txt, ../agent/src/main/java",
        "Aggregator, src/test/resources/contract/aggregator-metrics.txt, src/main/java"
    })
    void theTableListsTheFamiliesTheProcessWrites(String section, String contract, String sources) throws IOException {
        Map<String, TreeSet<String>> written = families(Path.of(contract));
        Set<String> named = named(Path.of(sources), Path.of("..", "runtime", "src", "main", "java"));
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> rows = rows(section);
        for (String family : written.keySet()) {
            if (!rows.containsKey(family)) {
                problems.add("docs/operations.md, ### " + section + ": add a row for `" + family + "` (labels "
                        + String.join(", ", written.get(family)) + ")");
            }
        }
        rows.forEach((family, labels) -> {
            if (!written.containsKey(family) && !named.contains(family)) {
                problems.add("docs/operations.md, ### " + section + ": `" + family + "` is named nowhere in the "
                        + section.toLowerCase() + "'s sources: remove or rename its row");
            } else if (written.containsKey(family)
                    && labels != null
                    && !written.get(family).isEmpty()
                    && !new TreeSet<>(labels).equals(written.get(family))) {
                problems.add("docs/operations.md, ### " + section + ": `" + family + "` has labels "
                        + String.join(", ", written.get(family)) + ", the row says " + String.join(", ", labels));
            }
        });
        assertThat(problems).as("docs/operations.md against %s", contract).isEmpty();
    }

    /**
     * The metric names string literals in these source trees make, as Prometheus writes them: Micrometer's dotted
     * names with underscores, and counters' {@code _total} and timers' {@code _seconds} added.
     */
    private static Set<String> named(Path... trees) throws IOException {
        Set<String> names = new TreeSet<>();
        for (Path tree : trees) {
            try (Stream<Path> files = Files.walk(tree)) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                    Matcher literal = LITERAL.matcher(Files.readString(file));
                    while (literal.find()) {
                        String name = literal.group(1).replace('.', '_');
                        names.addAll(List.of(name, name + "_total", name + "_seconds"));
                    }
                }
            }
        }
        return names;
    }

    /** Each family of a contract file with the label names of its series ({@code le} left out); histograms' _max too. */
    private static Map<String, TreeSet<String>> families(Path contract) throws IOException {
        Map<String, TreeSet<String>> families = new LinkedHashMap<>();
        String current = null;
        for (String line : Files.readAllLines(contract)) {
            if (line.startsWith("vantage_")) {
                current = line.trim();
                families.put(current, new TreeSet<>());
                continue;
            }
            Matcher series = SERIES.matcher(line);
            if (series.matches() && current != null && !series.group(1).isBlank()) {
                Arrays.stream(series.group(1).split(",\\s*"))
                        .filter(label -> !label.equals("le"))
                        .forEach(families.get(current)::add);
            }
        }
        // Micrometer writes a _max gauge beside each timer; the doc's row for the timer stands for both.
        families.keySet().removeIf(name -> name.endsWith("_max") && families.containsKey(name.replaceAll("_max$", "")));
        return families;
    }

    /**
     * The rows of the table under "### SECTION" in the Metrics part: each family named in the first column, with the
     * labels of the second when the row names one family alone (null otherwise).
     */
    private static Map<String, List<String>> rows(String section) throws IOException {
        String doc = Files.readString(DOC);
        int metrics = doc.indexOf("\n## Metrics\n");
        int start = doc.indexOf("\n### " + section + "\n", metrics);
        assertThat(metrics).as("docs/operations.md has a ## Metrics section").isPositive();
        assertThat(start)
                .as("docs/operations.md ## Metrics has ### %s", section)
                .isPositive();
        int end = doc.indexOf("\n#", start + 1);
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : doc.substring(start, end < 0 ? doc.length() : end).split("\n")) {
            if (!line.startsWith("| `vantage_")) {
                continue;
            }
            String[] cells = line.split("\\|");
            List<String> names =
                    NAME.matcher(cells[1]).results().map(m -> m.group(1)).collect(Collectors.toList());
            List<String> labels = names.size() == 1
                    ? Arrays.stream(cells[2].split(","))
                            .map(String::trim)
                            .filter(label -> !label.isEmpty())
                            .collect(Collectors.toList())
                    : null;
            names.forEach(name -> rows.put(name, labels));
        }
        return rows;
    }
}
