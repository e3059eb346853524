package io.vantage.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The help text of every vantage program, in one layout: usage lines, what it does, its commands, its options with
 * their defaults, the environment variables it reads, and examples. The agent prints it itself; the aggregator and the
 * demo hand it to picocli as their whole usage message.
 */
public final class Help {
    private static final int INDENT = 2;
    private static final int GAP = 2;

    private final String program;
    private final List<String> usages = new ArrayList<>();
    private final String description;
    private final List<String[]> commands = new ArrayList<>();
    private final List<String[]> options = new ArrayList<>();
    private final List<String[]> environment = new ArrayList<>();
    private final List<String> examples = new ArrayList<>();

    private Help(String program, String description) {
        this.program = program;
        this.description = description;
    }

    /** Help for {@code program}, which does what {@code description} says (one sentence). */
    public static Help of(String program, String description) {
        return new Help(program, description);
    }

    /** A usage line, after the program's name, e.g. {@code --config FILE}. */
    public Help usage(String arguments) {
        usages.add(arguments);
        return this;
    }

    public Help command(String name, String description) {
        commands.add(new String[] {name, description});
        return this;
    }

    /** An option as it is spelled (e.g. {@code -c, --config FILE}) and what it is, with its default if it has one. */
    public Help option(String spelling, String description) {
        options.add(new String[] {spelling, description});
        return this;
    }

    public Help environment(String variable, String description) {
        environment.add(new String[] {variable, description});
        return this;
    }

    /** A command line, after the program's name. */
    public Help example(String arguments) {
        examples.add(arguments);
        return this;
    }

    /** The help text; each line ends with a line separator. */
    public String render() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < usages.size(); i++) {
            text.append(i == 0 ? "Usage: " : "       ")
                    .append(program)
                    .append(' ')
                    .append(usages.get(i))
                    .append('\n');
        }
        text.append(description).append('\n');
        section(text, "Commands", commands);
        section(text, "Options", options);
        section(text, "Environment", environment);
        if (!examples.isEmpty()) {
            text.append("\nExamples:\n");
            examples.forEach(example -> text.append(" ".repeat(INDENT))
                    .append(program)
                    .append(' ')
                    .append(example)
                    .append('\n'));
        }
        return text.toString().replace("\n", System.lineSeparator());
    }

    private static void section(StringBuilder text, String title, List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int width = rows.stream().mapToInt(row -> row[0].length()).max().orElse(0);
        text.append('\n').append(title).append(":\n");
        for (String[] row : rows) {
            text.append(" ".repeat(INDENT))
                    .append(row[0])
                    .append(" ".repeat(width - row[0].length() + GAP))
                    .append(row[1])
                    .append('\n');
        }
    }

    /** The hint printed for a positional config file: the spelling every command accepts is {@code --config FILE}. */
    public static String oldSpelling(String program, String command) {
        return program + ": " + command + " FILE is the old spelling; use " + command + " --config FILE";
    }
}
