package io.vantage.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The container's own health check where a shell cannot speak TLS: {@code java -cp <jar> io.vantage.runtime.HealthCheck
 * <url> [--pin-cert <pem>]} exits 0 when the URL answers 200 and 1 otherwise, saying why on one line. Over HTTPS the
 * server must present a certificate from {@code --pin-cert} (the serving certificate itself, e.g. the mounted
 * {@code tls.crt}): the pinned certificate is the identity, so the host name it is reached by (a Service name, 127.0.0.1)
 * need not be among its names. Without {@code --pin-cert}, the JVM's trust store and the URL's host name are checked.
 * Used by the image's HEALTHCHECK and the chart's {@code helm test} pod when the server serves TLS.
 */
public final class HealthCheck {
    private static final int TIMEOUT_MILLIS = 3_000;

    private HealthCheck() {}

    public static void main(String[] args) {
        String problem = check(args);
        if (problem != null) {
            System.err.println("health check failed: " + problem);
            System.exit(1);
        }
    }

    /** Null when the URL answered 200, else what went wrong. */
    static String check(String[] args) {
        if (args.length != 1 && !(args.length == 3 && args[1].equals("--pin-cert"))) {
            return "usage: HealthCheck <url> [--pin-cert <pem file>]";
        }
        try {
            HttpURLConnection connection =
                    (HttpURLConnection) URI.create(args[0]).toURL().openConnection();
            connection.setConnectTimeout(TIMEOUT_MILLIS);
            connection.setReadTimeout(TIMEOUT_MILLIS);
            connection.setInstanceFollowRedirects(false);
            if (args.length == 3) {
                if (!(connection instanceof HttpsURLConnection https)) {
                    return "--pin-cert needs an https URL, not " + args[0];
                }
                https.setSSLSocketFactory(pinned(Path.of(args[2])).getSocketFactory());
                https.setHostnameVerifier((host, session) -> true); // the pinned certificate is the identity
            }
            int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (body != null) {
                    body.readNBytes(4096);
                }
            }
            return status == 200 ? null : args[0] + " answered " + status;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return args[0] + ": " + e;
        }
    }

    private static SSLContext pinned(Path pem) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("pinned-" + i++, certificate);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in " + pem);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
