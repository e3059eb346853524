package io.vantage.agent.exporter;

import io.vantage.wire.Documents;
import io.vantage.wire.InvalidDocumentException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every module {@code /probe} offers, by name in order: the {@code probe.modules} of the agent's file, then those of {@code
 * probe.modulesFile} (a blackbox_exporter module file, read as it is by {@link BlackboxModules}), with what that file
 * asked for and did not get ({@code refused}: modules left out; {@code notes}: options taken with a difference).
 */
public record ProbeModules(Map<String, Module> modules, List<String> refused, List<String> notes) {
    public static final ProbeModules NONE = new ProbeModules(Map.of(), List.of(), List.of());

    public ProbeModules {
        modules = Collections.unmodifiableMap(new TreeMap<>(modules));
        refused = List.copyOf(refused);
        notes = List.copyOf(notes);
    }

    /**
     * The modules of {@code config}, its module file read now (a relative path from {@code baseDirectory}, the agent
     * file's directory); an {@link InvalidDocumentException} names {@code probe.modulesFile} and the file's problem, or a
     * module defined in both places.
     */
    public static ProbeModules load(ProbeConfig config, Path baseDirectory) {
        Map<String, Module> modules = new LinkedHashMap<>(config.built());
        if (config.modulesFile() == null) {
            return new ProbeModules(modules, List.of(), List.of());
        }
        Path file = baseDirectory.resolve(config.modulesFile());
        BlackboxModules.Loaded loaded;
        try {
            loaded = BlackboxModules.read(Documents.readFile(file));
        } catch (InvalidDocumentException e) {
            throw new InvalidDocumentException("probe.modulesFile: " + file + ": " + e.getMessage(), e);
        }
        for (Module module : loaded.modules()) {
            if (modules.putIfAbsent(module.name(), module) != null) {
                throw new InvalidDocumentException("probe.modulesFile: " + file + ": module " + module.name()
                        + " is also defined in probe.modules; rename one of them");
            }
        }
        return new ProbeModules(modules, loaded.refused(), loaded.notes());
    }
}
