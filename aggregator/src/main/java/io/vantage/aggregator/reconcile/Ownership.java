package io.vantage.aggregator.reconcile;

import java.util.Map;

/**
 * The tags that mark a resource as vantage's. The namespace is part of ownership, so two vantage
 * deployments publishing to different namespaces in one account never touch each other's resources.
 */
public final class Ownership {
    public static final String MANAGED_BY = "vantage:managed-by";
    public static final String MANAGED_BY_VALUE = "vantage";
    public static final String NAMESPACE = "vantage:namespace";
    public static final String TARGET = "vantage:target";
    /** A digest of the settings a health check was created or last updated with (see HealthCheckReconciler). */
    public static final String CONFIG = "vantage:config";
    /** The record a health check was attached to ({@link RecordKey#tag}), so that removal can detach it first. */
    public static final String RECORD = "vantage:record";

    private Ownership() {}

    public static boolean owned(Map<String, String> tags, String namespace) {
        return MANAGED_BY_VALUE.equals(tags.get(MANAGED_BY)) && namespace.equals(tags.get(NAMESPACE));
    }
}
