package io.vantage.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests: issues leaf certificates with chosen names and validity
 * and writes them as PEM files a real TLS server (and the agent's caFile) can load.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final Path directory;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caFile;

    public TestPki(Path directory) throws Exception {
        this.directory = directory;
        this.caKeys = newKeys();
        Instant now = Instant.now();
        this.caCertificate = sign(
                "vantage test CA",
                caKeys,
                caKeys.getPrivate(),
                "vantage test CA",
                now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(3650)),
                true);
        this.caFile = write("ca.pem", pem("CERTIFICATE", caCertificate.getEncoded()));
    }

    /** PEM file of the CA, for {@code caFile}. */
    public Path caFile() {
        return caFile;
    }

    /** A leaf signed by this CA, valid from {@code notBefore} to {@code notAfter}, for the given DNS names and 127.0.0.1. */
    public Leaf issue(String fileStem, Instant notBefore, Instant notAfter, String... dnsNames) throws Exception {
        KeyPair keys = newKeys();
        X509Certificate certificate =
                sign(dnsNames[0], keys, caKeys.getPrivate(), "vantage test CA", notBefore, notAfter, false, dnsNames);
        return new Leaf(
                write(
                        fileStem + ".key.pem",
                        pem("PRIVATE KEY", keys.getPrivate().getEncoded())),
                write(fileStem + ".cert.pem", pem("CERTIFICATE", certificate.getEncoded())),
                certificate);
    }

    /** A leaf valid for {@code days} from yesterday. */
    public Leaf issue(String fileStem, long days, String... dnsNames) throws Exception {
        Instant now = Instant.now();
        return issue(fileStem, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(days)), dnsNames);
    }

    /** A certificate that signs itself: no CA vouches for it. */
    public Leaf selfSigned(String fileStem, String dnsName) throws Exception {
        KeyPair keys = newKeys();
        Instant now = Instant.now();
        X509Certificate certificate = sign(
                dnsName,
                keys,
                keys.getPrivate(),
                dnsName,
                now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)),
                false,
                dnsName);
        return new Leaf(
                write(
                        fileStem + ".key.pem",
                        pem("PRIVATE KEY", keys.getPrivate().getEncoded())),
                write(fileStem + ".cert.pem", pem("CERTIFICATE", certificate.getEncoded())),
                certificate);
    }

    public record Leaf(Path keyFile, Path certFile, X509Certificate certificate) {}

    private static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(
            String subject,
            KeyPair subjectKeys,
            PrivateKey issuerKey,
            String issuer,
            Instant notBefore,
            Instant notAfter,
            boolean ca,
            String... dnsNames)
            throws Exception {
        var builder = new JcaX509v3CertificateBuilder(
                new X500Name("CN=" + issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(notBefore),
                Date.from(notAfter),
                new X500Name("CN=" + subject),
                subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (dnsNames.length > 0) {
            GeneralName[] names = new GeneralName[dnsNames.length + 1];
            for (int i = 0; i < dnsNames.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            names[dnsNames.length] = new GeneralName(
                    GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(directory.resolve(name), content, StandardCharsets.US_ASCII);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
