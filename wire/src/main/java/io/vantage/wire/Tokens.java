package io.vantage.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Bearer tokens shared by agent and aggregator configs: read from a file or an environment variable,
 * never inline in config, at least {@value #MIN_LENGTH} printable characters.
 */
public final class Tokens {
    public static final int MIN_LENGTH = 16;

    private Tokens() {}

    /** Where a token is read from, as a config writes it: exactly one of a file and an environment variable. */
    public record Source(String tokenFile, String tokenEnv) {
        public Source {
            if ((tokenFile == null) == (tokenEnv == null)) {
                throw Checks.invalid("tokenFile", "set exactly one of tokenFile and tokenEnv");
            }
        }

        /** The token; {@code key} names this source in errors. */
        public String read(String key, Path baseDirectory, Map<String, String> environment) {
            return Tokens.read(key, tokenFile, tokenEnv, baseDirectory, environment);
        }
    }

    /** {@code key} is the config path of the entry, for error messages; relative files resolve against {@code baseDirectory}. */
    public static String read(
            String key, String tokenFile, String tokenEnv, Path baseDirectory, Map<String, String> environment) {
        String token;
        if (tokenEnv != null) {
            token = environment.get(tokenEnv);
            if (token == null) {
                throw new InvalidDocumentException(key + ".tokenEnv: environment variable " + tokenEnv + " is not set");
            }
        } else {
            Path file = baseDirectory == null ? Path.of(tokenFile) : baseDirectory.resolve(tokenFile);
            try {
                token = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new InvalidDocumentException(key + ".tokenFile: cannot read " + file + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        token = token.strip();
        if (token.length() < MIN_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new InvalidDocumentException(
                    key + ": the token must be at least " + MIN_LENGTH + " printable characters without spaces");
        }
        return token;
    }

    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
