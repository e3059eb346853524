package io.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo's AWS bridge stands in for AWS without credentials: it listens on loopback unless told otherwise. */
class LocalAwsBridgeCommandTest {
    @Test
    void listensOnLoopbackByDefault() {
        DemoCommand.LocalAwsBridgeCommand command = new DemoCommand.LocalAwsBridgeCommand();
        new CommandLine(command).parseArgs("--moto", "127.0.0.1:5000");
        assertThat(command.host).isEqualTo("127.0.0.1");
        new CommandLine(command).parseArgs("--moto", "aws:5000", "--host", "0.0.0.0");
        assertThat(command.host).isEqualTo("0.0.0.0");
    }
}
