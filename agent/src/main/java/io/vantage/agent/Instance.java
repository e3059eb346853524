package io.vantage.agent;

import io.vantage.wire.Checks;
import io.vantage.wire.Headers;
import io.vantage.wire.Limits;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * This process's instance id: which member of its vantage point it is. Sent as {@link Headers#INSTANCE} on every
 * request to an aggregator (reports and target lists), which gives each member its own share of the targets. From
 * {@code VANTAGE_INSTANCE} (the Helm chart sets it to the pod name, so a restarted pod keeps its share), else random and
 * new at each start.
 */
public final class Instance {
    public static final String ENV = "VANTAGE_INSTANCE";

    private Instance() {}

    /**
     * The instance id from {@code environment}: {@value #ENV} when set, checked like the agent's other identities (an
     * {@link IllegalArgumentException} naming the variable when it is not one), otherwise a random hex id.
     */
    public static String from(Map<String, String> environment) {
        String value = environment.get(ENV);
        if (value == null) {
            return random();
        }
        return Checks.name("environment variable " + ENV, value, Limits.MAX_IDENTITY_LENGTH);
    }

    /** A random id: 16 hex digits. */
    public static String random() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
