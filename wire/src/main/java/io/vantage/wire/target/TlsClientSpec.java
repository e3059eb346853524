package io.vantage.wire.target;

/**
 * TLS settings of an HTTPS probe. Verification is on by default; {@code caFile} adds a PEM CA to trust
 * instead of the JVM's default trust store; {@code insecureSkipVerify} exists for lab use only.
 */
public record TlsClientSpec(String caFile, Boolean insecureSkipVerify) {
    public TlsClientSpec {
        if (insecureSkipVerify == null) {
            insecureSkipVerify = false;
        }
        if (insecureSkipVerify && caFile != null) {
            throw new IllegalArgumentException("insecureSkipVerify: cannot be combined with caFile");
        }
    }
}
