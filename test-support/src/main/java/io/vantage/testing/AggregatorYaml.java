package io.vantage.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An aggregator's config file, built: {@code AggregatorYaml.aggregator().agent("a", "eu-west-1", "token")
 * .deployment("test").awsCloudWatch("eu-west-1", aws.endpoint()).target(...).write(file)}. Without agents it is the
 * part {@code RunningAggregator.start} completes with its own server and agents.
 */
public final class AggregatorYaml extends ConfigYaml<AggregatorYaml> {
    private AggregatorYaml() {}

    public static AggregatorYaml aggregator() {
        return new AggregatorYaml();
    }

    /** A vantage point whose token is read from {@code tokenFile}. */
    public AggregatorYaml agent(String id, String region, String tokenFile) {
        return agent(id, region, "tokenFile", tokenFile);
    }

    /** A vantage point whose token is read from the environment variable {@code tokenEnv}. */
    public AggregatorYaml agentWithTokenEnv(String id, String region, String tokenEnv) {
        return agent(id, region, "tokenEnv", tokenEnv);
    }

    private AggregatorYaml agent(String id, String region, String tokenKey, String token) {
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("id", id);
        agent.put("region", region);
        agent.put(tokenKey, token);
        list(document, "agents").add(agent);
        return this;
    }

    /** Sets {@code key} (members, perVantage, expectedMembers) on the vantage point {@code id} added before. */
    @SuppressWarnings("unchecked")
    public AggregatorYaml agentSetting(String id, String key, Object value) {
        list(document, "agents").stream()
                .map(entry -> (Map<String, Object>) entry)
                .filter(entry -> id.equals(entry.get("id")))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no agent " + id))
                .put(key, value);
        return this;
    }

    public AggregatorYaml deployment(String name) {
        return section("deployment", name);
    }

    /** CloudWatch in {@code region} at {@code endpoint} (moto's), namespace {@code Vantage}. */
    public AggregatorYaml awsCloudWatch(String region, String endpoint) {
        Map<String, Object> cloudwatch = nested("cloudwatch");
        cloudwatch.put("mode", "aws");
        cloudwatch.put("region", region);
        cloudwatch.put("namespace", "Vantage");
        cloudwatch.put("endpoint", endpoint);
        return this;
    }

    /** A drill: {@code target} published unhealthy until {@code until} (an ISO-8601 instant), started {@code by}. */
    public AggregatorYaml drill(String target, String until, String by) {
        Map<String, Object> drill = new LinkedHashMap<>();
        drill.put("target", target);
        drill.put("until", until);
        drill.put("by", by);
        list(document, "drills").add(drill);
        return this;
    }

    /** Another key of the {@code cloudwatch:} section ({@code publishEvery}). */
    public AggregatorYaml cloudWatchSetting(String key, Object value) {
        nested("cloudwatch").put(key, value);
        return this;
    }

    @Override
    AggregatorYaml self() {
        return this;
    }
}
