package io.vantage.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which package of a source tree uses which, read from the sources' imports and fully qualified names (of
 * {@code io.vantage} packages), so that a test can refuse package cycles and uses of modules it must not depend on.
 */
public final class PackageGraph {
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\b((?:[a-z]\\w*\\.)+)[A-Z]");

    private final Map<String, Set<String>> uses = new TreeMap<>();
    private final Set<String> outside = new TreeSet<>();

    private PackageGraph() {}

    /** The graph of the packages under {@code sourceRoot} that start with {@code prefix}. */
    public static PackageGraph of(Path sourceRoot, String prefix) {
        PackageGraph graph = new PackageGraph();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher declared = PACKAGE.matcher(source);
                if (!declared.find()) {
                    continue;
                }
                String from = declared.group(1);
                Set<String> targets = graph.uses.computeIfAbsent(from, p -> new TreeSet<>());
                Matcher reference = REFERENCE.matcher(source.substring(declared.end()));
                while (reference.find()) {
                    String to =
                            reference.group(1).substring(0, reference.group(1).length() - 1);
                    if (to.startsWith("io.vantage.") && !to.equals(from)) {
                        targets.add(to);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        graph.uses.forEach((from, targets) -> targets.stream()
                .filter(to -> !graph.uses.containsKey(to))
                .forEach(to -> graph.outside.add(from + " -> " + to)));
        graph.uses.values().forEach(targets -> targets.retainAll(graph.uses.keySet()));
        graph.uses.keySet().removeIf(p -> !p.startsWith(prefix));
        return graph;
    }

    /** Uses of vantage packages outside this source tree (other modules), as "from -> to". */
    public Set<String> usesOutside() {
        return outside;
    }

    public Set<String> packages() {
        return uses.keySet();
    }

    /**
     * Each package's direct uses within this source tree, as "from -> to, to" with {@code prefix} left out (the root
     * package is "(root)"), one line per package, sorted: what a test compares with the documented edges.
     */
    public List<String> edges(String prefix) {
        List<String> lines = new ArrayList<>();
        uses.forEach((from, targets) -> lines.add(shortName(from, prefix) + " -> "
                + String.join(
                        ", ", targets.stream().map(t -> shortName(t, prefix)).toList())));
        return lines;
    }

    private static String shortName(String name, String prefix) {
        return name.equals(prefix) ? "(root)" : name.substring(prefix.length() + 1);
    }

    /** Every pair of packages that reach each other, as "a <-> b". */
    public List<String> cycles() {
        List<String> cycles = new ArrayList<>();
        for (String a : uses.keySet()) {
            for (String b : uses.get(a)) {
                if (a.compareTo(b) < 0 && reaches(b, a)) {
                    cycles.add(a + " <-> " + b);
                }
            }
        }
        return cycles;
    }

    private boolean reaches(String from, String to) {
        Set<String> seen = new TreeSet<>();
        List<String> next = new ArrayList<>(List.of(from));
        while (!next.isEmpty()) {
            String at = next.remove(next.size() - 1);
            if (at.equals(to)) {
                return true;
            }
            if (seen.add(at)) {
                next.addAll(uses.getOrDefault(at, Set.of()));
            }
        }
        return false;
    }
}
