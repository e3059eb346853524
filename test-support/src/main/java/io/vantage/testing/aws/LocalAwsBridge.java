package io.vantage.testing.aws;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * A development tool (tests and the docker-compose demo) in front of moto_server, the AWS emulator. The SDK (2.57.x) speaks Smithy RPC v2 CBOR to CloudWatch, which
 * moto does not; moto speaks CloudWatch's JSON 1.0 protocol. The bridge only translates — CBOR body to JSON
 * and back, operation from the path to {@code X-Amz-Target}, timestamps from CBOR tag 1 to epoch seconds and
 * back — and passes every other request (Route 53's REST-XML) through unchanged. CloudWatch semantics stay
 * moto's. It records every request it sees, so tests can assert on what was sent (including what moto drops),
 * and it can answer an operation with an injected error instead of forwarding it. One Route 53 operation moto lacks,
 * GetAccountLimit for the number of health checks, the bridge answers itself (see {@link #healthCheckLimit}).
 */
public final class LocalAwsBridge implements AutoCloseable {
    private static final String CLOUDWATCH_PREFIX = "/service/GraniteServiceVersion20100801/operation/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

    /**
     * One request as the SDK sent it: CloudWatch operations decoded to JSON, others as raw text; when it
     * arrived (epoch millis) and from which address.
     */
    public record Seen(
            String service, String operation, String method, String path, String body, long at, String from) {
        /** A PutMetricData's values of {@code metric} for dimension value {@code target}, in the order sent. */
        public List<Double> datums(String metric, String target) {
            List<Double> values = new ArrayList<>();
            try {
                for (JsonNode datum : JSON.readTree(body).path("MetricData")) {
                    if (datum.path("MetricName").asText().equals(metric)
                            && datum.path("Dimensions")
                                    .path(0)
                                    .path("Value")
                                    .asText()
                                    .equals(target)) {
                        values.add(datum.path("Value").asDouble());
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("a captured PutMetricData is not JSON: " + e.getMessage(), e);
            }
            return values;
        }
    }

    /** Every value of {@code metric} for {@code target} that reached CloudWatch at or after {@code since}, in order. */
    public List<Double> datums(String metric, String target, long since) {
        List<Double> values = new ArrayList<>();
        for (Seen call : seen("PutMetricData")) {
            if (call.at() >= since) {
                values.addAll(call.datums(metric, target));
            }
        }
        return values;
    }

    private record Fault(int status, String type, AtomicInteger remaining) {}

    /** Route 53's default of MAX_HEALTH_CHECKS_BY_OWNER (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html). */
    public static final long DEFAULT_HEALTH_CHECK_LIMIT = 200;

    private static final String HEALTH_CHECK_LIMIT = "GET /2013-04-01/accountlimit/MAX_HEALTH_CHECKS_BY_OWNER";

    private final HttpServer server;
    private final HttpClientAgent client;
    private final String motoHost;
    private final int motoPort;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile Consumer<Seen> listener = seen::add;
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private volatile long healthCheckLimit = DEFAULT_HEALTH_CHECK_LIMIT;

    private LocalAwsBridge(Vertx vertx, String motoHost, int motoPort) {
        this.motoHost = motoHost;
        this.motoPort = motoPort;
        this.client = vertx.createHttpClient();
        this.server = vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> handle(request, body)));
    }

    /** Listens on {@code host:port} (port 0: any free port) and forwards to moto at {@code motoHost:motoPort}. */
    public static Future<LocalAwsBridge> start(Vertx vertx, String host, int port, String motoHost, int motoPort) {
        LocalAwsBridge bridge = new LocalAwsBridge(vertx, motoHost, motoPort);
        return bridge.server.listen(port, host).map(listening -> bridge);
    }

    public int port() {
        return server.actualPort();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public List<Seen> seen(String operation) {
        return seen.stream().filter(s -> s.operation().equals(operation)).toList();
    }

    /**
     * Hands every request it sees to {@code listener} instead of recording it: a bridge that runs for hours (the compose
     * demo's) keeps nothing, and {@link #seen()} stays empty.
     */
    public LocalAwsBridge onRequest(Consumer<Seen> listener) {
        this.listener = listener;
        return this;
    }

    public void clear() {
        seen.clear();
        faults.clear();
        healthCheckLimit = DEFAULT_HEALTH_CHECK_LIMIT;
    }

    /**
     * The account's limit of health checks, as GetAccountLimit (MAX_HEALTH_CHECKS_BY_OWNER) answers it until
     * {@link #clear}; its count is the number of health checks moto holds. moto does not implement GetAccountLimit.
     */
    public void healthCheckLimit(long limit) {
        healthCheckLimit = limit;
    }

    /**
     * The next {@code times} calls of {@code operation} (as in {@link #seen(String)}, e.g. {@code PutMetricData} or
     * {@code POST /2013-04-01/hostedzone/{zone}/rrset/}) get {@code status} with error {@code type}, not moto's answer.
     */
    public void fail(String operation, int times, int status, String type) {
        faults.put(operation, new Fault(status, type, new AtomicInteger(times)));
    }

    private void handle(HttpServerRequest request, Buffer body) {
        String path = request.path();
        if (path.startsWith(CLOUDWATCH_PREFIX)) {
            cloudWatch(request, path.substring(CLOUDWATCH_PREFIX.length()), body);
        } else {
            String operation = request.method() + " "
                    + path.replaceAll("/[A-Za-z0-9-]{36}", "/{id}")
                            .replaceAll("/hostedzone/[A-Z0-9]+", "/hostedzone/{zone}");
            listener.accept(new Seen(
                    "route53",
                    operation,
                    request.method().name(),
                    request.uri(),
                    body.toString(),
                    System.currentTimeMillis(),
                    request.remoteAddress().host()));
            Fault fault = faults.get(operation);
            if (fault != null && fault.remaining().getAndDecrement() > 0) {
                request.response()
                        .setStatusCode(fault.status())
                        .putHeader("Content-Type", "text/xml")
                        .end(
                                "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type>"
                                        + "<Code>" + fault.type()
                                        + "</Code><Message>injected by the test bridge</Message></Error>"
                                        + "<RequestId>bridge</RequestId></ErrorResponse>");
                return;
            }
            if (operation.equals(HEALTH_CHECK_LIMIT)) {
                answerHealthCheckLimit(request);
                return;
            }
            forward(request.method(), request.uri(), request.headers(), body)
                    .onComplete(answer -> relay(request, answer));
        }
    }

    /** GetAccountLimit for health checks: the limit set, and the count of moto's health checks (it lists all at once). */
    private void answerHealthCheckLimit(HttpServerRequest request) {
        forward(HttpMethod.GET, "/2013-04-01/healthcheck", request.headers(), Buffer.buffer())
                .onComplete(answer -> {
                    if (answer.failed() || answer.result().status() != 200) {
                        request.response().setStatusCode(502).end("bridge: moto did not list its health checks");
                        return;
                    }
                    String listed = answer.result().body().toString();
                    long count = (listed.length()
                                    - listed.replace("<HealthCheck>", "").length())
                            / "<HealthCheck>".length();
                    request.response()
                            .putHeader("Content-Type", "text/xml")
                            .end("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                    + "<GetAccountLimitResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
                                    + "<Limit><Type>MAX_HEALTH_CHECKS_BY_OWNER</Type><Value>" + healthCheckLimit
                                    + "</Value></Limit><Count>" + count + "</Count></GetAccountLimitResponse>");
                });
    }

    private void cloudWatch(HttpServerRequest request, String operation, Buffer body) {
        JsonNode input;
        try {
            byte[] bytes = body.getBytes();
            if ("gzip".equalsIgnoreCase(request.getHeader("Content-Encoding"))) {
                // The SDK compresses large PutMetricData payloads (CloudWatch's requestCompression trait).
                bytes = new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
            }
            input = bytes.length == 0 ? JSON.createObjectNode() : CBOR.readTree(bytes);
        } catch (IOException e) {
            request.response().setStatusCode(400).end("bridge: unreadable CBOR: " + e.getMessage());
            return;
        }
        listener.accept(new Seen(
                "cloudwatch",
                operation,
                "POST",
                request.path(),
                input.toString(),
                System.currentTimeMillis(),
                request.remoteAddress().host()));
        Fault fault = faults.get(operation);
        if (fault != null && fault.remaining().getAndDecrement() > 0) {
            ObjectNode error =
                    JSON.createObjectNode().put("__type", fault.type()).put("message", "injected by the test bridge");
            cborAnswer(request, fault.status(), error);
            return;
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("X-Amz-Target", "GraniteServiceVersion20100801." + operation)
                .add("Content-Type", "application/x-amz-json-1.0")
                .add("Authorization", String.valueOf(request.getHeader("Authorization")));
        forward(HttpMethod.POST, "/", headers, Buffer.buffer(input.toString())).onComplete(answer -> {
            if (answer.failed()) {
                request.response()
                        .setStatusCode(502)
                        .end("bridge: moto unreachable: " + answer.cause().getMessage());
                return;
            }
            try {
                JsonNode output = answer.result().body().length() == 0
                        ? JSON.createObjectNode()
                        : JSON.readTree(answer.result().body().getBytes());
                cborAnswer(request, answer.result().status(), output);
            } catch (IOException e) {
                request.response().setStatusCode(502).end("bridge: moto answered something that is not JSON");
            }
        });
    }

    private record Answer(int status, MultiMap headers, Buffer body) {}

    private Future<Answer> forward(HttpMethod method, String uri, MultiMap headers, Buffer body) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(motoHost)
                .setPort(motoPort)
                .setURI(uri);
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                options.addHeader(name, value);
            }
        });
        return client.request(options)
                .compose(request -> request.send(body))
                .compose(response ->
                        response.body().map(answer -> new Answer(response.statusCode(), response.headers(), answer)));
    }

    private static void relay(HttpServerRequest request, AsyncResult<Answer> answer) {
        if (answer.failed()) {
            request.response().setStatusCode(502).end("bridge: moto unreachable");
            return;
        }
        var response = request.response().setStatusCode(answer.result().status());
        answer.result().headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Length")
                    && !name.equalsIgnoreCase("Transfer-Encoding")
                    && !name.equalsIgnoreCase("Connection")) {
                response.putHeader(name, value);
            }
        });
        response.end(answer.result().body());
    }

    private static void cborAnswer(HttpServerRequest request, int status, JsonNode body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator generator = ((CBORFactory) CBOR.getFactory()).createGenerator(out)) {
            write(generator, null, body);
        } catch (IOException e) {
            request.response().setStatusCode(500).end("bridge: cannot encode CBOR");
            return;
        }
        request.response()
                .setStatusCode(status)
                .putHeader("smithy-protocol", "rpc-v2-cbor")
                .putHeader("Content-Type", "application/cbor")
                .end(Buffer.buffer(out.toByteArray()));
    }

    /** JSON to CBOR; numbers under a timestamp-named member become CBOR tag 1 (epoch seconds), as RPC v2 CBOR wants. */
    private static void write(CBORGenerator generator, String member, JsonNode node) throws IOException {
        if (node.isObject()) {
            generator.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                generator.writeFieldName(field.getKey());
                write(generator, field.getKey(), field.getValue());
            }
            generator.writeEndObject();
        } else if (node.isArray()) {
            generator.writeStartArray();
            for (JsonNode element : node) {
                write(generator, member, element);
            }
            generator.writeEndArray();
        } else if (node.isNumber() && member != null && member.contains("Timestamp")) {
            generator.writeTag(1);
            generator.writeNumber(node.asDouble());
        } else if (node.isTextual()
                && member != null
                && member.contains("Timestamp")
                && looksLikeIsoTime(node.asText())) {
            generator.writeTag(1);
            generator.writeNumber(OffsetDateTime.parse(node.asText().replace(" ", "T"))
                            .toInstant()
                            .toEpochMilli()
                    / 1000.0);
        } else {
            JSON.writeTree((JsonGenerator) generator, node);
        }
    }

    private static boolean looksLikeIsoTime(String text) {
        return text.matches("\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}.*(Z|[+-]\\d{2}:\\d{2})");
    }

    @Override
    public void close() {
        server.close().await();
        client.close().await();
    }
}
