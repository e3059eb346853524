package io.vantage.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Waits until a JVM's JIT compiler has settled, so that a measured window prices the probe path and not its
 * compilation. A fixed warm-up is not enough on a busy machine: beside a CPU hog the compiler threads get half a core
 * and the agent's CPU per probe was still 25 % above its settled value after 15,000 probes (docs/benchmarks.md).
 * Settled means the compiler used at most {@link #SETTLED_SHARE} of the process's CPU over a {@link #SLICE_SECONDS}
 * slice, read with {@code jstat -compiler} (the JDK's own counters; the process needs its perf data, on by default).
 */
final class JitWarmup {
    static final int SLICE_SECONDS = 15;
    static final double SETTLED_SHARE = 0.02;
    static final int MAX_SECONDS = 600;

    private JitWarmup() {}

    /**
     * Blocks until the JVM {@code pid} has settled or {@link #MAX_SECONDS} have passed since {@code startedNanos}, and
     * says which: for example {@code "settled after 105 s"}.
     */
    static String settle(long pid, long startedNanos) throws IOException, InterruptedException {
        double compile0 = compileSeconds(pid);
        double cpu0 = ProcessStats.cpuSeconds(pid);
        while (true) {
            Thread.sleep(SLICE_SECONDS * 1000L);
            double compile1 = compileSeconds(pid);
            double cpu1 = ProcessStats.cpuSeconds(pid);
            long elapsed = Math.round((System.nanoTime() - startedNanos) / 1e9);
            if (compile1 - compile0 <= SETTLED_SHARE * (cpu1 - cpu0)) {
                return String.format(Locale.ROOT, "settled after %d s", elapsed);
            }
            if (elapsed >= MAX_SECONDS) {
                return String.format(
                        Locale.ROOT,
                        "NOT settled after %d s (JIT %.0f %% of CPU)",
                        elapsed,
                        100 * (compile1 - compile0) / (cpu1 - cpu0));
            }
            compile0 = compile1;
            cpu0 = cpu1;
        }
    }

    /**
     * A tool of the JDK that runs process {@code pid} (its {@code java}'s sibling, e.g. {@code jstat}, {@code jcmd}): a
     * JVM's counters and attach protocol are read by its own JDK's tools.
     */
    static String jdkTool(long pid, String tool) throws IOException {
        Path java = Path.of("/proc/" + pid + "/exe").toRealPath();
        Path sibling = java.resolveSibling(tool);
        return Files.isExecutable(sibling)
                ? sibling.toString()
                : Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }

    /** Seconds the JVM's JIT compilers have spent so far (the Time column of {@code jstat -compiler}). */
    static double compileSeconds(long pid) throws IOException, InterruptedException {
        Process jstat = new ProcessBuilder(jdkTool(pid, "jstat"), "-compiler", String.valueOf(pid))
                .redirectErrorStream(true)
                .start();
        String output = new String(jstat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String[] lines = output.split("\n");
        if (jstat.waitFor() != 0 || lines.length < 2 || !lines[0].trim().startsWith("Compiled")) {
            throw new IOException("jstat -compiler " + pid + " failed: " + output);
        }
        return Double.parseDouble(lines[1].trim().split("\\s+")[3]);
    }
}
