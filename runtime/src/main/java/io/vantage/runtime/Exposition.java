package io.vantage.runtime;

/**
 * Series written straight in Prometheus' text format (0.0.4), for families with a series per target: registering a
 * meter per target and label costs seconds and megabytes at tens of thousands of targets, writing the lines from the
 * values at scrape time costs neither. Formats values and labels as the Prometheus registry does, so a family reads
 * the same whichever way it was written.
 */
public final class Exposition {
    private Exposition() {}

    /** A family's HELP and TYPE lines. */
    public static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help)
                .append("\n# TYPE ")
                .append(name)
                .append(' ')
                .append(type)
                .append('\n');
    }

    /** One sample, or none while the value is NaN (not measured yet). {@code labels} as {@link #labels} writes them. */
    public static void sample(StringBuilder out, String name, String labels, double value) {
        if (!Double.isNaN(value)) {
            value(out.append(name), labels, 0, value);
        }
    }

    /** {@code labels} from {@code from} on, then the value and the line's end. */
    public static void value(StringBuilder out, String labels, int from, double value) {
        out.append(labels, from, labels.length()).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value).append(".0");
        } else {
            out.append(value);
        }
        out.append('\n');
    }

    /** {@code {a="x",b="y"}}, values escaped as the text format requires; names in the order given (sort them). */
    public static String labels(String... pairs) {
        StringBuilder labels = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                labels.append(',');
            }
            labels.append(pairs[i]).append("=\"");
            for (char c : pairs[i + 1].toCharArray()) {
                switch (c) {
                    case '\\' -> labels.append("\\\\");
                    case '"' -> labels.append("\\\"");
                    case '\n' -> labels.append("\\n");
                    default -> labels.append(c);
                }
            }
            labels.append('"');
        }
        return labels.append('}').toString();
    }
}
