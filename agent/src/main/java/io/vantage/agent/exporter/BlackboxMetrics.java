package io.vantage.agent.exporter;

import io.vantage.agent.probe.Fact;
import io.vantage.wire.report.PhaseTimings;
import io.vantage.wire.report.ProbeResult;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One probe's answer in blackbox_exporter's metric names, help texts and types (v0.23), written as Prometheus text:
 * the families each of its probers registers, sorted by name as its registry writes them. A value the probe did not
 * learn is blackbox_exporter's: 0 for the families it always registers, and the family left out for those it registers
 * only when it learns them (the TLS ones, {@code probe_failed_due_to_regex}, {@code probe_dns_serial}, ...).
 */
final class BlackboxMetrics {
    static final List<String> SERVING_STATUSES = List.of("UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN");

    private final Map<String, String> families = new TreeMap<>();
    private final ProbeResult result;
    private final Map<Fact, Double> facts;

    private BlackboxMetrics(ProbeResult result, Map<Fact, Double> facts) {
        this.result = result;
        this.facts = facts;
    }

    /** The text Prometheus is answered for a {@code prober} probe that ended in {@code result}. */
    static String render(String prober, ProbeResult result, Map<Fact, Double> facts) {
        BlackboxMetrics metrics = new BlackboxMetrics(result, facts);
        metrics.write(prober);
        return String.join("", metrics.families.values());
    }

    private void write(String prober) {
        PhaseTimings timings = result.timings();
        gauge("probe_success", "Displays whether or not the probe was a success", result.success() ? 1 : 0);
        gauge(
                "probe_duration_seconds",
                "Returns how long the probe took to complete in seconds",
                seconds(timings.total()));
        switch (prober) {
            case "http" -> http(timings);
            case "dns" -> dns(timings);
            case "grpc" -> grpc(timings);
            default -> {
                dialled(timings);
                tls();
                regex();
            }
        }
    }

    private void http(PhaseTimings timings) {
        dialled(timings);
        double resolve = seconds(timings.dns());
        double connect = seconds(timings.connect());
        double tls = seconds(timings.tls());
        double processing =
                timings.firstByte() == null ? 0 : Math.max(0, timings.firstByte() - resolve - connect - tls);
        double transfer = timings.firstByte() == null ? 0 : Math.max(0, seconds(timings.total()) - timings.firstByte());
        family(
                "probe_http_duration_seconds",
                "Duration of http request by phase, summed over all redirects",
                phase("connect", connect)
                        + phase("processing", processing)
                        + phase("resolve", resolve)
                        + phase("tls", tls)
                        + phase("transfer", transfer));
        gauge(
                "probe_http_status_code",
                "Response HTTP status code",
                result.statusCode() == null ? 0 : result.statusCode());
        gauge("probe_http_content_length", "Length of http content response", fact(Fact.HTTP_CONTENT_LENGTH));
        gauge(
                "probe_http_uncompressed_body_length",
                "Length of uncompressed response body",
                fact(Fact.HTTP_BODY_LENGTH));
        gauge("probe_http_redirects", "The number of redirects", fact(Fact.HTTP_REDIRECTS));
        gauge("probe_http_ssl", "Indicates if SSL was used for the final redirect", fact(Fact.SSL));
        gauge("probe_http_version", "Returns the version of HTTP of the probe response", fact(Fact.HTTP_VERSION));
        if (facts.containsKey(Fact.HTTP_LAST_MODIFIED)) {
            gauge(
                    "probe_http_last_modified_timestamp_seconds",
                    "Returns the Last-Modified HTTP response header in unixtime",
                    fact(Fact.HTTP_LAST_MODIFIED));
        }
        if (fact(Fact.SSL) == 1) {
            tls();
        }
        regex();
    }

    private void dns(PhaseTimings timings) {
        dialled(timings);
        double resolve = seconds(timings.dns());
        double connect = seconds(timings.connect());
        family(
                "probe_dns_duration_seconds",
                "Duration of DNS request by phase",
                phase("connect", connect)
                        + phase("request", Math.max(0, seconds(timings.total()) - resolve - connect))
                        + phase("resolve", resolve));
        int answers = result.answers() == null ? 0 : result.answers().size();
        gauge(
                "probe_dns_answer_rrs",
                "Returns number of entries in the answer resource record list",
                facts.getOrDefault(Fact.DNS_ANSWER_RRS, (double) answers));
        gauge(
                "probe_dns_authority_rrs",
                "Returns number of entries in the authority resource record list",
                fact(Fact.DNS_AUTHORITY_RRS));
        gauge(
                "probe_dns_additional_rrs",
                "Returns number of entries in the additional resource record list",
                fact(Fact.DNS_ADDITIONAL_RRS));
        gauge(
                "probe_dns_query_succeeded",
                "Displays whether or not the query was executed successfully",
                facts.getOrDefault(Fact.DNS_QUERY_SUCCEEDED, result.success() ? 1.0 : 0.0));
        if (facts.containsKey(Fact.DNS_SERIAL)) {
            gauge("probe_dns_serial", "Returns the serial number of the zone", fact(Fact.DNS_SERIAL));
        }
    }

    private void grpc(PhaseTimings timings) {
        dialled(timings);
        family(
                "probe_grpc_duration_seconds",
                "Duration of gRPC request by phase",
                phase("resolve", seconds(timings.dns())));
        gauge("probe_grpc_ssl", "Indicates if SSL was used for the connection", fact(Fact.SSL));
        gauge("probe_grpc_status_code", "Response gRPC status code", fact(Fact.GRPC_STATUS_CODE));
        Double serving = facts.get(Fact.GRPC_SERVING_STATUS);
        StringBuilder lines = new StringBuilder();
        for (String status : SERVING_STATUSES.stream().sorted().toList()) {
            boolean answered = serving != null && SERVING_STATUSES.indexOf(status) == serving.intValue();
            lines.append("probe_grpc_healthcheck_response{serving_status=\"")
                    .append(status)
                    .append("\"} ")
                    .append(answered ? 1 : 0)
                    .append('\n');
        }
        family("probe_grpc_healthcheck_response", "Response HealthCheck response", lines.toString());
        if (fact(Fact.SSL) == 1) {
            tls();
        }
    }

    /** What blackbox_exporter's address choice (chooseProtocol) registers for every prober that dials. */
    private void dialled(PhaseTimings timings) {
        gauge(
                "probe_dns_lookup_time_seconds",
                "Returns the time taken for probe dns lookup in seconds",
                seconds(timings.dns()));
        double protocol = facts.containsKey(Fact.IP_PROTOCOL)
                ? fact(Fact.IP_PROTOCOL)
                : result.address() == null ? 0 : result.address().indexOf(':') >= 0 ? 6 : 4;
        gauge("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6", protocol);
        gauge(
                "probe_ip_addr_hash",
                "Specifies the hash of IP address. It's useful to detect if the IP address changes.",
                addressHash(result.address()));
    }

    private void tls() {
        if (result.tlsNotAfter() != null) {
            gauge("probe_ssl_earliest_cert_expiry", "Returns last SSL chain expiry in unixtime", result.tlsNotAfter());
        }
        if (facts.containsKey(Fact.SSL_LAST_CHAIN_EXPIRY)) {
            gauge(
                    "probe_ssl_last_chain_expiry_timestamp_seconds",
                    "Returns last SSL chain expiry in timestamp",
                    fact(Fact.SSL_LAST_CHAIN_EXPIRY));
        }
    }

    private void regex() {
        if (facts.containsKey(Fact.FAILED_DUE_TO_REGEX)) {
            gauge(
                    "probe_failed_due_to_regex",
                    "Indicates if probe failed due to regex",
                    fact(Fact.FAILED_DUE_TO_REGEX));
        }
    }

    /**
     * blackbox_exporter's {@code probe_ip_addr_hash}: FNV-1a (32 bits) of the address's bytes (4 for IPv4, 16 for
     * IPv6); 0 when nothing was dialled.
     */
    static double addressHash(String address) {
        if (address == null) {
            return 0;
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            return 0;
        }
        int hash = 0x811c9dc5;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        return Integer.toUnsignedLong(hash);
    }

    private double fact(Fact fact) {
        return facts.getOrDefault(fact, 0.0);
    }

    private static double seconds(Double value) {
        return value == null ? 0 : value;
    }

    private static String phase(String phase, double seconds) {
        return "{phase=\"" + phase + "\"} " + number(seconds) + "\n";
    }

    private void gauge(String name, String help, double value) {
        family(name, help, " " + number(value) + "\n");
    }

    /** A gauge family; {@code series} are its lines after the name, each a label set (or nothing) and a value. */
    private void family(String name, String help, String series) {
        StringBuilder text = new StringBuilder();
        text.append("# HELP ").append(name).append(' ').append(help).append('\n');
        text.append("# TYPE ").append(name).append(" gauge\n");
        for (String line : series.split("\n")) {
            text.append(name).append(line).append('\n');
        }
        families.put(name, text.toString());
    }

    /** A value as Prometheus' text format takes it: whole numbers without a fraction. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
