package io.vantage.aggregator.ingest;

import io.vantage.aggregator.config.LoadedAggregatorConfig.Credential;
import io.vantage.wire.Tokens;
import java.security.MessageDigest;
import java.util.List;

/** Finds the agent a bearer token belongs to, comparing against every known token in constant time. */
public final class Credentials {
    private final List<Credential> credentials;

    public Credentials(List<Credential> credentials) {
        this.credentials = List.copyOf(credentials);
    }

    /** The agent the {@code Authorization} header authenticates, or null. */
    public Credential authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        byte[] presented = Tokens.sha256(authorization.substring(7).strip());
        Credential match = null;
        for (Credential credential : credentials) {
            // Every entry is compared, matching or not, so timing says nothing about which token is close.
            if (MessageDigest.isEqual(presented, credential.tokenHash())) {
                match = credential;
            }
        }
        return match;
    }
}
