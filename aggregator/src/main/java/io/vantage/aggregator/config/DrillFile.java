package io.vantage.aggregator.config;

import io.vantage.wire.Checks;
import io.vantage.wire.Documents;
import io.vantage.wire.Limits;
import io.vantage.wire.target.TargetSpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Starts and ends drills in an aggregator's config file, safely with other writers: under an exclusive lock on a lock
 * file beside the real file (through a ConfigMap-style symlink, the file it points to), the guard is checked on the
 * content read under that lock, and the new file is written beside the real one and renamed over it, so a reader never
 * sees half a file. The {@code drills:} list is rewritten whole: one entry per target (a new drill replaces the
 * target's old one), expired entries pruned, the file's line endings kept; the rest of the file is left as it was.
 */
public final class DrillFile {
    /**
     * Why a drill cannot be written. The message names the config file, for the command; {@link #reason()} does not,
     * for an answer over HTTP.
     */
    public static final class Refused extends Exception {
        /** What stood in the way: a target the config does not have, the drill rule, or the file itself. */
        public enum Kind {
            UNKNOWN_TARGET,
            RULE,
            FILE
        }

        private final Kind kind;
        private final String reason;

        Refused(Kind kind, String reason, String message) {
            super(message);
            this.kind = kind;
            this.reason = reason;
        }

        public Kind kind() {
            return kind;
        }

        /** The refusal without the config file's path (for the file's own failures, only that there was one). */
        public String reason() {
            return reason;
        }
    }

    /** How many target names a refusal for an unknown target lists. */
    static final int KNOWN_TARGETS_LISTED = 20;

    private DrillFile() {}

    /** Adds {@code drill} (replacing any drill of the same target); refused when no other target of its group is left. */
    public static void start(Path config, AggregatorConfig.Drill drill, Instant now) throws Refused {
        update(config, now, current -> {
            known(config, current, drill.target());
            // The guard on the locked content, every target taken as healthy: the command knows no verdicts, and each
            // aggregator checks the same rule on its own every round.
            Set<String> inDrill = new HashSet<>();
            current.drills().stream()
                    .filter(d -> d.activeAt(now.toEpochMilli()) && !d.target().equals(drill.target()))
                    .forEach(d -> inDrill.add(d.target()));
            String refusal = DrillPolicy.refusal(current, drill, inDrill, target -> true, now.toEpochMilli());
            if (refusal != null) {
                throw new Refused(
                        Refused.Kind.RULE, "refused: " + refusal, "refused: " + refusal + " (in " + config + ")");
            }
            List<AggregatorConfig.Drill> drills = kept(current, now, drill.target());
            drills.add(drill);
            return drills;
        });
    }

    /** Ends {@code target}'s drill now; refused when it has none running. */
    public static void end(Path config, String target, Instant now) throws Refused {
        update(config, now, current -> {
            known(config, current, target);
            boolean running = current.drills().stream()
                    .anyMatch(d -> d.target().equals(target) && d.activeAt(now.toEpochMilli()));
            if (!running) {
                String reason = "no drill of '" + target + "' is running";
                throw new Refused(Refused.Kind.RULE, reason, reason + " in " + config);
            }
            return kept(current, now, target);
        });
    }

    /** Refuses a target {@code current} does not have, naming the ones it has (the first {@value #KNOWN_TARGETS_LISTED}). */
    private static void known(Path config, AggregatorConfig current, String target) throws Refused {
        List<String> names = current.targets().stream().map(TargetSpec::name).toList();
        if (names.contains(target)) {
            return;
        }
        String shown = Checks.visible(
                target.length() > Limits.MAX_TARGET_NAME_LENGTH
                        ? target.substring(0, Limits.MAX_TARGET_NAME_LENGTH) + "..."
                        : target);
        String listed = String.join(", ", names.subList(0, Math.min(KNOWN_TARGETS_LISTED, names.size())))
                + (names.size() > KNOWN_TARGETS_LISTED
                        ? " and " + (names.size() - KNOWN_TARGETS_LISTED) + " more"
                        : "");
        String reason = "no target named '" + shown + "'; "
                + (names.isEmpty() ? "the config has no targets" : "the targets are " + listed);
        throw new Refused(Refused.Kind.UNKNOWN_TARGET, reason, reason + " (in " + config + ")");
    }

    private interface Change {
        List<AggregatorConfig.Drill> drills(AggregatorConfig current) throws Refused;
    }

    /** The drills still running, but {@code target}'s. */
    private static List<AggregatorConfig.Drill> kept(AggregatorConfig current, Instant now, String target) {
        List<AggregatorConfig.Drill> kept = new ArrayList<>();
        current.drills().stream()
                .filter(d -> d.activeAt(now.toEpochMilli()) && !d.target().equals(target))
                .forEach(kept::add);
        return kept;
    }

    private static void update(Path config, Instant now, Change change) throws Refused {
        Path real;
        try {
            real = config.toRealPath();
        } catch (IOException e) {
            throw failed("cannot read " + config + ": " + describe(e));
        }
        Path lock = real.resolveSibling("." + real.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            String text = Files.readString(real, StandardCharsets.UTF_8);
            AggregatorConfig current = Documents.readYaml(text, AggregatorConfig.class);
            String updated = withDrills(text, change.drills(current));
            Documents.readYaml(updated, AggregatorConfig.class); // what is written parses, or nothing is written
            Path temporary = Files.createTempFile(real.getParent(), "." + real.getFileName(), ".tmp");
            try {
                Files.writeString(temporary, updated, StandardCharsets.UTF_8);
                copyPermissions(real, temporary);
                try {
                    Files.move(temporary, real, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, real, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw failed("cannot write " + config + ": " + describe(e));
        } catch (RuntimeException e) {
            throw failed("cannot update the drills in " + config + ": " + e.getMessage());
        }
    }

    private static Refused failed(String message) {
        return new Refused(Refused.Kind.FILE, "the drill could not be written into the aggregator's config", message);
    }

    /** {@code text} with its top-level {@code drills:} block replaced by {@code drills} (at the end of the file). */
    static String withDrills(String text, List<AggregatorConfig.Drill> drills) {
        String newline = text.contains("\r\n") ? "\r\n" : "\n";
        String[] lines = text.split("\r?\n", -1);
        StringBuilder kept = new StringBuilder();
        boolean inDrills = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean topLevel = !line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("#");
            if (topLevel) {
                inDrills = line.startsWith("drills:");
            }
            boolean comment = line.startsWith("#"); // a comment at the margin is kept wherever it stands
            if ((!inDrills || comment) && !(i == lines.length - 1 && line.isEmpty())) {
                kept.append(line).append(newline);
            }
        }
        StringBuilder block = new StringBuilder(drills.isEmpty() ? "drills: []" + newline : "drills:" + newline);
        for (AggregatorConfig.Drill drill : drills) {
            block.append("  - {target: ")
                    .append(drill.target())
                    .append(", until: '")
                    .append(drill.until())
                    .append("', by: '")
                    .append(drill.by().replace("'", "''"))
                    .append("'}")
                    .append(newline);
        }
        return kept.append(block).toString();
    }

    private static void copyPermissions(Path from, Path to) {
        try {
            Optional.ofNullable(Files.getPosixFilePermissions(from)).ifPresent(permissions -> {
                try {
                    Files.setPosixFilePermissions(to, permissions);
                } catch (IOException | UnsupportedOperationException e) {
                    // Best effort: the temporary file's own permissions stand.
                }
            });
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to copy.
        }
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file (" + e.getMessage() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
