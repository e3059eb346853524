package io.vantage.aggregator.reconcile;

import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.wire.target.TargetSpec;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.Tag;

/**
 * {@code export --format terraform}: the alarms and Route 53 health checks {@code apply} would make, as Terraform
 * resources, built from the same desired state ({@link AlarmReconciler#desired}, {@link HealthCheckReconciler#tags}),
 * so that infrastructure as code can own them. Names and tags are vantage's: {@code plan} (and the running aggregator)
 * read them as its own and find nothing to change. For each bound record, the {@code health_check_id} its {@code
 * aws_route53_record} needs; attaching is then Terraform's.
 */
public final class TerraformExport {
    private TerraformExport() {}

    public static String of(AggregatorConfig config) {
        Ownership ownership = new Ownership(config.cloudwatch().namespace(), config.deployment());
        AlarmReconciler alarms = new AlarmReconciler(null, ownership, config.alarm());
        HealthCheckReconciler checks = new HealthCheckReconciler(
                null, ownership, config.cloudwatch().region(), config.alarm(), config.route53());
        StringBuilder out = new StringBuilder();
        out.append(
                        "# Written by `vantage-aggregator export --format terraform`: the CloudWatch alarms and Route 53 health\n")
                .append(
                        "# checks `vantage-aggregator apply` would make, for Terraform to own. Their names and tags are vantage's,\n")
                .append(
                        "# so `vantage-aggregator plan` reads them as its own and finds nothing to change: run plan to check,\n")
                .append(
                        "# never apply (nor the chart's apply Job: aggregator.applyJob.enabled=false). Regenerate after each\n")
                .append("# change of targets, alarm or route53 settings. Alarms in ")
                .append(config.cloudwatch().region())
                .append(" (the provider's region).\n");
        Map<String, String> checkOf = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        for (TargetSpec target : config.targets()) {
            String id = identifier(target.name());
            for (int n = 2; !used.add(id); n++) {
                id = identifier(target.name()) + "_" + n; // two names that differ only in '.' and '_'
            }
            PutMetricAlarmRequest alarm = alarms.desired(target.name());
            Map<String, Object> alarmFields = new LinkedHashMap<>();
            alarmFields.put("alarm_name", alarm.alarmName());
            alarmFields.put("alarm_description", alarm.alarmDescription());
            alarmFields.put("namespace", alarm.namespace());
            alarmFields.put("metric_name", alarm.metricName());
            Map<String, String> dimensions = new LinkedHashMap<>();
            for (Dimension dimension : alarm.dimensions()) {
                dimensions.put(dimension.name(), dimension.value());
            }
            alarmFields.put("dimensions", dimensions);
            alarmFields.put("statistic", alarm.statisticAsString());
            alarmFields.put("period", alarm.period());
            alarmFields.put("evaluation_periods", alarm.evaluationPeriods());
            alarmFields.put("datapoints_to_alarm", alarm.datapointsToAlarm());
            alarmFields.put("threshold", alarm.threshold());
            alarmFields.put("comparison_operator", alarm.comparisonOperatorAsString());
            alarmFields.put("treat_missing_data", alarm.treatMissingData());
            alarmFields.put("actions_enabled", alarm.actionsEnabled());
            Map<String, String> alarmTags = new LinkedHashMap<>();
            for (Tag tag : alarm.tags()) {
                alarmTags.put(tag.key(), tag.value());
            }
            alarmFields.put("tags", alarmTags);
            resource(out, "aws_cloudwatch_metric_alarm", id, alarmFields);

            Map<String, Object> checkFields = new LinkedHashMap<>();
            checkFields.put("type", "CLOUDWATCH_METRIC");
            checkFields.put(
                    "cloudwatch_alarm_name", new Reference("aws_cloudwatch_metric_alarm." + id + ".alarm_name"));
            checkFields.put("cloudwatch_alarm_region", checks.alarmRegion());
            checkFields.put("insufficient_data_health_status", checks.insufficientDataHealthStatus());
            checkFields.put("reference_name", checks.referenceName(target.name()));
            checkFields.put("tags", checks.tags(target.name()));
            resource(out, "aws_route53_health_check", id, checkFields);
            checkOf.put(target.name(), "aws_route53_health_check." + id + ".id");
        }
        out.append("\noutput \"vantage_health_check_ids\" {\n")
                .append(
                        "  description = \"Each target's health check: the health_check_id of the record it guards.\"\n")
                .append("  value = {\n");
        checkOf.forEach((target, reference) -> out.append("    ")
                .append(quote(target))
                .append(" = ")
                .append(reference)
                .append('\n'));
        out.append("  }\n}\n");
        List<TargetSpec> bound =
                config.targets().stream().filter(t -> t.route53() != null).toList();
        if (!bound.isEmpty()) {
            out.append(
                            "\n# The records these checks guard: in each one's aws_route53_record, set health_check_id (or, if\n")
                    .append(
                            "# vantage's apply attaches them instead, add lifecycle { ignore_changes = [health_check_id] }).\n");
            for (TargetSpec target : bound) {
                out.append("#   ")
                        .append(target.route53().record())
                        .append(" in zone ")
                        .append(target.route53().zone())
                        .append(": health_check_id = ")
                        .append(checkOf.get(target.name()))
                        .append('\n');
            }
        }
        return out.toString();
    }

    /** A Terraform expression written as is (a reference to another resource's attribute). */
    private record Reference(String expression) {}

    private static void resource(StringBuilder out, String type, String name, Map<String, Object> fields) {
        out.append("\nresource ")
                .append(quote(type))
                .append(' ')
                .append(quote(name))
                .append(" {\n");
        fields.forEach((key, value) -> out.append("  ")
                .append(key)
                .append(" = ")
                .append(value(value, "  "))
                .append('\n'));
        out.append("}\n");
    }

    private static String value(Object value, String indent) {
        if (value instanceof Reference reference) {
            return reference.expression();
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder text = new StringBuilder("{\n");
            map.forEach((k, v) -> text.append(indent)
                    .append("  ")
                    .append(quote(String.valueOf(k)))
                    .append(" = ")
                    .append(value(v, indent + "  "))
                    .append('\n'));
            return text.append(indent).append('}').toString();
        }
        if (value instanceof Double number) {
            return number == Math.rint(number) ? String.valueOf(number.longValue()) : String.valueOf(number);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        return quote(String.valueOf(value));
    }

    /** A Terraform string literal: quotes and backslashes escaped, and template sequences ({@code ${}, {@code %{}) too. */
    static String quote(String text) {
        return "\""
                + text.replace("\\", "\\\\")
                        .replace("\"", "\\\"")
                        .replace("\n", "\\n")
                        .replace("${", "$${")
                        .replace("%{", "%%{")
                + "\"";
    }

    /** A resource name from a target name: letters, digits, '_' and '-', starting with a letter or '_'. */
    static String identifier(String target) {
        return "vantage_" + target.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
