package io.vantage.aggregator.config;

import io.vantage.wire.Checks;
import io.vantage.wire.Limits;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The aggregator's file: where it listens, which agents may report, the targets, and how to publish. */
public record AggregatorConfig(Server server, List<AgentEntry> agents, Ingest ingest, CloudWatch cloudwatch, List<TargetSpec> targets) {
    public AggregatorConfig {
        server = server == null ? new Server(null, null, null) : server;
        agents = agents == null ? List.of() : List.copyOf(agents);
        if (agents.isEmpty()) {
            throw Checks.invalid("agents", "is empty: list the agents allowed to report, each with id, region and a token");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < agents.size(); i++) {
            if (!ids.add(agents.get(i).id())) {
                throw Checks.invalid("agents[" + i + "].id", "'" + agents.get(i).id() + "' is listed twice");
            }
        }
        ingest = ingest == null ? new Ingest(null, null) : ingest;
        cloudwatch = cloudwatch == null ? new CloudWatch(null, null, null, null, null) : cloudwatch;
        targets = new TargetList(targets).targets();
    }

    public record Server(String host, Integer port, Tls tls) {
        public Server {
            host = host == null ? "0.0.0.0" : host;
            port = port == null ? 8080 : port;
            Checks.range("port", port, 0, 65535);
        }
    }

    /** HTTPS for the API: a PEM certificate chain and its PKCS#8 key. */
    public record Tls(String certFile, String keyFile) {
        public Tls {
            Checks.required("certFile", certFile);
            Checks.required("keyFile", keyFile);
        }
    }

    /** An agent allowed to report; its token is bound to this id and region. */
    public record AgentEntry(String id, String region, String tokenFile, String tokenEnv) {
        public AgentEntry {
            Checks.name("id", id, Limits.MAX_IDENTITY_LENGTH);
            Checks.name("region", region, Limits.MAX_IDENTITY_LENGTH);
            if ((tokenFile == null) == (tokenEnv == null)) {
                throw Checks.invalid("tokenFile", "set exactly one of tokenFile and tokenEnv for agent " + id);
            }
        }
    }

    /**
     * Ingest protection: results stamped further in the future than {@code maxClockSkew} are rejected;
     * each agent may make {@code maxRequestsPerSecond} requests (with a burst of twice that).
     */
    public record Ingest(Duration maxClockSkew, Integer maxRequestsPerSecond) {
        public Ingest {
            maxClockSkew = maxClockSkew == null ? Duration.ofSeconds(30) : maxClockSkew;
            Checks.positive("maxClockSkew", maxClockSkew, Duration.ZERO, Duration.ofHours(1));
            maxRequestsPerSecond = maxRequestsPerSecond == null ? 20 : maxRequestsPerSecond;
            Checks.range("maxRequestsPerSecond", maxRequestsPerSecond, 1, 100_000);
        }
    }

    /**
     * Where verdicts go. {@code aws}: PutMetricData with the SDK's default credentials; {@code dry-run}: log
     * what would be sent. {@code endpoint} points at a local emulator (the SDK's AWS_ENDPOINT_URL works too).
     */
    public record CloudWatch(String mode, String region, String namespace, Duration publishEvery, URI endpoint) {
        public CloudWatch {
            mode = mode == null ? "dry-run" : mode.toLowerCase(Locale.ROOT);
            if (!mode.equals("dry-run") && !mode.equals("aws")) {
                throw Checks.invalid("mode", "'" + mode + "' must be aws or dry-run");
            }
            if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
                throw Checks.invalid("endpoint", "'" + endpoint + "' must be an absolute URL such as http://127.0.0.1:5000");
            }
            region = region == null ? "us-east-1" : region;
            namespace = namespace == null ? "Vantage" : namespace;
            if (namespace.isBlank() || namespace.length() > 255 || namespace.startsWith("AWS/")) {
                throw Checks.invalid("namespace", "'" + namespace + "' must be 1-255 characters and must not start with AWS/");
            }
            publishEvery = publishEvery == null ? Duration.ofSeconds(10) : publishEvery;
            Checks.positive("publishEvery", publishEvery, Duration.ofSeconds(1), Duration.ofMinutes(1));
        }
    }
}
