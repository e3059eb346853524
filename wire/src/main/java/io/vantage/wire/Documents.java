package io.vantage.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The one strict mapping between documents (YAML config, JSON wire bodies) and records. Unknown keys,
 * wrong types, trailing garbage and deep nesting are errors; every error names the path of the bad key.
 */
public final class Documents {
    /** Jackson's "Cannot coerce String value (\"five\") to `int` value (but might if ...)", for the value alone. */
    private static final Pattern COERCED = Pattern.compile("Cannot coerce \\w+ value \\(\"?(.*?)\"?\\) to");

    private static final ObjectMapper JSON = configure(JsonMapper.builder(jsonFactory()));
    /**
     * The largest YAML document read, in code points: SnakeYAML's default, 3 Mi, refused a config of about 35,000
     * targets (100,000 take about 9 MB).
     */
    static final int YAML_CODE_POINT_LIMIT = 64 * 1024 * 1024;

    private static final ObjectMapper YAML = configure(
            YAMLMapper.builder(YAMLFactory.builder().loaderOptions(yamlLimits()).build()));

    private Documents() {}

    private static LoaderOptions yamlLimits() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(YAML_CODE_POINT_LIMIT);
        return options;
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static <T> T readJson(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw new InvalidDocumentException("document is empty");
        }
        T value;
        try {
            value = JSON.readValue(body, type);
        } catch (IOException e) {
            throw new InvalidDocumentException(describe(e), e);
        }
        if (value == null) {
            throw new InvalidDocumentException("document is JSON null; expected an object");
        }
        return value;
    }

    public static <T> T readYaml(String text, Class<T> type) {
        if (text.isBlank()) {
            throw new InvalidDocumentException("document is empty");
        }
        try {
            if (text.indexOf('*') >= 0) {
                refuseAliases(text);
            }
            JsonNode tree = YAML.readTree(text);
            if (tree == null || tree.isNull() || tree.isMissingNode()) {
                throw new InvalidDocumentException("document is empty");
            }
            // Keys first: Jackson builds a record before it reports a misspelt key beside it, and the record's own
            // complaint ("set exactly one of tokenFile and tokenEnv") would hide the real mistake ("token").
            unknownKeys(tree, type, "");
            T value = YAML.readValue(YAML.treeAsTokens(tree), type);
            if (value == null) {
                throw new InvalidDocumentException("document is empty");
            }
            return value;
        } catch (IOException e) {
            throw new InvalidDocumentException(describe(e), e);
        }
    }

    /**
     * A record read from a tree already parsed (a module's template completed with its target): unknown keys refused
     * first, as in {@link #readYaml}, and every failure an {@link InvalidDocumentException} naming the key.
     */
    public static <T> T readTree(JsonNode tree, Class<T> type) {
        unknownKeys(tree, type, "");
        try {
            return JSON.treeToValue(tree, type);
        } catch (IOException e) {
            throw new InvalidDocumentException(describe(e), e);
        }
    }

    /**
     * Refuses YAML aliases ({@code *name}): the YAML reader hands an alias over as its name, which would then fail as
     * a strange type error far from the cause ("no String-argument constructor ... ('h')").
     */
    private static void refuseAliases(String text) throws IOException {
        try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(text)) {
            while (parser.nextToken() != null) {
                if (parser.isCurrentAlias()) {
                    throw new InvalidDocumentException(
                            "line " + parser.currentLocation().getLineNr()
                                    + ": YAML anchors and aliases (&" + parser.getText() + " / *" + parser.getText()
                                    + ") are not supported; write the value out where it is used");
                }
            }
        }
    }

    /** Refuses a key that no record component of {@code type} (or of the records inside it) is named for. */
    private static void unknownKeys(JsonNode node, Type type, String path) {
        if (type instanceof ParameterizedType parameterized) {
            Class<?> raw = (Class<?>) parameterized.getRawType();
            Type[] arguments = parameterized.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw) && node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    unknownKeys(node.get(i), arguments[0], path + "[" + i + "]");
                }
            } else if (Map.class.isAssignableFrom(raw) && node.isObject()) {
                node.fields()
                        .forEachRemaining(
                                entry -> unknownKeys(entry.getValue(), arguments[1], child(path, entry.getKey())));
            }
            return;
        }
        if (!(type instanceof Class<?> record) || !record.isRecord() || !node.isObject()) {
            return;
        }
        Map<String, RecordComponent> components = new TreeMap<>();
        for (RecordComponent component : record.getRecordComponents()) {
            components.put(component.getName(), component);
        }
        var fields = node.fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            RecordComponent component = components.get(entry.getKey());
            String at = child(path, entry.getKey());
            if (component == null) {
                throw new InvalidDocumentException(
                        at + ": unknown key; known keys here: " + String.join(", ", components.keySet()));
            }
            unknownKeys(entry.getValue(), component.getGenericType(), at);
        }
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * The text of a config file, or an error naming the file. Read with a {@link FileInputStream}, whose native buffer
     * is freed after the read, not {@code Files.readString}, whose temporary direct buffer (as large as the file)
     * stays cached on the reading thread.
     */
    public static String readFile(Path file) {
        try (InputStream in = new FileInputStream(file.toFile())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            throw new InvalidDocumentException(
                    Files.exists(file)
                            ? "cannot read config file " + file + ": " + e.getMessage()
                            : "config file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidDocumentException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    public static byte[] writeJson(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    private static JsonFactory jsonFactory() {
        var factory = new JsonFactory();
        factory.setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(Limits.MAX_JSON_NESTING_DEPTH)
                .maxStringLength(Limits.MAX_REPORT_BODY_BYTES)
                .build());
        return factory;
    }

    private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> M configure(B builder) {
        SimpleModule durations = new SimpleModule("vantage-durations");
        durations.addDeserializer(Duration.class, new DurationDeserializer());
        durations.addSerializer(Duration.class, new DurationSerializer());
        return builder.addModule(durations)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
    }

    /** "targets[0].http.url: problem" from whatever Jackson or a record constructor reported. */
    static String describe(IOException error) {
        if (error instanceof StreamConstraintsException) {
            return "document too deeply nested or too large: "
                    + firstLine(((JsonProcessingException) error).getOriginalMessage());
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamReadException syntax) {
                var location = syntax.getLocation();
                String where = location == null
                        ? ""
                        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
                return "malformed document" + where + ": " + syntaxProblem(syntax.getOriginalMessage());
            }
        }
        if (!(error instanceof JsonMappingException mapping)) {
            return "unreadable document: " + firstLine(error.getMessage());
        }
        String path = path(mapping.getPath());
        if (String.valueOf(mapping.getOriginalMessage()).startsWith("Trailing token")) {
            return "malformed document: unexpected content after the end of the document";
        }
        if (mapping instanceof UnrecognizedPropertyException unknown) {
            List<String> known = unknown.getKnownPropertyIds().stream()
                    .map(Object::toString)
                    .sorted()
                    .collect(Collectors.toList());
            return join(path, "unknown key; known keys here: " + String.join(", ", known));
        }
        if (mapping instanceof ValueInstantiationException) {
            Throwable cause = mapping.getCause();
            while (cause != null && !(cause instanceof IllegalArgumentException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            String message =
                    cause != null && cause.getMessage() != null ? cause.getMessage() : mapping.getOriginalMessage();
            return join(path, message);
        }
        if (mapping instanceof InvalidFormatException format) {
            String target = format.getTargetType() == null
                    ? "value"
                    : format.getTargetType().getSimpleName();
            return join(path, "'" + format.getValue() + "' is not a valid " + target.toLowerCase());
        }
        if (mapping instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
            if (String.valueOf(mapping.getOriginalMessage()).startsWith("Cannot map `null`")) {
                return join(path, "missing; it must be " + describeType(mismatched.getTargetType()));
            }
            Matcher coerced = COERCED.matcher(String.valueOf(mapping.getOriginalMessage()));
            if (coerced.find()) {
                return join(
                        path,
                        "expected " + describeType(mismatched.getTargetType()) + ", got '" + coerced.group(1) + "'");
            }
            return join(
                    path,
                    "expected " + describeType(mismatched.getTargetType()) + ": "
                            + firstLine(mapping.getOriginalMessage()));
        }
        Throwable cause = mapping.getCause();
        if (cause instanceof IllegalArgumentException) {
            return join(path, cause.getMessage());
        }
        return join(path, firstLine(mapping.getOriginalMessage()));
    }

    private static String describeType(Class<?> type) {
        if (type == List.class || type.isArray()) {
            return "a list";
        }
        if (type.isRecord() || Map.class.isAssignableFrom(type)) {
            return "a mapping";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return "a " + type.getSimpleName().toLowerCase();
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            } else if (reference.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            }
        }
        return path.toString();
    }

    private static String join(String path, String message) {
        if (path.isEmpty()) {
            return message;
        }
        // A record's own message starts with its key ("timeout: ...", "modules.http_2xx.timeout: ..."): nest it under
        // the
        // object's path.
        return path
                + (message.matches("^[A-Za-z][A-Za-z0-9]*(\\[\\d+])?(\\.[A-Za-z0-9_-]+)*: .*") ? "." : ": ")
                + message;
    }

    /** The YAML parser's explanation without its excerpt lines (" in 'reader', line 1..." and the caret). */
    private static String syntaxProblem(String message) {
        if (message == null) {
            return "unreadable";
        }
        return Arrays.stream(message.split("\n"))
                .filter(line -> !line.isBlank() && !line.startsWith(" ") && !line.startsWith("at [Source"))
                .limit(2)
                .collect(Collectors.joining("; "));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (!parser.currentToken().isScalarValue() || parser.currentToken().isNumeric()) {
                throw MismatchedInputException.from(
                        parser, Duration.class, "a duration must be text with a unit, such as 500ms, 10s or 1m");
            }
            try {
                return Durations.parse(parser.getText());
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(parser, e.getMessage(), e);
            }
        }
    }

    private static final class DurationSerializer extends JsonSerializer<Duration> {
        @Override
        public void serialize(Duration value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeString(Durations.format(value));
        }
    }
}
