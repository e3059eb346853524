package io.vantage.agent.probe;

/**
 * What a probe learns beyond its {@code ProbeResult}, recorded on its {@link Attempt} by the prober that learns it and
 * read only by {@code /probe}, which answers with blackbox_exporter's metrics. Each fact names the metric it feeds.
 */
public enum Fact {
    /** {@code probe_http_version}: 1.0, 1.1, 2 or 3. */
    HTTP_VERSION,
    /** {@code probe_http_content_length}: the Content-Length header, -1 when absent. */
    HTTP_CONTENT_LENGTH,
    /** {@code probe_http_uncompressed_body_length}: bytes of body read. */
    HTTP_BODY_LENGTH,
    /** {@code probe_http_redirects}: redirects followed. */
    HTTP_REDIRECTS,
    /** {@code probe_http_ssl}, {@code probe_grpc_ssl}: 1 when the final answer came over TLS. */
    SSL,
    /** {@code probe_http_last_modified_timestamp_seconds}: the Last-Modified header, epoch seconds. */
    HTTP_LAST_MODIFIED,
    /** {@code probe_failed_due_to_regex}: 1 when a regular expression check failed the probe, else 0. */
    FAILED_DUE_TO_REGEX,
    /** {@code probe_ssl_last_chain_expiry_timestamp_seconds}: the earliest expiry of the verified chain. */
    SSL_LAST_CHAIN_EXPIRY,
    /** {@code probe_ip_protocol}: 4 or 6, the family of the address dialled. */
    IP_PROTOCOL,
    /** {@code probe_dns_answer_rrs}. */
    DNS_ANSWER_RRS,
    /** {@code probe_dns_authority_rrs}. */
    DNS_AUTHORITY_RRS,
    /** {@code probe_dns_additional_rrs}. */
    DNS_ADDITIONAL_RRS,
    /** {@code probe_dns_serial}: the SOA serial, when the answer holds an SOA record. */
    DNS_SERIAL,
    /** {@code probe_dns_query_succeeded}: 1 when the server answered the query at all. */
    DNS_QUERY_SUCCEEDED,
    /** {@code probe_grpc_status_code}: the gRPC status of the health call (0 OK). */
    GRPC_STATUS_CODE,
    /** {@code probe_grpc_healthcheck_response{serving_status}}: the health service's answer, as the enum's number. */
    GRPC_SERVING_STATUS
}
