package io.vantage.runtime;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when the config file's content changes (polled, so it also sees Kubernetes ConfigMap
 * symlink swaps, which file-system events miss) or when the process receives SIGHUP.
 */
public final class ConfigWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    private final Vertx vertx;
    private final Path file;
    private final Consumer<String> onChange;
    private byte[] lastDigest;
    private long timer = -1;

    /** {@code onChange} receives why a reload was triggered, on the caller's context. */
    public ConfigWatcher(Vertx vertx, Path file, Consumer<String> onChange) {
        this.vertx = vertx;
        this.file = file;
        this.onChange = onChange;
        this.lastDigest = digest();
    }

    public void start(long pollMillis) {
        Context context = vertx.getOrCreateContext();
        timer = vertx.setPeriodic(
                pollMillis,
                tick -> vertx.executeBlocking(this::digest, false).onSuccess(digest -> {
                    if (digest != null && !Arrays.equals(digest, lastDigest)) {
                        lastDigest = digest;
                        onChange.accept("file " + file + " changed");
                    }
                }));
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(
                    new sun.misc.Signal("HUP"),
                    signal -> context.runOnContext(
                            v -> vertx.executeBlocking(this::digest, false).onComplete(digest -> {
                                lastDigest = digest.result();
                                onChange.accept("SIGHUP");
                            })));
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                // The JVM keeps a signal ignored when its parent ignored it (nohup does): say so rather than ignore
                // kill -HUP silently.
                LOG.warn(
                        "SIGHUP is ignored by this process (started under nohup?): kill -HUP will not reload; edits to {} are "
                                + "picked up within {} ms",
                        file,
                        pollMillis);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP reload is not available on this platform: {}", e.getMessage());
        }
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * Streams the file through SHA-256 in 64 KiB reads. Not {@code Files.readAllBytes}: NIO reads through a temporary
     * direct buffer as large as the request and keeps it cached on the reading thread, so polling a 1.5 MB config
     * from the worker pool left 1.5 MB off-heap on every worker thread (measured: 38 MiB at 10,000 targets).
     */
    private byte[] digest() {
        try (InputStream in = new FileInputStream(file.toFile())) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[64 * 1024];
            for (int n; (n = in.read(chunk)) > 0; ) {
                sha.update(chunk, 0, n);
            }
            return sha.digest();
        } catch (IOException e) {
            return null; // mid-replace or removed: keep the config in force, try again next poll
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
