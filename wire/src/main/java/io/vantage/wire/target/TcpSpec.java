package io.vantage.wire.target;

import io.vantage.wire.Checks;

/** Succeeds when a TCP connection to host:port is accepted within the timeout. */
public record TcpSpec(String host, int port) implements ProbeSpec {
    public TcpSpec {
        Checks.noControlCharacters("host", Checks.required("host", host));
        if (host.isBlank()) {
            throw Checks.invalid("host", "must not be empty");
        }
        Checks.range("port", port, 1, 65535);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.tcp(this);
    }
}
