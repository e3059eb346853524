package io.vantage.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vantage.wire.report.FailureReason;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import io.vantage.wire.target.BodyAssertion;
import io.vantage.wire.target.BodyAssertion.JsonPointerAssertion;
import io.vantage.wire.target.DnsSpec;
import io.vantage.wire.target.FailoverSpec;
import io.vantage.wire.target.GrpcSpec;
import io.vantage.wire.target.HeaderExpectation;
import io.vantage.wire.target.HttpSpec;
import io.vantage.wire.target.QueryStep;
import io.vantage.wire.target.QuorumSpec;
import io.vantage.wire.target.RecordBinding;
import io.vantage.wire.target.TargetList;
import io.vantage.wire.target.TargetSpec;
import io.vantage.wire.target.TcpSpec;
import io.vantage.wire.target.TlsClientSpec;
import io.vantage.wire.target.TlsSpec;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The v1 documents agents and aggregators of different versions exchange, as golden files in
 * src/test/resources/contract: a report batch and a target list in which every field of every record is set. Each is
 * written and compared with its golden file, and the golden file is read and compared with the document, so a renamed
 * or retyped field fails here before it fails a mixed-version fleet. Regenerate on purpose with
 * {@code -Dvantage.contract.update=true}, the switch of the other contract tests (this module sits below test-support,
 * so it reads the switch itself).
 */
class WireContractTest {
    private static final String UPDATE = "vantage.contract.update";
    private static final Path GOLDEN = Path.of("src/test/resources/contract");

    static final ReportBatch REPORT_BATCH = new ReportBatch(
            1,
            "agent-eu",
            "eu-west-1",
            1_700_000_000_500L,
            List.of(
                    new ProbeResult(
                            "api",
                            1_700_000_000_000L,
                            false,
                            FailureReason.HTTP_STATUS,
                            503,
                            new PhaseTimings(0.001, 0.002, 0.01, 0.03, 0.031),
                            1_800_000_000L,
                            "status 503 is not in [200-399]",
                            List.of("192.0.2.10", "192.0.2.11"),
                            List.of("api.example.com.", "api.eu.example.net."),
                            "192.0.2.10"),
                    ProbeResult.success(
                            "db", 1_700_000_000_100L, null, new PhaseTimings(null, 0.002, null, null, 0.002), null)));

    static final TargetList TARGET_LIST = new TargetList(List.of(
            new TargetSpec(
                    "api",
                    new HttpSpec(
                            URI.create("https://192.0.2.10:8443/health?full=1"),
                            "POST",
                            Map.of("X-Probe", "vantage"),
                            "api.example.com",
                            List.of("200-299", "304"),
                            new BodyAssertion(null, null, new JsonPointerAssertion("/status", "UP")),
                            4096,
                            Duration.ofSeconds(2),
                            true,
                            true,
                            new TlsClientSpec("/etc/vantage/ca.pem", false),
                            false,
                            "{\"probe\":true}",
                            "api.internal.example.com",
                            List.of(new HeaderExpectation("Content-Type", "json", false, false)),
                            List.of("\"status\""),
                            List.of("DOWN"),
                            true,
                            List.of("HTTP/1.1"),
                            true,
                            3,
                            "1.1"),
                    null,
                    null,
                    null,
                    null,
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(5),
                    new QuorumSpec(3, 2, 2, 3, Duration.ofSeconds(30), 2, Duration.ofSeconds(45)),
                    new FailoverSpec(Duration.ofSeconds(60)),
                    new RecordBinding("Z0123456789ABC", null, "api.example.com", "A", "eu-west-1", "latency"),
                    "eu-west-1",
                    "every",
                    List.of("eu-west-1", "agent-us")),
            target("web-contains", http("https://web.example.com/", new BodyAssertion("ok", null, null), true)),
            target(
                    "web-regex",
                    http("http://web.example.com/ready", new BodyAssertion(null, "^ready\\b", null), false)),
            new TargetSpec(
                    "db",
                    null,
                    new TcpSpec(
                            "db.example.com",
                            5432,
                            List.of(
                                    new QueryStep("^220 ", "STARTTLS", false),
                                    new QueryStep(null, null, true),
                                    new QueryStep("^\\* OK", null, false)),
                            "mail.example.com",
                            new TlsClientSpec("/etc/vantage/ca.pem", false)),
                    null,
                    null,
                    null,
                    Duration.ofMinutes(1),
                    Duration.ofMillis(1500),
                    null,
                    null,
                    new RecordBinding(null, "example.com", "db.example.com", "CNAME", "primary", "failover"),
                    null,
                    "any",
                    null),
            target(
                    "cert",
                    null,
                    new TlsSpec(
                            "192.0.2.20",
                            443,
                            "api.example.com",
                            "/etc/vantage/ca.pem",
                            21,
                            List.of(new QueryStep("^\\+OK", "QUIT", false)),
                            null),
                    null),
            target(
                    "resolver",
                    null,
                    null,
                    new DnsSpec(
                            "api.example.com",
                            "AAAA",
                            List.of("192.0.2.53", "[2001:db8::53]:5353"),
                            List.of("NOERROR", "NXDOMAIN"),
                            new DnsSpec.Answer("2001:db8::", "^2001:db8::1[0-9]$", 2),
                            "tcp",
                            false,
                            new DnsSpec.Validate(
                                    new DnsSpec.Section(
                                            List.of("\\t0\\tIN\\t"),
                                            List.of("^api\\.example\\.com\\."),
                                            List.of("\\tAAAA\\t2001:db8::1$"),
                                            List.of("\\tAAAA\\t")),
                                    new DnsSpec.Section(
                                            List.of("\\tNS\\tevil\\."),
                                            List.of("^example\\.com\\."),
                                            List.of("\\tNS\\tns9\\."),
                                            List.of("\\tSOA\\t")),
                                    new DnsSpec.Section(
                                            List.of("\\tA\\t10\\."),
                                            List.of("^ns[0-9]\\.example\\.com\\."),
                                            List.of("\\tA\\t192\\.0\\.2\\.9$"),
                                            List.of("\\t(A|AAAA)\\t"))))),
            new TargetSpec(
                    "rpc",
                    null,
                    null,
                    null,
                    null,
                    new GrpcSpec(
                            "192.0.2.30", 8443, "vantage.Api", true, "rpc.example.com", "/etc/vantage/ca.pem", false),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null)));

    @Test
    void aReportBatchWithEveryFieldKeepsItsForm() throws IOException {
        assertMatchesGolden("report-batch-v1.json", REPORT_BATCH, ReportBatch.class);
    }

    @Test
    void aTargetListWithEveryProbeKindKeepsItsForm() throws IOException {
        assertMatchesGolden("target-list-v1.json", TARGET_LIST, TargetList.class);
    }

    /** Written, the document is the golden file; read, the golden file is the document; every field appears in it. */
    private static <T> void assertMatchesGolden(String file, T document, Class<T> type) throws IOException {
        JsonNode written = Documents.json().readTree(Documents.writeJson(document));
        assertThat(missingComponents(type, written, "$"))
                .as("record components the canonical document leaves unset; set them so the golden file pins them")
                .isEmpty();
        Path golden = GOLDEN.resolve(file);
        String text = written.toPrettyString() + "\n";
        if (Boolean.getBoolean(UPDATE)) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, text);
        }
        assertThat(Files.exists(golden))
                .as("golden file %s (create it with -D%s=true)", golden, UPDATE)
                .isTrue();
        assertThat(text)
                .as(
                        "the wire form in %s changed; if on purpose, regenerate with -D%s=true and review the diff",
                        golden, UPDATE)
                .isEqualTo(Files.readString(golden));
        assertThat(Documents.readJson(Files.readAllBytes(golden), type))
                .as("%s read back", golden)
                .isEqualTo(document);
    }

    /** The record components (recursively) that no object of the document sets, as JSON paths. */
    private static TreeSet<String> missingComponents(Type type, JsonNode node, String path) {
        TreeSet<String> missing = new TreeSet<>();
        if (type instanceof ParameterizedType parameterized) {
            Type[] arguments = parameterized.getActualTypeArguments();
            Type element = arguments[arguments.length - 1];
            if (element instanceof Class<?> record && record.isRecord()) {
                missing.addAll(missingInElements(record, node, path + "[]"));
            }
        } else if (type instanceof Class<?> record && record.isRecord()) {
            missing.addAll(missingInElements(record, List.of(node), path));
        }
        return missing;
    }

    /** Components of {@code record} set by none of {@code objects}, and what is missing below those that are set. */
    private static TreeSet<String> missingInElements(Class<?> record, Iterable<JsonNode> objects, String path) {
        TreeSet<String> missing = new TreeSet<>();
        for (RecordComponent component : record.getRecordComponents()) {
            String at = path + "." + component.getName();
            boolean set = false;
            TreeSet<String> below = null;
            for (JsonNode object : objects) {
                JsonNode value = object.get(component.getName());
                if (value == null) {
                    continue;
                }
                set = true;
                TreeSet<String> missingHere = missingComponents(component.getGenericType(), value, at);
                if (below == null) {
                    below = missingHere;
                } else {
                    below.retainAll(missingHere);
                }
            }
            if (!set) {
                missing.add(at);
            } else {
                missing.addAll(below);
            }
        }
        return missing;
    }

    private static TargetSpec target(String name, HttpSpec http, TlsSpec tls, DnsSpec dns) {
        return new TargetSpec(name, http, null, tls, dns, null, null, null, null, null, null, null, null, null);
    }

    private static TargetSpec target(String name, HttpSpec http) {
        return target(name, http, null, null);
    }

    private static HttpSpec http(String url, BodyAssertion body, boolean insecureSkipVerify) {
        return new HttpSpec(
                URI.create(url),
                null,
                null,
                null,
                null,
                body,
                null,
                null,
                null,
                null,
                new TlsClientSpec(null, insecureSkipVerify),
                true,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }
}
