package io.vantage.wire.target;

/** One protocol's probe settings. Exactly one is set per target. */
public sealed interface ProbeSpec permits HttpSpec, TcpSpec, TlsSpec, DnsSpec, GrpcSpec {

    <R> R accept(Visitor<R> visitor);

    /** Dispatch over every protocol; adding a protocol adds a method here, so every visitor must handle it. */
    interface Visitor<R> {
        R http(HttpSpec spec);

        R tcp(TcpSpec spec);

        R tls(TlsSpec spec);

        R dns(DnsSpec spec);

        R grpc(GrpcSpec spec);
    }
}
