package io.vantage.agent.exporter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.agent.metrics.MetricNames;
import io.vantage.agent.probe.Attempt;
import io.vantage.wire.Durations;
import io.vantage.wire.InvalidDocumentException;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.target.DnsSpec;
import io.vantage.wire.target.GrpcSpec;
import io.vantage.wire.target.HttpSpec;
import io.vantage.wire.target.ProbeSpec;
import io.vantage.wire.target.TargetSpec;
import io.vantage.wire.target.TcpSpec;
import io.vantage.wire.target.TlsSpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * {@code GET /probe?target=&module=}, as blackbox_exporter answers it: one probe of {@code target} with {@code module}'s
 * settings, answered in blackbox_exporter's metrics ({@link BlackboxMetrics}), or with {@code debug=true} the probe's
 * log, those metrics and the module. Parameters are read as blackbox_exporter reads them: {@code module} defaults to
 * {@code http_2xx}, {@code target} is decoded once more, and the probe's timeout is the module's, else Prometheus'
 * scrape timeout ({@code X-Prometheus-Scrape-Timeout-Seconds}, 120 s without it) less {@code probe.timeoutOffset},
 * never over {@code probe.maxTimeout}.
 *
 * <p>Bounds, since whoever reaches {@code /probe} makes the agent probe for them: at most {@code probe.maxInFlight}
 * probes at once (more are answered 503), and only targets {@code probe.allow} allows (others 403), checked against
 * the name the target gives and against each address dialled ({@link AllowList}). Runs on the server's event loop; the
 * probe itself runs on a probe loop.
 */
public final class ProbeEndpoint implements Handler<HttpServerRequest> {
    /** blackbox_exporter's default module. */
    public static final String DEFAULT_MODULE = "http_2xx";
    /** blackbox_exporter's timeout when Prometheus sends none. */
    static final double DEFAULT_SCRAPE_TIMEOUT_SECONDS = 120;

    static final String SUCCESS = "success";
    static final String FAILURE = "failure";
    static final String REFUSED = "refused";
    static final String BUSY = "busy";
    static final String INVALID = "invalid";

    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());

    private final Vertx vertx;
    private final MeterRegistry registry;
    private final Supplier<ProbeConfig> config;
    private final Supplier<ProbeModules> offered;
    private final BiFunction<TargetSpec, Attempt, Future<ProbeResult>> probes;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private ProbeConfig compiledFrom;
    private AllowList allow;

    /**
     * {@code config}: the {@code probe} block in force and {@code offered}, its modules (both read for each request, so
     * a reload applies to the next); {@code probes}: runs one attempt of a target on a probe loop.
     */
    public ProbeEndpoint(
            Vertx vertx,
            MeterRegistry registry,
            Supplier<ProbeConfig> config,
            Supplier<ProbeModules> offered,
            BiFunction<TargetSpec, Attempt, Future<ProbeResult>> probes,
            Clock clock) {
        this.vertx = vertx;
        this.registry = registry;
        this.config = config;
        this.offered = offered;
        this.probes = probes;
        this.clock = clock;
    }

    /** Probes running now. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public void handle(HttpServerRequest request) {
        ProbeConfig settings = config.get();
        if (!settings.enabled()) {
            answer(
                    request,
                    404,
                    "/probe is off: this agent's config has no probe.modules and no probe.modulesFile (see docs/agent.md, /probe)");
            return;
        }
        Map<String, Module> modules = offered.get().modules();
        if (settings != compiledFrom) {
            allow = settings.allow().list();
            compiledFrom = settings;
        }
        String moduleName = request.getParam("module");
        if (moduleName == null || moduleName.isEmpty()) {
            moduleName = DEFAULT_MODULE;
        }
        Module module = modules.get(moduleName);
        if (module == null) {
            count("", INVALID);
            answer(
                    request,
                    400,
                    String.format(
                            "Unknown module %s (known: %s)", quoted(moduleName), String.join(", ", modules.keySet())));
            return;
        }
        String target = request.getParam("target");
        if (target == null || target.isEmpty()) {
            count(module.name(), INVALID);
            answer(request, 400, "Target parameter is missing");
            return;
        }
        try {
            // blackbox_exporter unescapes the target once more (a target sent escaped twice), keeping it when it
            // cannot.
            target = URLDecoder.decode(target, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // kept as sent
        }
        Duration timeout;
        try {
            timeout = timeout(request.getHeader("X-Prometheus-Scrape-Timeout-Seconds"), module, settings);
        } catch (NumberFormatException e) {
            count(module.name(), INVALID);
            answer(request, 500, "Failed to parse timeout from Prometheus header: " + e.getMessage());
            return;
        }
        TargetSpec spec;
        try {
            spec = module.target(target, timeout);
        } catch (InvalidDocumentException | IllegalArgumentException e) {
            count(module.name(), INVALID);
            answer(
                    request,
                    400,
                    "Bad target " + quoted(target) + " for module " + module.name() + ": " + e.getMessage());
            return;
        }
        Attempt attempt = new Attempt(Module.TARGET_NAME, clock.millis(), System.nanoTime());
        boolean debug = "true".equals(request.getParam("debug"));
        if (debug) {
            attempt.explaining();
        }
        String refused;
        try {
            refused = settings.allow().anyTarget() ? null : admit(spec, target, attempt);
        } catch (IllegalArgumentException e) {
            count(module.name(), INVALID);
            answer(request, 400, "Bad target " + quoted(target) + ": " + e.getMessage());
            return;
        }
        if (refused != null) {
            count(module.name(), REFUSED);
            answer(request, 403, refused);
            return;
        }
        if (inFlight.incrementAndGet() > settings.maxInFlight()) {
            inFlight.decrementAndGet();
            count(module.name(), BUSY);
            answer(
                    request,
                    503,
                    "too many probes in flight: " + settings.maxInFlight()
                            + " are running (probe.maxInFlight); try again later");
            return;
        }
        String shown = target;
        attempt.explain(() -> "beginning probe: module " + module.name() + " (" + module.prober() + "), target " + shown
                + ", timeout " + Durations.format(timeout));
        Context here = vertx.getOrCreateContext();
        probes.apply(spec, attempt)
                .onComplete(done -> here.runOnContext(v -> {
                    inFlight.decrementAndGet();
                    if (done.failed()) { // the runner completes with a result; this is a defect, said as such
                        count(module.name(), FAILURE);
                        answer(request, 500, "the probe did not complete: " + done.cause());
                        return;
                    }
                    respond(request, module, shown, timeout, attempt, done.result(), debug);
                }));
    }

    /**
     * Null when {@code spec} may be probed (and, for probers that dial, every address it dials checked on the way);
     * else why not, for a 403.
     */
    private String admit(TargetSpec spec, String target, Attempt attempt) {
        String[] hostPort = hostAndPort(spec.probe());
        String host = hostPort[0];
        int port = Integer.parseInt(hostPort[1]);
        boolean dials = spec.dns() == null;
        boolean byItself = allow.allowsHost(host, port);
        if (!byItself && !(dials && !AllowList.isAddress(host) && allow.hasAddresses())) {
            return "target " + quoted(target) + " (" + describe(host, port) + ") is not allowed: add it to "
                    + "probe.allow.targets in the agent's config (or set probe.allow.anyTarget: true to allow any)";
        }
        if (dials) {
            attempt.checkDials((dialledHost, address, dialledPort) ->
                    allow.allowsHost(dialledHost, dialledPort) || allow.allowsAddress(address, dialledPort)
                            ? null
                            : "target " + quoted(target) + ": " + describe(dialledHost, dialledPort)
                                    + (dialledHost.equals(address) ? "" : " (address " + address + ")")
                                    + " is not allowed: add it to probe.allow.targets in the agent's config (or set "
                                    + "probe.allow.anyTarget: true to allow any)");
        }
        return null;
    }

    private static String describe(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The host and port a probe is sent to (a dns probe: its server). */
    private static String[] hostAndPort(ProbeSpec probe) {
        return probe.accept(new ProbeSpec.Visitor<>() {
            @Override
            public String[] http(HttpSpec spec) {
                return new String[] {spec.host(), Integer.toString(spec.port())};
            }

            @Override
            public String[] tcp(TcpSpec spec) {
                return new String[] {spec.host(), Integer.toString(spec.port())};
            }

            @Override
            public String[] tls(TlsSpec spec) {
                return new String[] {spec.host(), Integer.toString(spec.port())};
            }

            @Override
            public String[] dns(DnsSpec spec) {
                DnsSpec.Server server = spec.parsedServers().get(0);
                return new String[] {server.host(), Integer.toString(server.port())};
            }

            @Override
            public String[] grpc(GrpcSpec spec) {
                return new String[] {spec.host(), Integer.toString(spec.port())};
            }
        });
    }

    /**
     * blackbox_exporter's timeout: the scrape timeout Prometheus sends (120 s when it sends none) less the offset, or
     * the module's own when that is shorter (or the offset leaves nothing); never over {@code probe.maxTimeout}.
     */
    static Duration timeout(String header, Module module, ProbeConfig settings) {
        double scrape = header == null || header.isBlank() ? 0 : Double.parseDouble(header.trim());
        if (Double.isNaN(scrape) || Double.isInfinite(scrape)) {
            throw new NumberFormatException("'" + header + "' is not a number of seconds");
        }
        if (scrape == 0) {
            scrape = DEFAULT_SCRAPE_TIMEOUT_SECONDS;
        }
        double left = scrape - settings.timeoutOffset().toMillis() / 1000.0;
        double moduleSeconds = module.timeout() == null ? 0 : module.timeout().toMillis() / 1000.0;
        double seconds = moduleSeconds > 0 && moduleSeconds < left || left < 0 ? moduleSeconds : left;
        long millis = Math.min(Math.round(seconds * 1000), settings.maxTimeout().toMillis());
        // A target's shortest timeout: a scrape timeout under the offset leaves the probe this long, not nothing.
        return Duration.ofMillis(Math.max(millis, 10));
    }

    private void respond(
            HttpServerRequest request,
            Module module,
            String target,
            Duration timeout,
            Attempt attempt,
            ProbeResult result,
            boolean debug) {
        if (attempt.refused() != null) {
            count(module.name(), REFUSED);
            answer(request, 403, attempt.refused());
            return;
        }
        count(module.name(), result.success() ? SUCCESS : FAILURE);
        String metrics = BlackboxMetrics.render(module.prober(), result, attempt.facts());
        if (!debug) {
            request.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics);
            return;
        }
        StringBuilder text = new StringBuilder("Logs for the probe:\n");
        text.append("module: ")
                .append(module.name())
                .append(" (")
                .append(module.prober())
                .append(")\n");
        text.append("target: ").append(target).append('\n');
        text.append("timeout: ").append(Durations.format(timeout)).append('\n');
        for (String line : attempt.explanation()) {
            text.append(line).append('\n');
        }
        text.append("address dialled: ")
                .append(result.address() == null ? "none" : result.address())
                .append('\n');
        text.append("result: ").append(result.success() ? "success" : "failure");
        if (!result.success()) {
            text.append(", reason ")
                    .append(result.reason().label())
                    .append(": ")
                    .append(result.message());
        }
        text.append("\n\n\n\nMetrics that would have been returned:\n").append(metrics);
        text.append("\n\n\nModule configuration:\n").append(yaml(module));
        request.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(text.toString());
    }

    /**
     * The module as the agent's config would write it, each header's value shown as {@code <secret>} (as
     * blackbox_exporter shows its secrets): a module file's {@code basic_auth} and {@code bearer_token} are headers here,
     * and whoever may ask for {@code debug=true} need not read them.
     */
    static String yaml(Module module) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("prober", module.prober());
        if (module.timeout() != null) {
            node.put("timeout", Durations.format(module.timeout()));
        }
        ObjectNode protocol = module.template().get(module.prober()).deepCopy();
        if (protocol.get("headers") instanceof ObjectNode headers) {
            headers.fieldNames().forEachRemaining(name -> headers.put(name, "<secret>"));
        }
        node.set(module.prober(), protocol);
        try {
            return YAML.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return "(not writable: " + e.getMessage() + ")\n";
        }
    }

    private void count(String module, String outcome) {
        Counter.builder(MetricNames.PROBE_REQUESTS)
                .tag(MetricNames.TAG_MODULE, module)
                .tag(MetricNames.TAG_OUTCOME, outcome)
                .description("/probe requests by module and outcome: success, failure (the probe ran), refused (target "
                        + "not allowed), busy (probe.maxInFlight reached), invalid (bad parameters)")
                .register(registry)
                .increment();
    }

    private static void answer(HttpServerRequest request, int status, String message) {
        request.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(message + "\n");
    }

    /** Go's %q, near enough for a message: the value in double quotes, quotes and backslashes escaped. */
    static String quoted(String value) {
        String shown = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        StringBuilder text = new StringBuilder("\"");
        for (char c : shown.toCharArray()) {
            if (c == '"' || c == '\\') {
                text.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                text.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                text.append(c);
            }
        }
        return text.append('"').toString();
    }
}
