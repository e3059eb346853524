package io.vantage.runtime.otlp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a process's metrics to an OTLP/HTTP endpoint every interval: {@code POST} of {@code application/x-protobuf}
 * {@code ExportMetricsServiceRequest}s of about {@link #REQUEST_BYTES} at most, one at a time, each streamed (chunked)
 * from parts of the process's {@link OtlpParts} of about {@link OtlpWriter#PART_BYTES}: an export holds one small part
 * at a time, however many targets it describes. The parts are written on worker threads and sent by the process's
 * Vert.x, so no event loop waits for either. An export whose request fails stops there (the next interval sends every
 * value again: sums are cumulative); an interval that comes while the previous export still runs is skipped. Each
 * request is counted in {@value #EXPORTS} by outcome, and a failure is logged when it starts and when it changes, never
 * the headers (they carry credentials).
 */
public final class OtlpExporter {
    public static final String EXPORTS = "vantage.otlp.exports";
    /**
     * About how many bytes one request carries: a request ends with the part that takes it past this, so requests stay
     * well within what collectors accept (the Collector's OTLP/HTTP receiver takes 20 MiB by default).
     */
    public static final int REQUEST_BYTES = 4 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(OtlpExporter.class);

    /** Where to, with which headers (credentials among them), how often, and how long one request may take. */
    public record Settings(URI endpoint, Map<String, String> headers, Duration interval, Duration timeout) {
        public Settings {
            Objects.requireNonNull(endpoint, "endpoint");
            headers = Map.copyOf(headers);
        }

        @Override
        public String toString() {
            return "Settings[endpoint=" + shown(endpoint) + ", headers=" + headers.keySet() + ", interval=" + interval
                    + ", timeout=" + timeout + "]";
        }
    }

    private final Vertx vertx;
    private final Settings settings;
    private final Supplier<OtlpParts> source;
    private final Clock clock;
    private final OtlpWriter writer;
    private final HttpClient client;
    private final Counter succeeded;
    private final Counter failed;
    private final Counter skipped;
    private long timer = -1;
    private boolean exporting;
    /** The latest export's failure, null after a success: what the log has said. */
    private String problem;

    /**
     * {@code source} gives each export its parts; {@code resource} are the resource's attributes (key, value pairs),
     * {@code scopeName} and {@code scopeVersion} name the program. Call from the process's verticle: its callbacks
     * run on that context.
     */
    public OtlpExporter(
            Vertx vertx,
            Settings settings,
            List<String> resource,
            String scopeName,
            String scopeVersion,
            Supplier<OtlpParts> source,
            MeterRegistry registry,
            Clock clock) {
        this.vertx = vertx;
        this.settings = settings;
        this.source = source;
        this.clock = clock;
        this.writer = new OtlpWriter(resource, scopeName, scopeVersion);
        boolean https = "https".equalsIgnoreCase(settings.endpoint().getScheme());
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setSsl(https)
                .setVerifyHost(true)
                .setConnectTimeout((int) settings.timeout().toMillis())
                .setKeepAlive(true));
        this.succeeded = counter(registry, "success", "answered 2xx");
        this.failed = counter(registry, "failure", "refused, failed or timed out");
        this.skipped = counter(registry, "skipped", "not started: the previous export was still running");
    }

    private static Counter counter(MeterRegistry registry, String outcome, String what) {
        return Counter.builder(EXPORTS)
                .tag("outcome", outcome)
                .description("OTLP export requests by outcome (success: answered 2xx; failure: refused, failed or "
                        + "timed out; skipped: an interval came while the previous export still ran)")
                .register(registry);
    }

    /** Exports every interval from now on, the first after one interval. */
    public void start() {
        timer = vertx.setPeriodic(settings.interval().toMillis(), tick -> export());
        LOG.info(
                "OTLP: exporting metrics to {} every {}",
                shown(settings.endpoint()),
                settings.interval().toMillis() / 1000.0 + " s");
    }

    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return client.close();
    }

    /** One export now, unless one is still running; completes when it ended (whatever its outcome). */
    public Future<Void> export() {
        if (exporting) {
            skipped.increment();
            return Future.succeededFuture();
        }
        exporting = true;
        long nowNanos = clock.millis() * 1_000_000;
        return next(source.get(), nowNanos).andThen(done -> exporting = false);
    }

    /** A built part, and whether more follow it. */
    private record Part(Buffer bytes, boolean more) {}

    /** Sends the export's requests one after the other; ends at the first failure. */
    private Future<Void> next(OtlpParts parts, long nowNanos) {
        return request(parts, nowNanos)
                .andThen(sent -> {
                    if (sent.succeeded()) {
                        succeeded.increment();
                        said(null);
                    } else {
                        failed.increment();
                        said(describe(sent.cause()));
                    }
                })
                .compose(
                        more -> more ? next(parts, nowNanos) : Future.succeededFuture(),
                        failed -> Future.succeededFuture());
    }

    /**
     * One request: parts streamed into its body as they are built (each part is an {@code ExportMetricsServiceRequest}
     * of one resource, and concatenated they are one request holding them all), up to {@link #REQUEST_BYTES}; completes
     * with whether parts remain for another request once a 2xx answered.
     */
    private Future<Boolean> request(OtlpParts parts, long nowNanos) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(settings.endpoint().toString())
                .setTimeout(settings.timeout().toMillis())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/x-protobuf");
        settings.headers().forEach(options::putHeader);
        return client.request(options).compose(request -> {
            request.setChunked(true);
            Promise<Boolean> written = Promise.promise();
            Future<HttpClientResponse> answered = request.response();
            answered.onFailure(written::tryFail);
            write(request, parts, nowNanos, 0, written);
            return written.future()
                    .compose(more -> answered.compose(response -> response.end()
                            .compose(ended -> response.statusCode() / 100 == 2
                                    ? Future.succeededFuture(more)
                                    : Future.failedFuture(new StatusException(response.statusCode())))));
        });
    }

    /** Builds the next part on a worker thread and writes it, until the request is full or no part is left. */
    private void write(HttpClientRequest request, OtlpParts parts, long nowNanos, long sent, Promise<Boolean> written) {
        vertx.executeBlocking(
                        () -> {
                            writer.start(nowNanos);
                            boolean more = parts.next(writer);
                            return new Part(Buffer.buffer(writer.finish()), more);
                        },
                        false)
                .onComplete(built -> {
                    if (written.future().isComplete()) {
                        return; // the request failed meanwhile
                    }
                    if (built.failed()) {
                        request.reset(0, built.cause());
                        written.tryFail(built.cause());
                        return;
                    }
                    Part part = built.result();
                    long total = sent + part.bytes().length();
                    if (!part.more() || total >= REQUEST_BYTES) {
                        request.end(part.bytes()).onComplete(ended -> {
                            if (ended.failed()) {
                                written.tryFail(ended.cause());
                            } else {
                                written.tryComplete(part.more());
                            }
                        });
                        return;
                    }
                    request.write(part.bytes()).onFailure(written::tryFail);
                    if (request.writeQueueFull()) {
                        request.drainHandler(drained -> {
                            request.drainHandler(null);
                            write(request, parts, nowNanos, total, written);
                        });
                    } else {
                        write(request, parts, nowNanos, total, written);
                    }
                });
    }

    /** Logs a failure when it starts or changes, and the recovery. */
    private void said(String now) {
        if (Objects.equals(now, problem)) {
            return;
        }
        if (now == null) {
            LOG.info("OTLP: export to {} works again", shown(settings.endpoint()));
        } else {
            LOG.warn(
                    "OTLP: export to {} failed: {}; trying again every interval, counted in vantage_otlp_exports_total{outcome=\"failure\"}",
                    shown(settings.endpoint()),
                    now);
        }
        problem = now;
    }

    private static String describe(Throwable cause) {
        if (cause instanceof StatusException status) {
            return "HTTP " + status.status;
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    /** The endpoint as logs show it: without its query (where a key could hide). */
    private static String shown(URI endpoint) {
        return endpoint.getScheme() + "://" + endpoint.getRawAuthority()
                + (endpoint.getRawPath() == null ? "" : endpoint.getRawPath());
    }

    /** An answer that is not 2xx. */
    private static final class StatusException extends RuntimeException {
        final int status;

        StatusException(int status) {
            super("HTTP " + status, null, false, false);
            this.status = status;
        }
    }
}
