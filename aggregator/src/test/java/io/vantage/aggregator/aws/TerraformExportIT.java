package io.vantage.aggregator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.aggregator.AggregatorCommand;
import io.vantage.aggregator.config.AggregatorConfig;
import io.vantage.aggregator.reconcile.TerraformExport;
import io.vantage.testing.AggregatorYaml;
import io.vantage.testing.Target;
import io.vantage.testing.aws.LocalAws;
import io.vantage.wire.Documents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export --format terraform} through real Terraform and its AWS provider (from the machine's provider mirror,
 * /opt/tf-plugins: nothing is downloaded) against moto: Terraform creates the zone, two latency records guarded by the
 * exported checks, and the exported alarms; vantage's own {@code plan} then finds nothing to change. That is the claim
 * the export makes: the same resources apply would make, attached as apply would attach them.
 */
class TerraformExportIT {
    private static final Path MIRROR = Path.of("/opt/tf-plugins");

    @TempDir
    Path directory;

    private String terraform(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("terraform"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment()
                .put("TF_CLI_CONFIG_FILE", directory.resolve("terraformrc").toString());
        builder.environment().put("CHECKPOINT_DISABLE", "1"); // no version check: no traffic leaves the machine
        builder.environment().put("TF_IN_AUTOMATION", "1");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(
                    "terraform is required for this test (/usr/local/bin/terraform on this machine)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue())
                .as("terraform %s:%n%s", String.join(" ", arguments), output)
                .isZero();
        return output;
    }

    @Test
    void terraformCreatesWhatApplyWouldAndVantagePlanFindsNothingToChange() throws Exception {
        assertThat(MIRROR.resolve("registry.terraform.io/hashicorp/aws"))
                .as("the AWS provider mirror Terraform installs from")
                .isDirectory();
        try (LocalAws aws = LocalAws.start()) {
            AggregatorYaml config = AggregatorYaml.aggregator()
                    .agentWithTokenEnv("a", "eu-west-1", "A")
                    .agentWithTokenEnv("b", "us-east-1", "B")
                    .deployment("test")
                    .awsCloudWatch("us-east-1", aws.endpoint())
                    .section("route53", Map.of("insufficientDataHealthStatus", "LastKnownStatus"));
            for (String region : List.of("us-east-1", "eu-west-1")) {
                config.target(Target.tcp("api-" + region, "api-" + region + ".example.com", 443)
                        .region(region)
                        .route53InZoneNamed("example.com", "api.example.com", "A", region));
            }
            Path configFile = config.write(directory.resolve("aggregator.yaml"));
            Files.writeString(
                    directory.resolve("vantage.tf"),
                    TerraformExport.of(Documents.readYaml(config.yaml(), AggregatorConfig.class)));
            Files.writeString(directory.resolve("terraformrc"), """
                    provider_installation {
                      filesystem_mirror {
                        path    = "%s"
                        include = ["registry.terraform.io/*/*"]
                      }
                      direct {
                        exclude = ["registry.terraform.io/*/*"]
                      }
                    }
                    disable_checkpoint = true
                    """.formatted(MIRROR));
            StringBuilder main = new StringBuilder("""
                    terraform {
                      required_providers {
                        aws = { source = "hashicorp/aws" }
                      }
                    }
                    provider "aws" {
                      region                      = "us-east-1"
                      access_key                  = "test"
                      secret_key                  = "test"
                      skip_credentials_validation = true
                      skip_requesting_account_id  = true
                      skip_metadata_api_check     = true
                      endpoints {
                        cloudwatch = "%1$s"
                        route53    = "%1$s"
                      }
                    }
                    resource "aws_route53_zone" "example" {
                      name = "example.com"
                    }
                    """.formatted(aws.endpoint()));
            for (String region : List.of("us-east-1", "eu-west-1")) {
                main.append("""
                        resource "aws_route53_record" "api_%1$s" {
                          zone_id         = aws_route53_zone.example.zone_id
                          name            = "api.example.com"
                          type            = "A"
                          ttl             = 60
                          records         = ["192.0.2.%2$d"]
                          set_identifier  = "%1$s"
                          health_check_id = aws_route53_health_check.vantage_api-%1$s.id
                          latency_routing_policy {
                            region = "%1$s"
                          }
                        }
                        """.formatted(region, region.startsWith("us") ? 1 : 2));
            }
            Files.writeString(directory.resolve("main.tf"), main);

            terraform("init", "-input=false");
            terraform("validate");
            terraform("apply", "-auto-approve", "-input=false");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream original = System.out;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int exit;
            try {
                exit = AggregatorCommand.commandLine().execute("plan", "--config", configFile.toString());
            } finally {
                System.setOut(original);
            }
            String plan = out.toString(StandardCharsets.UTF_8);
            System.out.println(plan);
            assertThat(plan).startsWith("Plan: 0 to create, 0 to update, 0 to delete, 0 conflicts, 0 errors");
            assertThat(exit)
                    .as("vantage plan after terraform apply: nothing to do%n%s", plan)
                    .isZero();
            // (A second `terraform plan` is no check here: moto answers request_interval 30 and port 80 for a
            // CLOUDWATCH_METRIC check, which Route 53 does not, and the provider would replace the checks.)
        }
    }
    /**
     * Every character a namespace may hold (printable ASCII: the config refuses control characters, which no Terraform
     * string literal written on one line can carry) exports as Terraform that parses, template sequences and quotes
     * included.
     */
    @Test
    void everyNamespaceTheConfigAcceptsExportsAsTerraformThatParses() throws Exception {
        StringBuilder printable = new StringBuilder("Vantage ");
        for (char c = 0x20; c < 0x7f; c++) {
            printable.append(c);
        }
        String namespace = printable.append(" ${x} %{y}").toString();
        String config = "agents: [{id: a, region: eu-west-1, tokenEnv: A}]\n"
                + "cloudwatch: {namespace: \"" + namespace.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}\n"
                + "targets: [{name: api, tcp: {host: api.example.com, port: 443}, quorum: {minVantages: 1}}]\n";
        AggregatorConfig parsed = Documents.readYaml(config, AggregatorConfig.class);
        assertThat(parsed.cloudwatch().namespace()).isEqualTo(namespace);
        Files.writeString(directory.resolve("vantage.tf"), TerraformExport.of(parsed));
        terraform("fmt", "vantage.tf");
    }
}
