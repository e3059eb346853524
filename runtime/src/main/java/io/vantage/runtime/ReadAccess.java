package io.vantage.runtime;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Who may read what a process serves to people and scrapers ({@code /}, {@code /v1/status}, {@code /metrics}):
 * anyone, or those who present the read token, as a bearer token (Prometheus' {@code authorization}) or as the
 * password of HTTP basic authentication with any user name (a browser's login prompt). Health probes never need it.
 */
public final class ReadAccess {
    /** Anyone may read. */
    public static final ReadAccess OPEN = new ReadAccess(null);

    private final byte[] tokenHash;

    private ReadAccess(byte[] tokenHash) {
        this.tokenHash = tokenHash;
    }

    /** Readers must present {@code token}; only its SHA-256 is kept. */
    public static ReadAccess token(String token) {
        return new ReadAccess(sha256(token));
    }

    /** Whether a token is needed at all. */
    public boolean required() {
        return tokenHash != null;
    }

    /** Whether {@code request} may read: no token is needed, or it presents the token (compared in constant time). */
    public boolean admits(HttpServerRequest request) {
        if (tokenHash == null) {
            return true;
        }
        String presented = presented(request.getHeader(HttpHeaders.AUTHORIZATION));
        return presented != null && MessageDigest.isEqual(sha256(presented), tokenHash);
    }

    /** Whether {@code request} may read; if not, it has been answered 401 ({@link #refuse}). */
    public boolean admitsOrRefuses(HttpServerRequest request) {
        if (admits(request)) {
            return true;
        }
        refuse(request);
        return false;
    }

    /** The token in a bearer or basic {@code Authorization} header, or null. */
    static String presented(String authorization) {
        if (authorization == null) {
            return null;
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(
                        Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                return colon < 0 ? null : pair.substring(colon + 1);
            } catch (IllegalArgumentException notBase64) {
                return null;
            }
        }
        return null;
    }

    /** A 401 that makes a browser ask for the token (as the password) and tells a scraper what is missing. */
    private static void refuse(HttpServerRequest request) {
        request.response()
                .setStatusCode(401)
                .putHeader("WWW-Authenticate", "Basic realm=\"vantage\", charset=\"UTF-8\"")
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end("this needs the read token: as a bearer token, or as the password of basic authentication\n");
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
