package io.vantage.testing;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real OTLP/HTTP metrics receiver on 127.0.0.1, as an OpenTelemetry Collector's {@code otlp} receiver takes them:
 * {@code POST /v1/metrics} of {@code application/x-protobuf}, decoded with the official generated classes
 * ({@code ExportMetricsServiceRequest.parseFrom}), each request kept with its headers. It answers 200 with an empty
 * {@code ExportMetricsServiceResponse}, or the status a test sets ({@link #answer}); a body that does not decode gets 400
 * and is kept as a {@link #malformed()} count.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One request: its headers (names lower-cased) and what it decoded to. */
    public record Received(Map<String, String> headers, ExportMetricsServiceRequest request, int bytes) {
        /** The first resource's attributes, as strings. */
        public Map<String, String> resource() {
            Map<String, String> attributes = new LinkedHashMap<>();
            for (KeyValue attribute :
                    request.getResourceMetrics(0).getResource().getAttributesList()) {
                attributes.put(attribute.getKey(), text(attribute.getValue()));
            }
            return attributes;
        }

        /** Every metric of the request, across its resources and scopes. */
        public List<Metric> metrics() {
            List<Metric> metrics = new ArrayList<>();
            for (ResourceMetrics resource : request.getResourceMetricsList()) {
                for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                    metrics.addAll(scope.getMetricsList());
                }
            }
            return metrics;
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile int malformed;

    private OtlpReceiver(Vertx vertx) {
        this.server = vertx.createHttpServer(
                new HttpServerOptions().setHost("127.0.0.1").setPort(0));
        server.requestHandler(request -> {
            if (!request.path().equals("/v1/metrics")
                    || !request.method().name().equals("POST")) {
                request.response().setStatusCode(404).end();
                return;
            }
            request.body().onSuccess(body -> {
                ExportMetricsServiceRequest decoded;
                try {
                    decoded = ExportMetricsServiceRequest.parseFrom(body.getBytes());
                } catch (Exception e) {
                    malformed++;
                    request.response().setStatusCode(400).end(e.getMessage());
                    return;
                }
                Map<String, String> headers = new LinkedHashMap<>();
                request.headers().forEach(header -> headers.put(header.getKey().toLowerCase(), header.getValue()));
                received.add(new Received(headers, decoded, body.length()));
                request.response()
                        .setStatusCode(status)
                        .putHeader("content-type", "application/x-protobuf")
                        .end(
                                status == 200
                                        ? Buffer.buffer(ExportMetricsServiceResponse.getDefaultInstance()
                                                .toByteArray())
                                        : Buffer.buffer());
            });
        });
    }

    public static OtlpReceiver start(Vertx vertx) {
        OtlpReceiver receiver = new OtlpReceiver(vertx);
        receiver.server.listen().await();
        return receiver;
    }

    /** The URL to export to: {@code http://127.0.0.1:PORT/v1/metrics}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1/metrics";
    }

    /** The status code to answer from now on (200 by default). */
    public void answer(int status) {
        this.status = status;
    }

    /** Every request received so far, decoded, oldest first. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Requests whose body was not an ExportMetricsServiceRequest. */
    public int malformed() {
        return malformed;
    }

    /**
     * The latest number point of metric {@code name} whose attributes include {@code attributes} (key, value pairs,
     * values compared as text), from the latest request that has one.
     */
    public Optional<NumberDataPoint> latest(String name, String... attributes) {
        List<Received> all = received();
        for (int i = all.size() - 1; i >= 0; i--) {
            for (Metric metric : all.get(i).metrics()) {
                if (!metric.getName().equals(name)) {
                    continue;
                }
                List<NumberDataPoint> points = metric.hasGauge()
                        ? metric.getGauge().getDataPointsList()
                        : metric.getSum().getDataPointsList();
                for (NumberDataPoint point : points) {
                    if (has(point.getAttributesList(), attributes)) {
                        return Optional.of(point);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The latest metric named {@code name} (its type, unit, description), from the latest request that has it. */
    public Optional<Metric> metric(String name) {
        List<Received> all = received();
        for (int i = all.size() - 1; i >= 0; i--) {
            for (Metric metric : all.get(i).metrics()) {
                if (metric.getName().equals(name)) {
                    return Optional.of(metric);
                }
            }
        }
        return Optional.empty();
    }

    /** A point's attributes as strings. */
    public static Map<String, String> attributes(List<KeyValue> attributes) {
        Map<String, String> map = new LinkedHashMap<>();
        attributes.forEach(attribute -> map.put(attribute.getKey(), text(attribute.getValue())));
        return map;
    }

    /** A point's value, whichever of double and int it is. */
    public static double value(NumberDataPoint point) {
        return point.hasAsInt() ? point.getAsInt() : point.getAsDouble();
    }

    private static boolean has(List<KeyValue> attributes, String... wanted) {
        Map<String, String> map = attributes(attributes);
        for (int i = 0; i < wanted.length; i += 2) {
            if (!wanted[i + 1].equals(map.get(wanted[i]))) {
                return false;
            }
        }
        return true;
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> String.valueOf(value.getIntValue());
            case DOUBLE_VALUE -> String.valueOf(value.getDoubleValue());
            case BOOL_VALUE -> String.valueOf(value.getBoolValue());
            default -> value.toString();
        };
    }

    @Override
    public void close() {
        server.close().await();
    }
}
