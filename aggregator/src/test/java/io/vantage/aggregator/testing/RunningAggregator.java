package io.vantage.aggregator.testing;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.Aggregator;
import io.vantage.aggregator.config.AggregatorConfigLoader;
import io.vantage.runtime.Startup;
import io.vantage.testing.AggregatorYaml;
import io.vantage.wire.Documents;
import io.vantage.wire.Headers;
import io.vantage.wire.report.ReportBatch;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** The production aggregator, started in-process from YAML, with a plain HTTP client to talk to it. */
public final class RunningAggregator implements AutoCloseable {
    public static final Map<String, String> TOKENS = Map.of(
            "TOKEN_A", "token-of-agent-a-0123456789",
            "TOKEN_B", "token-of-agent-b-0123456789",
            "TOKEN_C", "token-of-agent-c-0123456789");
    public static final String AGENTS = agents().yaml();

    /** A config of the three vantage points every in-process aggregator knows, their tokens in {@link #TOKENS}. */
    public static AggregatorYaml agents() {
        return AggregatorYaml.aggregator()
                .agentWithTokenEnv("agent-a", "us-east-1", "TOKEN_A")
                .agentWithTokenEnv("agent-b", "eu-west-1", "TOKEN_B")
                .agentWithTokenEnv("agent-c", "ap-southeast-2", "TOKEN_C");
    }

    private final Vertx vertx;
    private final Aggregator aggregator;
    private final PrometheusMeterRegistry registry;
    private final HttpClient http = HttpClient.newHttpClient();

    private RunningAggregator(Vertx vertx, Aggregator aggregator, PrometheusMeterRegistry registry) {
        this.vertx = vertx;
        this.aggregator = aggregator;
        this.registry = registry;
    }

    /**
     * {@code yaml} is the config minus {@code server} (loopback, any free port, the full status for any reader: tests
     * of what a reader without the token sees set their own) and {@code agents} ({@link #AGENTS}).
     */
    public static RunningAggregator start(String yaml) {
        return start(AGENTS, yaml);
    }

    /** As {@link #start(String)}, with {@code agents} (the {@code agents} section, e.g. {@link #agents()} tuned). */
    public static RunningAggregator start(String agents, String yaml) {
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry);
        String config = "server: {host: 127.0.0.1, port: 0, anonymousStatus: full}\n" + agents + yaml;
        Aggregator aggregator = new Aggregator(
                new AggregatorConfigLoader(TOKENS).parse(config, null),
                null,
                null,
                registry,
                Clock.systemUTC(),
                Optional.empty());
        vertx.deployVerticle(aggregator).await();
        return new RunningAggregator(vertx, aggregator, registry);
    }

    /** From a file, which the aggregator then watches and reloads; relative token paths resolve against its folder. */
    public static RunningAggregator startFromFile(Path file) {
        return startFromFile(file, new VertxOptions());
    }

    /** As {@link #startFromFile(java.nio.file.Path)}, on Vert.x built from {@code options}. */
    public static RunningAggregator startFromFile(Path file, VertxOptions options) {
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry, options);
        AggregatorConfigLoader loader = new AggregatorConfigLoader(TOKENS);
        Aggregator aggregator =
                new Aggregator(loader.load(file), file, loader, registry, Clock.systemUTC(), Optional.empty());
        vertx.deployVerticle(aggregator).await();
        return new RunningAggregator(vertx, aggregator, registry);
    }

    public Aggregator aggregator() {
        return aggregator;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + aggregator.port() + path;
    }

    public HttpResponse<String> post(String token, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url("/v1/reports")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String token, ReportBatch batch) throws IOException, InterruptedException {
        return post(token, Documents.writeJson(batch));
    }

    /** {@code batch} from the process {@code instance} (its Vantage-Instance header). */
    public HttpResponse<String> post(String token, String instance, ReportBatch batch)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url("/v1/reports")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Documents.writeJson(batch)))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .header(Headers.INSTANCE, instance)
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET /v1/targets} as the process {@code instance} of the agent with {@code token} fetches its share. */
    public HttpResponse<String> share(String token, String instance) throws IOException, InterruptedException {
        return get("/v1/targets", Map.of("Authorization", "Bearer " + token, Headers.INSTANCE, instance));
    }

    public HttpResponse<String> get(String path, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public String verdict(String target) {
        return aggregator.snapshot().targets().stream()
                .filter(t -> t.name().equals(target))
                .findFirst()
                .map(t -> t.verdict())
                .orElse("absent");
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
