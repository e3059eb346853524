package io.vantage.wire.target;

import io.vantage.wire.Checks;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Body of {@code GET /v1/targets}; also the {@code targets:} list of config files. Names are unique. */
public record TargetList(List<TargetSpec> targets) {
    public TargetList {
        targets = targets == null ? List.of() : List.copyOf(targets);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i) == null) {
                throw Checks.invalid("targets[" + i + "]", "is empty");
            }
            if (!names.add(targets.get(i).name())) {
                throw Checks.invalid(
                        "targets[" + i + "].name", "'" + targets.get(i).name() + "' is used by more than one target");
            }
        }
    }
}
