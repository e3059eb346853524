package io.vantage.aggregator.reconcile;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tags that say which deployment of vantage made a resource (alarm or health check), and for which target. A
 * deployment ({@code deployment:} in the config) owns what carries its name and its namespace; two deployments in one
 * account, or one namespace, never plan, change or delete each other's resources.
 *
 * <p>Earlier releases tagged only {@code managed-by} and the namespace. Such a resource is adopted (tagged with the
 * deployment) by the deployment whose config lists its target, in its namespace; any other is left alone, since it may
 * be another deployment's.
 */
public record Ownership(String namespace, String deployment) {
    public static final String MANAGED_BY = "vantage:managed-by";
    public static final String MANAGED_BY_VALUE = "vantage";
    public static final String NAMESPACE = "vantage:namespace";
    public static final String DEPLOYMENT = "vantage:deployment";
    public static final String TARGET = "vantage:target";
    /** A digest of the settings a health check was created or last updated with (see HealthCheckReconciler). */
    public static final String CONFIG = "vantage:config";
    /** The record a health check was attached to ({@link RecordKey#tag}), so that removal can detach it first. */
    public static final String RECORD = "vantage:record";

    /** Who made a resource, as its tags say. */
    public enum Owner {
        /** This deployment: its name and namespace. */
        THIS_DEPLOYMENT,
        /** An earlier release, in this namespace, before deployments were named: adopted for a configured target. */
        EARLIER_RELEASE,
        /** Another deployment of vantage (another name, or another namespace). */
        ANOTHER_DEPLOYMENT,
        /** Not vantage. */
        NOT_VANTAGE
    }

    public Owner of(Map<String, String> tags) {
        if (!MANAGED_BY_VALUE.equals(tags.get(MANAGED_BY))) {
            return Owner.NOT_VANTAGE;
        }
        if (!namespace.equals(tags.get(NAMESPACE))) {
            return Owner.ANOTHER_DEPLOYMENT;
        }
        String madeBy = tags.get(DEPLOYMENT);
        return madeBy == null
                ? Owner.EARLIER_RELEASE
                : madeBy.equals(deployment) ? Owner.THIS_DEPLOYMENT : Owner.ANOTHER_DEPLOYMENT;
    }

    /** The ownership tags of {@code target}'s resources. */
    public Map<String, String> tags(String target) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(MANAGED_BY, MANAGED_BY_VALUE);
        tags.put(NAMESPACE, namespace);
        tags.put(DEPLOYMENT, deployment);
        tags.put(TARGET, target);
        return tags;
    }

    /** Who made a resource of another deployment, for messages: "deployment production (namespace Vantage)". */
    static String madeBy(Map<String, String> tags) {
        String madeBy = tags.get(DEPLOYMENT);
        return (madeBy == null ? "an earlier release's deployment" : "deployment " + madeBy) + " (namespace "
                + tags.get(NAMESPACE) + ")";
    }

    /** What a plan says of a resource it adopts. */
    String adopted() {
        return "made by an earlier release, before deployments were named: adopted by deployment " + deployment;
    }

    /** The warning for resources of earlier releases that no configured target names, or null when there are none. */
    String leftAlone(long alarms, long healthChecks) {
        if (alarms + healthChecks == 0) {
            return null;
        }
        return alarms + " alarm(s) and " + healthChecks + " health check(s) made by an earlier release in namespace "
                + namespace + " (no " + DEPLOYMENT + " tag) are for targets this deployment does not list: left alone,"
                + " as they may be another deployment's (docs/aggregator.md: Two deployments in one account)";
    }
}
