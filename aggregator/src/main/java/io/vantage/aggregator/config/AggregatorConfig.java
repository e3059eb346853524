package io.vantage.aggregator.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.vantage.wire.Checks;
import io.vantage.wire.Durations;
import io.vantage.wire.Limits;
import io.vantage.wire.Otlp;
import io.vantage.wire.Tokens;
import io.vantage.wire.target.DnsSpec;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The aggregator's file: which deployment it is, where it listens, which agents may report, the targets, and how to
 * publish. {@code deployment} names this deployment in everything it makes in AWS (alarms, health checks, record
 * bindings): required in {@code aws} mode, and by plan, apply, destroy and export. {@code otlp}, when given, pushes
 * the aggregator's metrics to an OpenTelemetry endpoint as well.
 */
public record AggregatorConfig(
        String deployment,
        Server server,
        List<AgentEntry> agents,
        Ingest ingest,
        CloudWatch cloudwatch,
        Alarm alarm,
        Route53 route53,
        List<TargetSpec> targets,
        List<Observe> observe,
        List<Drill> drills,
        Otlp otlp) {
    /** Short enough for a tag, an alarm's description and a Helm value; see {@link Checks#name} for the characters. */
    public static final int MAX_DEPLOYMENT_LENGTH = 63;

    /** Why a config that acts on AWS needs {@code deployment}, for its error messages. */
    public static final String DEPLOYMENT_NEEDED = "name this deployment (e.g. production or staging): everything it"
            + " makes in AWS carries the name, and what another deployment in the account made is never planned,"
            + " changed or deleted";

    public AggregatorConfig {
        if (deployment != null) {
            Checks.name("deployment", deployment, MAX_DEPLOYMENT_LENGTH);
        }
        server = server == null ? new Server(null, null, null, null, null, null) : server;
        agents = agents == null ? List.of() : List.copyOf(agents);
        if (agents.isEmpty()) {
            throw Checks.invalid(
                    "agents", "is empty: list the agents allowed to report, each with id, region and a token");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < agents.size(); i++) {
            if (!ids.add(agents.get(i).id())) {
                throw Checks.invalid("agents[" + i + "].id", "'" + agents.get(i).id() + "' is listed twice");
            }
        }
        ingest = ingest == null ? new Ingest(null, null) : ingest;
        cloudwatch = cloudwatch == null ? new CloudWatch(null, null, null, null, null) : cloudwatch;
        if (deployment == null && cloudwatch.mode() == CloudWatch.Mode.AWS) {
            throw Checks.invalid("deployment", "is required with cloudwatch.mode aws: " + DEPLOYMENT_NEEDED);
        }
        alarm = alarm == null ? new Alarm(null, null, null, null, null, null) : alarm;
        route53 = route53 == null ? new Route53(null, null, null, null) : route53;
        targets = new TargetList(targets).targets();
        observe = observe == null ? List.of() : List.copyOf(observe);
        drills = drills == null ? List.of() : List.copyOf(drills);
        for (int i = 0; i < drills.size(); i++) {
            String drilled = drills.get(i).target();
            if (targets.stream().noneMatch(t -> t.name().equals(drilled))) {
                throw Checks.invalid("drills[" + i + "].target", "no target named '" + drilled + "'");
            }
        }
        Set<String> observed = new HashSet<>();
        for (int i = 0; i < observe.size(); i++) {
            String name = observe.get(i).targetName();
            if (targets.stream().anyMatch(t -> t.name().equals(name))) {
                throw Checks.invalid(
                        "observe[" + i + "]", "its target name " + name + " is taken by a configured target");
            }
            if (!observed.add(name)) {
                throw Checks.invalid(
                        "observe[" + i + "]",
                        observe.get(i).name() + " " + observe.get(i).type() + " is listed twice");
            }
        }
        Map<String, String> boundBy = new HashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            var binding = targets.get(i).route53();
            if (binding == null) {
                continue;
            }
            if (!route53.enabled()) {
                throw Checks.invalid(
                        "targets[" + i + "].route53",
                        "target " + targets.get(i).name()
                                + " is bound to a record, but route53.enabled is false: no health check would guard it");
            }
            String other = boundBy.putIfAbsent(
                    binding.zone() + " " + binding.record(), targets.get(i).name());
            if (other != null) {
                throw Checks.invalid(
                        "targets[" + i + "].route53",
                        "targets " + other + " and " + targets.get(i).name()
                                + " are both bound to record " + binding.record() + " in zone " + binding.zone()
                                + "; a record has one health check");
            }
        }
        Set<String> regions = new HashSet<>();
        agents.forEach(agent -> regions.add(agent.region()));
        for (int i = 0; i < targets.size(); i++) {
            TargetSpec target = targets.get(i);
            List<String> from = target.probeFrom();
            for (int j = 0; j < from.size(); j++) {
                if (!ids.contains(from.get(j)) && !regions.contains(from.get(j))) {
                    throw Checks.invalid(
                            "targets[" + i + "].probeFrom[" + j + "]",
                            "'" + from.get(j) + "' of target " + target.name()
                                    + " is neither the id nor the region of a configured agent; configured regions: "
                                    + String.join(", ", new TreeSet<>(regions)));
                }
            }
            int needed = target.quorum().minVantages();
            int placed = Placement.count(target, agents);
            if (needed > placed) {
                // Never met, so the target could never have a verdict: a quorum that silently publishes nothing.
                throw Checks.invalid(
                        "targets[" + i + "].quorum.minVantages",
                        needed + " is more than the " + placed
                                + (from.isEmpty()
                                        ? " agent(s) configured"
                                        : " agent(s) its probeFrom " + from + " places it at")
                                + ", so target " + target.name()
                                + " could never have a verdict; lower minVantages (and healthy) "
                                + (from.isEmpty() ? "or add agents" : "or place it at more agents"));
            }
        }
    }

    /**
     * {@code readToken} ({@code tokenFile} or {@code tokenEnv}): the token that {@code /}, {@code /v1/status} and {@code /metrics}
     * then require (docs/security.md); without one, anyone who reaches the port reads them, and
     * {@code anonymousStatus} says what they see: {@code summary} (the default: verdicts and counts, no AWS ids, record
     * names or probe messages) or {@code full}. {@code redactMessages}: leave the probes' messages out for every reader
     * (a failed jsonPointer assertion quotes up to 40 characters of the probed body).
     */
    public record Server(
            String host,
            Integer port,
            Tls tls,
            Boolean redactMessages,
            Tokens.Source readToken,
            String anonymousStatus) {
        public static final String SUMMARY = "summary";
        public static final String FULL = "full";

        public Server {
            redactMessages = redactMessages != null && redactMessages;
            host = host == null ? "0.0.0.0" : host;
            port = port == null ? 8080 : port;
            Checks.range("port", port, 0, 65535);
            anonymousStatus = anonymousStatus == null ? SUMMARY : anonymousStatus;
            if (!anonymousStatus.equals(SUMMARY) && !anonymousStatus.equals(FULL)) {
                throw Checks.invalid(
                        "anonymousStatus", "must be summary or full, not '" + Checks.visible(anonymousStatus) + "'");
            }
            if (anonymousStatus.equals(FULL) && readToken != null) {
                throw Checks.invalid(
                        "anonymousStatus",
                        "full shows everything to readers without the read token: with a read token set, readers without"
                                + " it see nothing; leave anonymousStatus out");
            }
        }

        /** Whether a reader without the token sees everything. */
        public boolean anonymousFull() {
            return anonymousStatus.equals(FULL);
        }
    }

    /**
     * A public name whose answers every agent observes from its own region ({@code servers}: the resolvers to ask,
     * default each agent's own), every {@code interval}: where DNS sends each vantage point, and how long a failover
     * really takes. Agents probe it as a dns target named {@link #targetName()}; it has no verdict of its own.
     */
    public record Observe(String name, String type, List<String> servers, Duration interval) {
        public Observe {
            type = type == null ? "A" : type;
            interval = interval == null ? Duration.ofSeconds(5) : interval;
            Checks.positive("interval", interval, Duration.ofSeconds(1), Duration.ofMinutes(5));
            servers = servers == null ? List.of() : List.copyOf(servers);
            new DnsSpec(name, type, servers, null, null, null, null, null); // validates name, type and servers
            type = type.toUpperCase(Locale.ROOT);
        }

        /** The dns target agents are sent for it. */
        public String targetName() {
            String name =
                    ("observe-" + name() + "-" + type).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
            return name.length() > Limits.MAX_TARGET_NAME_LENGTH
                    ? name.substring(0, Limits.MAX_TARGET_NAME_LENGTH)
                    : name;
        }

        /** The dns probe agents run: any NOERROR answer is a success; the answers are what matters. */
        public TargetSpec target() {
            Duration timeout =
                    interval.compareTo(Duration.ofSeconds(4)) >= 0 ? Duration.ofSeconds(2) : interval.dividedBy(2);
            return new TargetSpec(
                    targetName(),
                    null,
                    null,
                    null,
                    new DnsSpec(name, type, servers, null, new DnsSpec.Answer(null, null, 0), null, null, null),
                    null,
                    interval,
                    timeout,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
        }
    }

    /**
     * A failover drill: until {@code until}, vantage publishes {@code Healthy=0} for {@code target} whatever its
     * probes say, so Route 53 fails it over for real; it reverts by itself at {@code until}, after a restart too.
     * {@code by}: who started it. A running aggregator refuses to honour a drill that would leave the target's record
     * group without a HEALTHY target that is not in a drill.
     */
    public record Drill(String target, String until, String by) {
        /** The longest drill the {@code drill} command starts. */
        public static final Duration MAX = Duration.ofHours(1);

        public Drill {
            Checks.required("target", target);
            Checks.required("until", until);
            try {
                Instant.parse(until);
            } catch (DateTimeParseException e) {
                throw Checks.invalid(
                        "until", "'" + Checks.visible(until) + "' is not a UTC time such as 2026-11-27T12:00:00Z");
            }
            by = by == null ? "unknown" : Checks.noControlCharacters("by", by);
        }

        /**
         * A drill of {@code target} by {@code by} from {@code now} for {@code length} (read by {@link #length}), ending on
         * a whole second.
         */
        public static Drill lasting(String target, Instant now, Duration length, String by) {
            return new Drill(
                    target, now.plus(length).truncatedTo(ChronoUnit.SECONDS).toString(), by);
        }

        /** How long a drill is to last, from text such as {@code 10m}: more than 0 and at most {@link #MAX}. */
        public static Duration length(String text) {
            Duration length;
            try {
                length = Durations.parse(text);
            } catch (IllegalArgumentException e) {
                length = null;
            }
            if (length == null || length.isZero() || length.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("must be more than 0 and at most " + Durations.format(MAX)
                        + ", such as 10m; got '" + Checks.visible(String.valueOf(text)) + "'");
            }
            return length;
        }

        public Instant end() {
            return Instant.parse(until);
        }

        public boolean activeAt(long nowMillis) {
            return nowMillis < end().toEpochMilli();
        }
    }

    /**
     * Every target some agent is sent: the configured ones (without their record bindings and placements) and the
     * observed names.
     */
    public List<TargetSpec> agentTargets() {
        List<TargetSpec> all =
                new ArrayList<>(targets.stream().map(TargetSpec::withoutBinding).toList());
        observe.forEach(o -> all.add(o.target()));
        return all;
    }

    /**
     * The targets {@code agent} is sent: the configured ones placed at it ({@link Placement}), without their record
     * bindings and placements, and the observed names (every vantage point observes them).
     */
    public List<TargetSpec> agentTargets(AgentEntry agent) {
        List<TargetSpec> placed = new ArrayList<>();
        for (TargetSpec target : targets) {
            if (Placement.placedAt(target, agent)) {
                placed.add(target.withoutBinding());
            }
        }
        observe.forEach(o -> placed.add(o.target()));
        return placed;
    }

    /** HTTPS for the API: a PEM certificate chain and its PKCS#8 key. */
    public record Tls(String certFile, String keyFile) {
        public Tls {
            Checks.required("certFile", certFile);
            Checks.required("keyFile", keyFile);
        }
    }

    /**
     * An agent allowed to report; its token is bound to this id and region. During a token rotation the previous
     * token ({@code previousTokenFile} or {@code previousTokenEnv}) is accepted too, until the agent has moved over.
     */
    public record AgentEntry(
            String id,
            String region,
            String tokenFile,
            String tokenEnv,
            String previousTokenFile,
            String previousTokenEnv,
            Integer members,
            Integer perVantage,
            Integer expectedMembers) {
        /**
         * Processes that may report as one entry by default: a Deployment of a few replicas or a DaemonSet on a small
         * node pool fits, and the bound keeps a leaked token from growing the aggregator's memory (each target holds
         * a reading per member) without limit.
         */
        public static final int DEFAULT_MEMBERS = 8;
        /** Members probing each target by default: two, so that losing one leaves no gap. */
        public static final int DEFAULT_PER_VANTAGE = 2;

        public AgentEntry {
            Checks.name("id", id, Limits.MAX_IDENTITY_LENGTH);
            Checks.name("region", region, Limits.MAX_IDENTITY_LENGTH);
            members = members == null ? DEFAULT_MEMBERS : members;
            Checks.range("members", members, 1, 64);
            perVantage = perVantage == null ? DEFAULT_PER_VANTAGE : perVantage;
            Checks.range("perVantage", perVantage, 1, 64);
            if (expectedMembers != null) {
                Checks.range("expectedMembers", expectedMembers, 1, members);
            }
            if ((tokenFile == null) == (tokenEnv == null)) {
                throw Checks.invalid("tokenFile", "set exactly one of tokenFile and tokenEnv for agent " + id);
            }
            if (previousTokenFile != null && previousTokenEnv != null) {
                throw Checks.invalid(
                        "previousTokenFile",
                        "set at most one of previousTokenFile and previousTokenEnv for agent " + id);
            }
        }

        public boolean rotating() {
            return previousTokenFile != null || previousTokenEnv != null;
        }
    }

    /**
     * Ingest protection: results stamped more than {@code maxClockSkew} after their batch was sent are rejected, and
     * an agent whose clock is further off than that is logged; each agent may make {@code maxRequestsPerSecond}
     * requests (with a burst of twice that).
     */
    public record Ingest(Duration maxClockSkew, Integer maxRequestsPerSecond) {
        public Ingest {
            maxClockSkew = maxClockSkew == null ? Duration.ofSeconds(30) : maxClockSkew;
            Checks.positive("maxClockSkew", maxClockSkew, Duration.ofSeconds(1), Duration.ofHours(1));
            maxRequestsPerSecond = maxRequestsPerSecond == null ? 20 : maxRequestsPerSecond;
            Checks.range("maxRequestsPerSecond", maxRequestsPerSecond, 1, 100_000);
        }
    }

    /**
     * Where verdicts go. {@code aws}: PutMetricData with the SDK's default credentials; {@code dry-run}: log
     * what would be sent. {@code endpoint} points at a local emulator (the SDK's AWS_ENDPOINT_URL works too).
     * {@code namespace} and {@code region} are written into alarms, tags and the Terraform export: the namespace is
     * ASCII without control characters, as PutMetricData requires
     * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html), and the region a name.
     */
    public record CloudWatch(Mode mode, String region, String namespace, Duration publishEvery, URI endpoint) {
        /** {@code aws} or {@code dry-run} in the file. */
        public enum Mode {
            AWS,
            DRY_RUN;

            @JsonValue
            public String label() {
                return name().toLowerCase(Locale.ROOT).replace('_', '-');
            }

            @Override
            public String toString() {
                return label();
            }

            @JsonCreator
            public static Mode fromLabel(String label) {
                for (Mode mode : values()) {
                    if (mode.label().equalsIgnoreCase(label)) {
                        return mode;
                    }
                }
                throw new IllegalArgumentException("'" + label + "' must be aws or dry-run");
            }
        }

        public CloudWatch {
            mode = mode == null ? Mode.DRY_RUN : mode;
            if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
                throw Checks.invalid(
                        "endpoint", "'" + endpoint + "' must be an absolute URL such as http://127.0.0.1:5000");
            }
            region = region == null ? "us-east-1" : region;
            Checks.name("region", region, Limits.MAX_IDENTITY_LENGTH);
            namespace = namespace == null ? "Vantage" : namespace;
            Checks.noControlCharacters("namespace", namespace);
            if (!StandardCharsets.US_ASCII.newEncoder().canEncode(namespace)) {
                throw Checks.invalid(
                        "namespace", "'" + namespace + "' must be ASCII characters: CloudWatch takes no others");
            }
            if (namespace.isBlank() || namespace.length() > 255 || namespace.startsWith("AWS/")) {
                throw Checks.invalid(
                        "namespace", "'" + namespace + "' must be 1-255 characters and must not start with AWS/");
            }
            publishEvery = publishEvery == null ? Duration.ofSeconds(10) : publishEvery;
            Checks.positive("publishEvery", publishEvery, Duration.ofSeconds(1), Duration.ofMinutes(1));
        }
    }

    /**
     * The alarm on each target's {@code Healthy} metric that its Route 53 health check watches. Route 53 can
     * only use standard-resolution alarms on the plain statistics, so this record refuses everything else.
     * Rules: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-types.html (CloudWatch alarm
     * checks) and https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html.
     */
    public record Alarm(
            Duration period,
            Integer evaluationPeriods,
            Integer datapointsToAlarm,
            String statistic,
            String treatMissingData,
            String namePrefix) {
        /** Alarm names may have 255 characters: a 64-character prefix, a 128-character target name and "-unhealthy" fit. */
        public static final long MAX_EVALUATION_SECONDS = 86_400;

        public static final Set<String> STATISTICS = Set.of("Average", "Minimum", "Maximum", "Sum", "SampleCount");
        public static final Set<String> TREAT_MISSING_DATA = Set.of("missing", "notBreaching", "breaching", "ignore");

        public Alarm {
            period = period == null ? Duration.ofSeconds(60) : period;
            if (period.toMillis() % 60_000 != 0 || period.isZero()) {
                throw Checks.invalid(
                        "period",
                        Durations.format(period) + " is not a multiple of 60s: periods of 10s, 20s and 30s make a "
                                + "high-resolution alarm, which Route 53 alarm-based health checks cannot use");
            }
            evaluationPeriods = evaluationPeriods == null ? 3 : evaluationPeriods;
            Checks.range("evaluationPeriods", evaluationPeriods, 1, 1440);
            datapointsToAlarm = datapointsToAlarm == null ? Math.min(2, evaluationPeriods) : datapointsToAlarm;
            Checks.range("datapointsToAlarm", datapointsToAlarm, 1, evaluationPeriods);
            if (period.getSeconds() * evaluationPeriods > MAX_EVALUATION_SECONDS) {
                throw Checks.invalid(
                        "evaluationPeriods",
                        "period x evaluationPeriods = " + period.getSeconds() * evaluationPeriods
                                + "s exceeds CloudWatch's limit of one day (86400s)");
            }
            statistic = statistic == null ? "Minimum" : statistic;
            if (!STATISTICS.contains(statistic)) {
                throw Checks.invalid(
                        "statistic",
                        "'" + statistic + "' is not one of " + new TreeSet<>(STATISTICS)
                                + "; extended statistics (percentiles) cannot be used by Route 53 alarm-based health checks");
            }
            treatMissingData = treatMissingData == null ? "missing" : treatMissingData;
            if (!TREAT_MISSING_DATA.contains(treatMissingData)) {
                throw Checks.invalid(
                        "treatMissingData",
                        "'" + treatMissingData + "' is not one of " + new TreeSet<>(TREAT_MISSING_DATA));
            }
            namePrefix = namePrefix == null ? "vantage-" : namePrefix;
            if (!namePrefix.matches("[A-Za-z0-9._-]{1,64}")) {
                throw Checks.invalid(
                        "namePrefix", "'" + namePrefix + "' must be 1-64 letters, digits, '.', '_' or '-'");
            }
        }

        public String alarmName(String target) {
            return namePrefix + target + "-unhealthy";
        }
    }

    /**
     * One alarm-based ({@code CLOUDWATCH_METRIC}) health check per target. {@code reconcileEvery} makes the
     * running aggregator reconcile alarms and health checks on its own (off by default: use plan / apply).
     */
    public record Route53(Boolean enabled, String insufficientDataHealthStatus, Duration reconcileEvery, URI endpoint) {
        public static final Set<String> INSUFFICIENT_DATA_STATUSES = Set.of("Healthy", "Unhealthy", "LastKnownStatus");

        public Route53 {
            enabled = enabled == null || enabled;
            insufficientDataHealthStatus =
                    insufficientDataHealthStatus == null ? "LastKnownStatus" : insufficientDataHealthStatus;
            if (!INSUFFICIENT_DATA_STATUSES.contains(insufficientDataHealthStatus)) {
                throw Checks.invalid(
                        "insufficientDataHealthStatus",
                        "'" + insufficientDataHealthStatus + "' is not one of "
                                + new TreeSet<>(INSUFFICIENT_DATA_STATUSES));
            }
            if (reconcileEvery != null) {
                Checks.positive("reconcileEvery", reconcileEvery, Duration.ofMinutes(1), Duration.ofDays(1));
            }
            if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
                throw Checks.invalid(
                        "endpoint", "'" + endpoint + "' must be an absolute URL such as http://127.0.0.1:5000");
            }
        }
    }
}
