package io.vantage.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/** What a config reload changed, in words for its log line: the items added, removed and changed by name, and the settings. */
public final class ConfigDiff {
    /** Names listed per kind of change; the rest are counted. */
    static final int SHOWN = 10;

    private final List<String> parts = new ArrayList<>();

    /** Compares the named items (targets, agents) of {@code what}: added, removed, changed, by {@code name}. */
    public <T> ConfigDiff items(String what, List<T> before, List<T> after, Function<T, String> name) {
        Map<String, T> old = byName(before, name);
        Map<String, T> now = byName(after, name);
        List<String> added =
                now.keySet().stream().filter(n -> !old.containsKey(n)).toList();
        List<String> removed =
                old.keySet().stream().filter(n -> !now.containsKey(n)).toList();
        List<String> changed = now.keySet().stream()
                .filter(n -> old.containsKey(n) && !old.get(n).equals(now.get(n)))
                .toList();
        List<String> said = new ArrayList<>();
        if (!added.isEmpty()) {
            said.add("added " + names(added));
        }
        if (!removed.isEmpty()) {
            said.add("removed " + names(removed));
        }
        if (!changed.isEmpty()) {
            said.add("changed " + names(changed));
        }
        if (!said.isEmpty()) {
            parts.add(what + " " + String.join(", ", said));
        }
        return this;
    }

    /**
     * Compares the other settings of two config records: the components not in {@code itemized}, named with the
     * component inside them that changed where they are records too ({@code server.port}).
     */
    public ConfigDiff settings(Record before, Record after, Set<String> itemized) {
        List<String> changed = new ArrayList<>();
        for (RecordComponent component : before.getClass().getRecordComponents()) {
            if (itemized.contains(component.getName())) {
                continue;
            }
            Object old = value(component, before);
            Object now = value(component, after);
            if (Objects.equals(old, now)) {
                continue;
            }
            if (old instanceof Record oldRecord && now instanceof Record nowRecord) {
                for (RecordComponent inner : oldRecord.getClass().getRecordComponents()) {
                    if (!Objects.equals(value(inner, oldRecord), value(inner, nowRecord))) {
                        changed.add(component.getName() + "." + inner.getName());
                    }
                }
            } else {
                changed.add(component.getName());
            }
        }
        if (!changed.isEmpty()) {
            parts.add("settings changed " + String.join(", ", changed));
        }
        return this;
    }

    /** The changes, separated by "; ", or "nothing changed". */
    @Override
    public String toString() {
        return parts.isEmpty() ? "nothing changed" : String.join("; ", parts);
    }

    private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        Map<String, T> named = new LinkedHashMap<>();
        items.forEach(item -> named.put(name.apply(item), item));
        return named;
    }

    private static String names(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(SHOWN, names.size())))
                + (names.size() > SHOWN ? " and " + (names.size() - SHOWN) + " more" : "");
    }

    private static Object value(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of a config record", e);
        }
    }
}
