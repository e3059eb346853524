package io.vantage.agent.config;

import io.vantage.agent.exporter.ProbeConfig;
import io.vantage.wire.Checks;
import io.vantage.wire.Limits;
import io.vantage.wire.Otlp;
import io.vantage.wire.Tokens;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * An agent's file. With no {@code agent.aggregators} it runs standalone on its {@code targets}; with
 * aggregators and no local targets it takes its targets from them. With {@code probe.modules} it also answers
 * blackbox_exporter's {@code /probe?target=&module=}, and needs neither targets nor aggregators (a probe-only agent).
 * {@code otlp}, when given, pushes its metrics to an OpenTelemetry endpoint as well.
 */
public record AgentConfig(Agent agent, Server server, Dns dns, List<TargetSpec> targets, ProbeConfig probe, Otlp otlp) {
    public AgentConfig {
        agent = agent == null ? new Agent(null, null, null, null, null, null, null) : agent;
        server = server == null ? new Server(null, null, null) : server;
        dns = dns == null ? new Dns(null, null) : dns;
        targets = new TargetList(targets).targets();
        probe = probe == null ? ProbeConfig.none() : probe;
        if (targets.isEmpty() && agent.aggregators().isEmpty() && !probe.enabled()) {
            throw Checks.invalid(
                    "targets",
                    "is empty, and so are agent.aggregators and probe.modules: give local targets, aggregators to fetch "
                            + "them from, /probe modules, or any of them together");
        }
    }

    /** Only {@code /probe}: no targets of its own and no aggregator to take them from. */
    public boolean probeOnly() {
        return targets.isEmpty() && agent.aggregators().isEmpty();
    }

    public boolean standalone() {
        return agent.aggregators().isEmpty();
    }

    /** Targets come from the aggregators when the file lists none. */
    public boolean remoteTargets() {
        return targets.isEmpty();
    }

    /**
     * Identity and behaviour. {@code id} and {@code region} fall back to the environment variables
     * {@code VANTAGE_AGENT_ID} and {@code VANTAGE_REGION} (see {@link ConfigLoader}).
     */
    public record Agent(
            String id,
            String region,
            List<Aggregator> aggregators,
            Integer maxInFlight,
            Duration pushInterval,
            Duration targetsRefresh,
            Integer probeLoops) {
        public static final int DEFAULT_MAX_IN_FLIGHT = 2_000;
        public static final int MAX_PROBE_LOOPS = 64;

        public Agent {
            if (id != null) {
                Checks.name("id", id, Limits.MAX_IDENTITY_LENGTH);
            }
            if (region != null) {
                Checks.name("region", region, Limits.MAX_IDENTITY_LENGTH);
            }
            aggregators = aggregators == null ? List.of() : List.copyOf(aggregators);
            maxInFlight = maxInFlight == null ? DEFAULT_MAX_IN_FLIGHT : maxInFlight;
            Checks.range("maxInFlight", maxInFlight, 1, 100_000);
            pushInterval = pushInterval == null ? Limits.DEFAULT_PUSH_INTERVAL : pushInterval;
            Checks.positive("pushInterval", pushInterval, Duration.ofMillis(100), Duration.ofMinutes(1));
            targetsRefresh = targetsRefresh == null ? Duration.ofSeconds(15) : targetsRefresh;
            Checks.positive("targetsRefresh", targetsRefresh, Duration.ofSeconds(1), Duration.ofHours(1));
            // One loop per core: each is a thread that can keep one core busy with handshakes.
            probeLoops = probeLoops == null ? Runtime.getRuntime().availableProcessors() : probeLoops;
            Checks.range("probeLoops", probeLoops, 1, MAX_PROBE_LOOPS);
        }
    }

    /** Where results are pushed (and targets fetched from); the token comes from a file or an environment variable. */
    public record Aggregator(URI url, String tokenFile, String tokenEnv, String caFile) {
        public Aggregator {
            Checks.required("url", url);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw Checks.invalid("url", "'" + url + "' must be an absolute http:// or https:// URL");
            }
            if ((tokenFile == null) == (tokenEnv == null)) {
                throw Checks.invalid("tokenFile", "set exactly one of tokenFile and tokenEnv for aggregator " + url);
            }
        }

        /** A bounded label value naming this aggregator in metrics and logs. */
        public String label() {
            return url.getAuthority();
        }
    }

    /**
     * {@code readToken} ({@code tokenFile} or {@code tokenEnv}): the token {@code /metrics} and {@code /} then require
     * (as a bearer token or a basic-authentication password); {@code /healthz} and {@code /readyz} never do.
     */
    public record Server(String host, Integer port, Tokens.Source readToken) {
        public Server {
            host = host == null ? "0.0.0.0" : host;
            port = port == null ? 9100 : port;
            Checks.range("port", port, 0, 65535);
        }
    }

    /** Resolvers to query directly ("127.0.0.1:53"); empty means the operating system's resolver. */
    public record Dns(List<String> servers, Duration timeout) {
        public Dns {
            servers = servers == null ? List.of() : List.copyOf(servers);
            for (String server : servers) {
                int colon = server.lastIndexOf(':');
                if (colon <= 0 || !server.substring(colon + 1).matches("\\d{1,5}")) {
                    throw Checks.invalid("servers", "'" + server + "' must be host:port, such as 127.0.0.1:53");
                }
            }
            timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
            Checks.positive("timeout", timeout, Duration.ofMillis(10), Duration.ofSeconds(30));
        }
    }
}
