package io.vantage.aggregator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vantage.agent.Instance;
import io.vantage.agent.config.AgentConfig;
import io.vantage.agent.config.ConfigLoader;
import io.vantage.aggregator.AggregatorCommand;
import io.vantage.wire.Documents;
import io.vantage.wire.Durations;
import io.vantage.wire.InvalidDocumentException;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/configuration.md says what the code does. The keys each file accepts are derived from the config records as
 * {@code Documents.readYaml} reads them (every record component is a key, recursively through records, lists and maps
 * of records; neither loader accepts any key by hand), and compared with the rows of the page's key tables: every key
 * needs exactly one row, in the section of its file ("## The agent's file", "## The aggregator's file", or "## Targets
 * (both files)" for {@code targets}); every row must name a key that exists; its type column must be the component's
 * type. Defaults are checked against a minimal file of each kind (below), which sets every optional record with only
 * its required keys: a default written as a lone literal ({@code `10s`}, optionally followed by a note in parentheses)
 * or {@code none} must be what that file loads to without the key; {@code required} must make the file refused, naming
 * the key, when the key is taken out. The environment variables read by the programs' main code
 * ({@code System.getenv("...")}, and the agent loader's and {@code Instance}'s constants) must each be in "##
 * Environment variables", and every option of every aggregator command in that command's row of the flags table.
 *
 * <p>Not checked: defaults written in words (computed from other keys, the environment or the machine, such as
 * {@code agent.id}, {@code agent.probeLoops} or {@code targets[].quorum.freshness}, and the mapping rows); {@code none}
 * on one of keys of which exactly one is set ({@code tokenFile}/{@code tokenEnv}, {@code http}/{@code tcp}/...), and
 * a default of a key whose absence makes another key fail first ({@code targets}, which a drill names); the values and
 * meaning columns; the agent's flags (its command line is read by hand, not by picocli); the token variables a file
 * names.
 */
class ConfigurationReferenceTest {
    private static final Path DOC = Path.of("../docs/configuration.md");
    private static final String DOC_NAME = "docs/configuration.md";
    private static final String AGENT_SECTION = "## The agent's file";
    private static final String AGGREGATOR_SECTION = "## The aggregator's file";
    private static final String TARGETS_SECTION = "## Targets (both files)";
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern LITERAL_DEFAULT = Pattern.compile("`([^`]*)`( \\(.*\\))?");

    /** Every target kind, every optional record set with only its required keys, so that each default can be read. */
    private static final String TARGETS = """
            targets:
              - name: http-target
                http: {url: 'http://127.0.0.1:1/', expectBody: {contains: ok}}
                route53: {hostedZoneId: Z1, recordName: api.example.com, recordType: A, setIdentifier: one}
              - name: json-target
                http: {url: 'http://127.0.0.1:1/', expectBody: {jsonPointer: {path: /status, equals: UP}},
                       expectHeaders: [{name: X, regex: x}]}
              - name: tcp-target
                tcp: {host: 127.0.0.1, port: 1, queryResponse: [{expect: x}]}
              - name: tls-target
                tls: {host: 127.0.0.1, port: 1, queryResponse: [{expect: x}]}
              - name: dns-target
                dns: {name: example.com, validate: {answer: {}, authority: {}, additional: {}}}
              - name: grpc-target
                grpc: {host: 127.0.0.1, port: 1}
            """;

    private static final String AGENT_FILE = """
            agent:
              aggregators:
                - {url: 'http://127.0.0.1:1', tokenEnv: UNUSED}
            server:
              readToken: {tokenEnv: UNUSED}
            probe:
              modules:
                m: {tcp: {}}
            otlp:
              endpoint: 'http://127.0.0.1:1/v1/metrics'
              headers: {X-Scope-OrgID: {value: tenant}}
            """ + TARGETS;

    private static final String AGGREGATOR_FILE = """
            agents:
              - {id: a, region: r1, tokenEnv: UNUSED_A}
              - {id: b, region: r2, tokenEnv: UNUSED_B}
            server:
              tls: {certFile: cert.pem, keyFile: key.pem}
              readToken: {tokenEnv: UNUSED}
            observe:
              - {name: api.example.com}
            drills:
              - {target: http-target, until: '2026-01-01T00:00:00Z'}
            otlp:
              endpoint: 'http://127.0.0.1:1/v1/metrics'
              headers: {X-Scope-OrgID: {value: tenant}}
            """ + TARGETS;

    /** One row of a key table. {@code scope}: the section's heading. */
    record Row(int line, String scope, String key, String type, String defaultValue) {}

    /** One file's keys: its records, its section and its minimal file. */
    record Scope(String name, String section, Class<?> root, String minimalFile, String fixture) {}

    private static final List<Scope> SCOPES = List.of(
            new Scope("the agent's file", AGENT_SECTION, AgentConfig.class, AGENT_FILE, "AGENT_FILE"),
            new Scope(
                    "the aggregator's file",
                    AGGREGATOR_SECTION,
                    AggregatorConfig.class,
                    AGGREGATOR_FILE,
                    "AGGREGATOR_FILE"));

    @Test
    void everyKeyHasOneRowAndEveryRowAKey() throws IOException {
        List<Row> rows = rows(Files.readAllLines(DOC));
        List<String> problems = new ArrayList<>(tableProblems);
        for (Scope scope : SCOPES) {
            Map<String, Type> keys = keys(scope.root());
            Map<String, Row> documented = new LinkedHashMap<>();
            for (Row row : rows) {
                if (!inScope(row, scope)) {
                    continue;
                }
                Row first = documented.putIfAbsent(row.key(), row);
                if (first != null) {
                    problems.add(DOC_NAME + ":" + row.line() + ": `" + row.key()
                            + "` is documented twice (first at line " + first.line() + "): remove line " + row.line());
                }
                boolean targetKey = row.key().equals("targets") || row.key().startsWith("targets[]");
                if (targetKey != row.scope().equals(TARGETS_SECTION)) {
                    problems.add(DOC_NAME + ":" + row.line() + ": `" + row.key() + "` belongs under \""
                            + (targetKey ? TARGETS_SECTION : scope.section()) + "\": move line " + row.line());
                }
                Type type = keys.get(row.key());
                if (type == null) {
                    problems.add(DOC_NAME + ":" + row.line() + ": `" + row.key() + "` is not a key of " + scope.name()
                            + " (" + scope.root().getSimpleName() + "): remove line " + row.line()
                            + " or correct the key");
                } else if (!typeName(type).equals(row.type())) {
                    problems.add(DOC_NAME + ":" + row.line() + ": `" + row.key() + "` is " + typeName(type) + ", not "
                            + row.type() + ": change its type column to `" + typeName(type) + "`");
                }
            }
            keys.forEach((key, type) -> {
                if (!documented.containsKey(key)) {
                    boolean targetKey = key.equals("targets") || key.startsWith("targets[]");
                    problems.add(DOC_NAME + ": " + scope.name() + " has key `" + key + "` with no row: add under \""
                            + (targetKey ? TARGETS_SECTION : scope.section()) + "\" the line\n    | `" + key + "` | "
                            + typeName(type) + " | DEFAULT | VALUES | MEANING |");
                }
            });
        }
        assertThat(rows).as("key rows in " + DOC_NAME).hasSizeGreaterThan(100);
        report(problems);
    }

    @Test
    void documentedDefaultsAreWhatAMinimalFileLoadsTo() throws IOException {
        List<Row> rows = rows(Files.readAllLines(DOC));
        List<String> problems = new ArrayList<>();
        int compared = 0;
        for (Scope scope : SCOPES) {
            Object loaded = Documents.readYaml(scope.minimalFile(), scope.root());
            Set<String> given = new TreeSet<>();
            givenKeys(YAML.readTree(scope.minimalFile()), "", given);
            for (Row row : rows) {
                if (!inScope(row, scope)) {
                    continue;
                }
                boolean none = row.defaultValue().equals("none");
                Matcher literal = LITERAL_DEFAULT.matcher(row.defaultValue());
                if (!none && !literal.matches()) {
                    continue; // a default in words
                }
                Object from = loaded;
                if (given.contains(row.key())) { // read the default from the minimal file without the key
                    try {
                        from = Documents.readYaml(without(scope.minimalFile(), row.key()), scope.root());
                    } catch (InvalidDocumentException e) {
                        if (!names(e.getMessage(), row.key())
                                || (none && e.getMessage().contains("exactly one"))) {
                            // Refused for another key that needs this one (a drill needs its target), or one of
                            // keys of which exactly one is set (tokenFile or tokenEnv; http, tcp, tls or dns).
                            continue;
                        }
                        problems.add(DOC_NAME + ":" + row.line() + ": `" + row.key() + "` has no default: "
                                + scope.name() + " is refused without it (" + e.getMessage()
                                + "): change its default column to "
                                + (e.getMessage().contains("exactly one") ? "none" : "required"));
                        continue;
                    }
                }
                List<Object> values;
                try {
                    values = values(from, List.of(row.key().split("\\.")));
                } catch (ReflectiveOperationException | IllegalArgumentException e) {
                    continue; // not a key: everyKeyHasOneRowAndEveryRowAKey says so
                }
                if (values.isEmpty()) {
                    problems.add(missingHolder(scope, row));
                    continue;
                }
                compared++;
                for (Object value : values) {
                    boolean same = none ? isNone(value) : matches(value, literal.group(1));
                    if (!same) {
                        problems.add(DOC_NAME + ":" + row.line() + ": `" + row.key() + "` defaults to `"
                                + render(value) + "` in " + scope.name() + ", not " + row.defaultValue()
                                + ": change its default column to `" + render(value) + "`");
                        break;
                    }
                }
            }
        }
        assertThat(compared).as("defaults compared").isGreaterThan(60);
        report(problems);
    }

    @Test
    void requiredKeysAreRefusedWhenAbsent() throws IOException {
        List<Row> rows = rows(Files.readAllLines(DOC));
        List<String> problems = new ArrayList<>();
        int tried = 0;
        for (Scope scope : SCOPES) {
            Set<String> given = new TreeSet<>();
            givenKeys(YAML.readTree(scope.minimalFile()), "", given);
            for (Row row : rows) {
                if (!inScope(row, scope) || !row.defaultValue().equals("required")) {
                    continue;
                }
                if (!given.contains(row.key())) {
                    boolean holderThere;
                    try {
                        holderThere = !values(
                                        Documents.readYaml(scope.minimalFile(), scope.root()),
                                        List.of(row.key().split("\\.")))
                                .isEmpty();
                    } catch (ReflectiveOperationException | IllegalArgumentException e) {
                        continue; // not a key: everyKeyHasOneRowAndEveryRowAKey says so
                    }
                    problems.add(
                            holderThere
                                    ? DOC_NAME + ":" + row.line() + ": `" + row.key()
                                            + "` is not required: this test's " + scope.fixture()
                                            + " loads without it; write its default in the default column"
                                    : missingHolder(scope, row));
                    continue;
                }
                tried++;
                try {
                    Documents.readYaml(without(scope.minimalFile(), row.key()), scope.root());
                    problems.add(DOC_NAME + ":" + row.line() + ": `" + row.key() + "` is not required: " + scope.name()
                            + " loads without it; write its default in the default column");
                } catch (InvalidDocumentException e) {
                    if (!names(e.getMessage(), row.key())) {
                        problems.add(DOC_NAME + ":" + row.line() + ": without `" + row.key() + "`, " + scope.name()
                                + " is refused for another reason (" + e.getMessage() + "); is it required?");
                    }
                }
            }
        }
        assertThat(tried).as("required keys tried").isGreaterThan(20);
        report(problems);
    }

    @Test
    void everyEnvironmentVariableIsDocumented() throws IOException {
        String section = section(Files.readString(DOC), "## Environment variables");
        Set<String> variables = new TreeSet<>(Set.of(ConfigLoader.ENV_AGENT_ID, ConfigLoader.ENV_REGION, Instance.ENV));
        Pattern getenv = Pattern.compile("System\\.getenv\\(\"([^\"]+)\"\\)");
        for (String module : List.of("agent", "aggregator", "runtime", "wire")) {
            try (Stream<Path> files = Files.walk(Path.of("..", module, "src", "main", "java"))) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher matcher = getenv.matcher(Files.readString(file));
                    while (matcher.find()) {
                        variables.add(matcher.group(1));
                    }
                }
            }
        }
        assertThat(variables).contains("VANTAGE_LOG_LEVEL", "HOSTNAME");
        List<String> problems = variables.stream()
                .filter(variable -> !section.contains("`" + variable + "`"))
                .map(variable -> DOC_NAME + ": the code reads environment variable " + variable + ": add a row for `"
                        + variable + "` under \"## Environment variables\"")
                .toList();
        report(problems);
    }

    @Test
    void everyAggregatorOptionIsInItsCommandsRow() throws IOException {
        String section = section(Files.readString(DOC), "## Command-line flags");
        String aggregator = section.substring(section.indexOf("### Aggregator"));
        Map<String, String> rowByCommand = new LinkedHashMap<>();
        for (String line : aggregator.split("\n")) {
            Matcher command = Pattern.compile("^\\| `([^`]+)` \\|").matcher(line);
            if (command.find()) {
                String name = command.group(1).startsWith("vantage-aggregator")
                        ? ""
                        : command.group(1).split(" ")[0];
                rowByCommand.put(name, line);
            }
        }
        List<String> problems = new ArrayList<>();
        CommandSpec root = new CommandLine(new AggregatorCommand()).getCommandSpec();
        List<CommandSpec> commands = new ArrayList<>(List.of(root));
        root.subcommands().values().forEach(sub -> commands.add(sub.getCommandSpec()));
        for (CommandSpec command : commands) {
            String name = command == root ? "" : command.name();
            String shown = command == root ? "vantage-aggregator --config FILE" : name;
            String row = rowByCommand.get(name);
            if (row == null) {
                problems.add(
                        DOC_NAME + ": no row for `" + shown + "` under \"## Command-line flags\" / \"### Aggregator\":"
                                + " add | `" + shown + "` | FLAGS |");
                continue;
            }
            for (OptionSpec option : command.options()) {
                if (option.usageHelp() || option.versionHelp()) {
                    continue;
                }
                for (String flag : option.names()) {
                    if (!row.contains("`" + flag) && !row.contains(" " + flag)) {
                        problems.add(DOC_NAME + ": `" + shown + "` takes " + flag + ": add it to that command's row");
                    }
                }
            }
        }
        report(problems);
    }

    // ---- the page

    private final List<String> tableProblems = new ArrayList<>();

    /** The rows of every table headed "| key |", each with the "## " section it is in. */
    private List<Row> rows(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        String section = null;
        boolean inTable = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int number = i + 1;
            if (line.startsWith("## ")) {
                section = line.strip();
            }
            if (line.startsWith("| key |")) {
                inTable = true;
                if (!List.of(AGENT_SECTION, AGGREGATOR_SECTION, TARGETS_SECTION).contains(section)) {
                    tableProblems.add(DOC_NAME + ":" + number + ": a key table under \"" + section
                            + "\", which names no file: move it under \"" + AGENT_SECTION + "\", \""
                            + AGGREGATOR_SECTION
                            + "\" or \"" + TARGETS_SECTION + "\"");
                }
                continue;
            }
            if (!inTable || !line.startsWith("|")) {
                inTable = false;
                continue;
            }
            if (line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|", -1);
            if (cells.length != 7) {
                tableProblems.add(DOC_NAME + ":" + number + ": a key row needs five cells (key, type, default, values,"
                        + " meaning); this one has " + (cells.length - 2));
                continue;
            }
            String key = cells[1].strip();
            if (!key.matches("`[^`]+`")) {
                tableProblems.add(DOC_NAME + ":" + number + ": the key cell must be one key in backticks, not " + key);
                continue;
            }
            if (cells[3].isBlank() || cells[5].isBlank()) {
                tableProblems.add(DOC_NAME + ":" + number + ": `" + key + "` needs a default and a meaning");
            }
            rows.add(new Row(number, section, key.substring(1, key.length() - 1), cells[2].strip(), cells[3].strip()));
        }
        return rows;
    }

    /** What to do when a minimal file has nothing that holds {@code row}'s key. */
    private static String missingHolder(Scope scope, Row row) {
        return "ConfigurationReferenceTest's " + scope.fixture() + " has nothing that holds `" + row.key() + "` ("
                + DOC_NAME + ":" + row.line() + "), so it cannot be checked: add its parent, with only its required"
                + " keys, to " + (row.scope().equals(TARGETS_SECTION) ? "TARGETS" : scope.fixture());
    }

    /** Whether {@code row} documents a key of {@code scope}'s file. */
    private static boolean inScope(Row row, Scope scope) {
        return row.scope().equals(scope.section()) || row.scope().equals(TARGETS_SECTION);
    }

    private static String section(String doc, String heading) {
        int start = doc.indexOf("\n" + heading + "\n");
        assertThat(start).as(heading + " in " + DOC_NAME).isNotNegative();
        int end = doc.indexOf("\n## ", start + heading.length() + 1);
        return end < 0 ? doc.substring(start) : doc.substring(start, end);
    }

    private static void report(List<String> problems) {
        Set<String> distinct = new LinkedHashSet<>(problems); // a targets row is checked for both files
        if (!distinct.isEmpty()) {
            fail(distinct.size() + " difference(s) between " + DOC_NAME + " and the code:\n"
                    + String.join("\n", distinct));
        }
    }

    // ---- the code's keys

    /** Every key of {@code root}'s file, in component order, with its Java type. */
    static Map<String, Type> keys(Class<?> root) {
        Map<String, Type> keys = new LinkedHashMap<>();
        walk(root, "", keys, new LinkedHashSet<>());
        return keys;
    }

    private static void walk(Class<?> record, String prefix, Map<String, Type> keys, Set<Class<?>> enclosing) {
        if (!enclosing.add(record)) {
            throw new IllegalStateException(record + " contains itself: give its keys a notation in this test");
        }
        for (RecordComponent component : record.getRecordComponents()) {
            refuseRenames(record, component);
            String key = prefix.isEmpty() ? component.getName() : prefix + "." + component.getName();
            Type type = component.getGenericType();
            keys.put(key, type);
            if (type instanceof Class<?> nested && nested.isRecord()) {
                walk(nested, key, keys, enclosing);
            } else if (type instanceof ParameterizedType parameterized) {
                Type[] arguments = parameterized.getActualTypeArguments();
                Class<?> raw = (Class<?>) parameterized.getRawType();
                Type element = arguments[arguments.length - 1];
                if (element instanceof Class<?> nested && nested.isRecord()) {
                    walk(nested, key + (List.class.isAssignableFrom(raw) ? "[]" : ".<name>"), keys, enclosing);
                }
            }
        }
        enclosing.remove(record);
    }

    /**
     * Documents.readYaml checks keys against component names, so a Jackson rename or alias would break both it and
     * this test: refused here with what to do.
     */
    private static void refuseRenames(Class<?> record, RecordComponent component) {
        List<Class<? extends Annotation>> renames =
                List.of(JsonProperty.class, JsonAlias.class, JsonIgnore.class, JsonUnwrapped.class);
        Field field;
        try {
            field = record.getDeclaredField(component.getName());
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
        for (Class<? extends Annotation> rename : renames) {
            if (component.getAccessor().isAnnotationPresent(rename) || field.isAnnotationPresent(rename)) {
                fail(record.getSimpleName() + "." + component.getName() + " has @" + rename.getSimpleName()
                        + ": Documents.unknownKeys and ConfigurationReferenceTest.keys take keys from component"
                        + " names; teach both the new name");
            }
        }
    }

    /** The type column's word for a component's type. */
    static String typeName(Type type) {
        if (type instanceof ParameterizedType parameterized) {
            Class<?> raw = (Class<?>) parameterized.getRawType();
            Type[] arguments = parameterized.getActualTypeArguments();
            String element = typeName(arguments[arguments.length - 1]);
            String plural = element.equals("mapping") ? "mappings" : element;
            if (List.class.isAssignableFrom(raw)) {
                return "list of " + plural;
            }
            if (Map.class.isAssignableFrom(raw)) {
                return "map of " + plural;
            }
        }
        if (type instanceof Class<?> c) {
            if (c == String.class || c.isEnum()) {
                return "text";
            }
            if (c == Integer.class || c == int.class) {
                return "integer";
            }
            if (c == Boolean.class || c == boolean.class) {
                return "boolean";
            }
            if (c == Duration.class) {
                return "duration";
            }
            if (c == URI.class) {
                return "URL";
            }
            if (c.isRecord() || JsonNode.class.isAssignableFrom(c)) {
                return "mapping"; // a JsonNode: a target's protocol object, as in a /probe module
            }
        }
        throw new IllegalStateException("no type word for " + type + ": add one to ConfigurationReferenceTest.typeName"
                + " and to \"How to read the tables\" in " + DOC_NAME);
    }

    // ---- defaults

    /** The keys a minimal file gives, in the page's notation. */
    private static void givenKeys(JsonNode node, String path, Set<String> given) {
        if (node.isArray()) {
            node.forEach(element -> givenKeys(element, path + "[]", given));
        } else if (node.isObject()) {
            node.fields().forEachRemaining(entry -> {
                String key = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
                given.add(key);
                givenKeys(entry.getValue(), key, given);
            });
        }
    }

    /** Whether an error message names {@code key} (its last part, as in "targets[2].tcp.port: ..."). */
    private static boolean names(String message, String key) {
        String name = key.substring(key.lastIndexOf('.') + 1).replace("[]", "");
        return Pattern.compile("(^|[.\\s])" + Pattern.quote(name) + "(\\[\\d+])?[:.\\s]")
                .matcher(message)
                .find();
    }

    /** {@code file} without {@code key} (in every list entry on the way). */
    private static String without(String file, String key) throws IOException {
        JsonNode tree = YAML.readTree(file);
        remove(tree, List.of(key.split("\\.")));
        return YAML.writeValueAsString(tree);
    }

    /** Removes the key at {@code path} from every list entry on the way. */
    private static void remove(JsonNode node, List<String> path) {
        String segment = path.get(0);
        String name = segment.replace("[]", "");
        if (node == null || !node.isObject()) {
            return;
        }
        if (path.size() == 1) {
            ((ObjectNode) node).remove(name);
            return;
        }
        JsonNode child = node.get(name);
        List<String> rest = path.subList(1, path.size());
        if (segment.endsWith("[]") && child != null) {
            child.forEach(element -> remove(element, rest));
        } else {
            remove(child, rest);
        }
    }

    /** The values of {@code path} in every list entry (and map value) whose records on the way are there. */
    private static List<Object> values(Object at, List<String> path) throws ReflectiveOperationException {
        if (path.isEmpty()) {
            return Collections.singletonList(at);
        }
        if (at == null) {
            return List.of();
        }
        String segment = path.get(0);
        List<String> rest = path.subList(1, path.size());
        if (segment.equals("<name>")) {
            List<Object> values = new ArrayList<>();
            for (Object value : ((Map<?, ?>) at).values()) {
                values.addAll(values(value, rest));
            }
            return values;
        }
        boolean list = segment.endsWith("[]");
        String name = list ? segment.substring(0, segment.length() - 2) : segment;
        RecordComponent component = Stream.of(at.getClass().getRecordComponents())
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name));
        Object value = component.getAccessor().invoke(at);
        if (!list) {
            return values(value, rest);
        }
        List<Object> values = new ArrayList<>();
        for (Object element : (List<?>) value) {
            values.addAll(values(element, rest));
        }
        return values;
    }

    private static boolean isNone(Object value) {
        return value == null;
    }

    private static boolean matches(Object value, String literal) {
        if (value == null || value.getClass().isRecord()) {
            return false;
        }
        if (value instanceof Duration duration) {
            try {
                return Durations.parse(literal).equals(duration);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return render(value).equals(literal);
    }

    /** A value as the page writes it. */
    private static String render(Object value) {
        if (value == null) {
            return "none";
        }
        if (value instanceof Duration duration) {
            return Durations.format(duration);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ConfigurationReferenceTest::render).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream()
                    .map(entry -> entry.getKey() + ": " + render(entry.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return value.toString();
    }
}
