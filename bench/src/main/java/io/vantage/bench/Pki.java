package io.vantage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The benchmark's throw-away PKI: a CA and an ECDSA P-256 server certificate for {@link #TLS_NAME}, made with openssl. */
final class Pki {
    static final String TLS_NAME = "bench.vantage.test";

    private Pki() {}

    /** Writes {@code ca.pem}, {@code server.pem} and {@code server.key} (for {@link #TLS_NAME} and 127.0.0.1) to {@code dir}. */
    static void make(Path dir) throws IOException, InterruptedException {
        // The extensions a public CA puts on a server certificate (the JDK's validator takes a slower path without
        // them).
        Files.writeString(
                dir.resolve("san.ext"),
                "subjectAltName=DNS:" + TLS_NAME + ",IP:127.0.0.1\n"
                        + "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n");
        for (List<String> command : List.of(
                List.of(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-nodes",
                        "-days",
                        "2",
                        "-subj",
                        "/CN=vantage bench CA",
                        "-addext",
                        "basicConstraints=critical,CA:TRUE",
                        "-addext",
                        "keyUsage=critical,keyCertSign,cRLSign",
                        "-keyout",
                        "ca.key",
                        "-out",
                        "ca.pem"),
                List.of(
                        "openssl",
                        "req",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-nodes",
                        "-subj",
                        "/CN=" + TLS_NAME,
                        "-keyout",
                        "server.key",
                        "-out",
                        "server.csr"),
                List.of(
                        "openssl",
                        "x509",
                        "-req",
                        "-in",
                        "server.csr",
                        "-CA",
                        "ca.pem",
                        "-CAkey",
                        "ca.key",
                        "-CAcreateserial",
                        "-days",
                        "2",
                        "-extfile",
                        "san.ext",
                        "-out",
                        "server.pem"))) {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile())
                    .start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("openssl failed: " + command + "; see " + dir.resolve("openssl.log"));
            }
        }
    }
}
