package io.vantage.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link AgentYaml} and {@link AggregatorYaml} share: sections in the order given, targets, the YAML text. */
abstract class ConfigYaml<B extends ConfigYaml<B>> {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    final Map<String, Object> document = new LinkedHashMap<>();
    private final List<Object> targets = new ArrayList<>();

    abstract B self();

    /** A top-level section as the config file writes it ({@code "route53", Map.of("reconcileEvery", "1m")}). */
    public B section(String key, Object value) {
        document.put(key, value);
        return self();
    }

    public B target(Target target) {
        targets.add(target.document());
        document.putIfAbsent("targets", targets);
        return self();
    }

    /** The config file's text. */
    public String yaml() {
        try {
            return YAML.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the config to {@code file} and returns it. */
    public Path write(Path file) {
        try {
            return Files.writeString(file, yaml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> nested(String key) {
        return (Map<String, Object>) document.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
    }

    @SuppressWarnings("unchecked")
    List<Object> list(Map<String, Object> map, String key) {
        return (List<Object>) map.computeIfAbsent(key, k -> new ArrayList<>());
    }
}
