package io.vantage.runtime.otlp;

/**
 * The OTLP name and unit of a Prometheus family, by one rule for every family vantage has no better name for: drop
 * {@code _total}, take a unit suffix ({@code _seconds}, {@code _bytes}) off as the unit ({@code s}, {@code By}), and
 * write the rest with dots for underscores. So {@code vantage_probe_duration_seconds} is {@code vantage.probe.duration}
 * in {@code s} and {@code vantage_probes_total} is {@code vantage.probes}: the names the OpenTelemetry Collector's
 * Prometheus exporter turns back into the Prometheus ones (docs/operations.md, "OpenTelemetry (OTLP) export").
 */
public record OtlpNames(String name, String unit) {
    public static OtlpNames of(String prometheus) {
        String name = prometheus.endsWith("_total") ? prometheus.substring(0, prometheus.length() - 6) : prometheus;
        String unit = "";
        if (name.endsWith("_seconds")) {
            name = name.substring(0, name.length() - 8);
            unit = "s";
        } else if (name.endsWith("_bytes")) {
            name = name.substring(0, name.length() - 6);
            unit = "By";
        }
        return new OtlpNames(name.replace('_', '.'), unit);
    }
}
