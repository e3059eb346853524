package io.vantage.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Golden-file contracts for what users build on: the shape of a Prometheus exposition (each vantage family's TYPE,
 * HELP and label names, values left out) and of a JSON document (field names and value types, arrays by the union of
 * their elements). A change to either fails the test with the difference; when it is intended, regenerate the files
 * with {@code ./mvnw -o -B test -Dtest='*ContractTest' -Dvantage.contract.update=true} and review the diff.
 */
public final class Contract {
    public static final String UPDATE = "vantage.contract.update";

    private Contract() {}

    /** One line per vantage family (HELP and TYPE) and per distinct set of label names of its series, sorted. */
    public static String metricsShape(String exposition) {
        Map<String, TreeSet<String>> families = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# HELP vantage_") || line.startsWith("# TYPE vantage_")) {
                String[] parts = line.split(" ", 4);
                families.computeIfAbsent(parts[2], f -> new TreeSet<>()).add(parts[1] + " " + parts[3]);
            } else if (line.startsWith("vantage_")) {
                int brace = line.indexOf('{');
                int space = line.indexOf(' ');
                String series = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
                TreeSet<String> labels = new TreeSet<>();
                if (brace >= 0 && brace < space) {
                    String inside = line.substring(brace + 1, line.lastIndexOf('}'));
                    for (String pair : inside.split(",(?=[a-zA-Z_]+=\")")) {
                        labels.add(pair.substring(0, pair.indexOf('=')));
                    }
                }
                String family = families.keySet().stream()
                        .filter(series::startsWith)
                        .reduce((a, b) -> a.length() >= b.length() ? a : b)
                        .orElse(series);
                families.computeIfAbsent(family, f -> new TreeSet<>()).add("series " + series + labels);
            }
        }
        StringBuilder shape = new StringBuilder();
        families.forEach((family, lines) -> {
            shape.append(family).append('\n');
            lines.forEach(line -> shape.append("  ").append(line).append('\n'));
        });
        return shape.toString();
    }

    /** Each field path with its JSON type, sorted; array elements under "[]". */
    public static String jsonShape(JsonNode document) {
        TreeSet<String> paths = new TreeSet<>();
        walk(document, "$", paths);
        return String.join("\n", paths) + "\n";
    }

    private static void walk(JsonNode node, String path, TreeSet<String> paths) {
        paths.add(path + ": " + node.getNodeType().name().toLowerCase(Locale.ROOT));
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                walk(field.getValue(), path + "." + field.getKey(), paths);
            }
        } else if (node.isArray()) {
            node.forEach(element -> walk(element, path + "[]", paths));
        }
    }

    /** The actual shape equals the golden file's (or, with -Dvantage.contract.update=true, becomes it). */
    public static void assertMatches(Path golden, String actual) {
        try {
            if (Boolean.getBoolean(UPDATE)) {
                Files.createDirectories(golden.getParent());
                Files.writeString(golden, actual);
                return;
            }
            assertThat(Files.exists(golden))
                    .as("golden file %s (create it with -D%s=true)", golden, UPDATE)
                    .isTrue();
            assertThat(actual)
                    .as(
                            "the contract in %s changed; if on purpose, regenerate with -D%s=true and review the diff",
                            golden, UPDATE)
                    .isEqualTo(Files.readString(golden));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
