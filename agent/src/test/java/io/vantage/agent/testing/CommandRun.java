package io.vantage.agent.testing;

import io.vantage.agent.AgentCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** {@code vantage-agent ARGS} run in this process: its exit code and what it printed (stdout and stderr together). */
public record CommandRun(int exit, String out) {
    public static CommandRun of(String... args) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return new CommandRun(AgentCommand.run(args), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
