package io.vantage.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vantage.testing.aws.LocalAws;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IRSA as EKS sets it up: a web-identity token file and a role ARN, no static keys anywhere. The packaged aggregator's
 * {@code plan} gets its credentials from STS (moto, through the SDK's default chain) and reads CloudWatch and Route 53
 * with them.
 */
class WebIdentityIT {
    private static final String ROLE = "arn:aws:iam::123456789012:role/vantage-aggregator";

    @TempDir
    Path directory;

    @Test
    void planRunsOnCredentialsFromTheWebIdentityChain() throws Exception {
        Path jar = Repository.root().resolve("aggregator/target/vantage-aggregator.jar");
        assertThat(jar)
                .as("the aggregator jar (built by the aggregator module's package phase)")
                .exists();
        try (LocalAws aws = LocalAws.start()) {
            Path token = Files.writeString(
                    directory.resolve("web-identity-token"), "header.payload-of-a-projected-token.signature");
            Path config = Files.writeString(directory.resolve("aggregator.yaml"), """
                    agents: [{id: agent-a, region: eu-west-1, tokenEnv: UNUSED_BY_PLAN}, {id: agent-b, region: us-east-1, tokenEnv: UNUSED_TOO}]
                    deployment: test
                    cloudwatch: {mode: aws, region: us-east-1, endpoint: '%s'}
                    route53: {enabled: true}
                    targets:
                      - {name: api, tcp: {host: 127.0.0.1, port: 9}}
                    """.formatted(aws.endpoint()));
            ProcessBuilder plan = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-jar",
                            jar.toString(),
                            "plan",
                            "--config",
                            config.toString())
                    .redirectErrorStream(true);
            Map<String, String> environment = plan.environment();
            environment.keySet().removeIf(name -> name.startsWith("AWS_"));
            environment.put("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString());
            environment.put("AWS_ROLE_ARN", ROLE);
            environment.put("AWS_ROLE_SESSION_NAME", "vantage-test");
            environment.put("AWS_REGION", "us-east-1");
            environment.put("AWS_ENDPOINT_URL_STS", aws.endpoint());
            // Nothing else in the chain may answer: no profiles, and never the instance metadata address.
            environment.put(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    directory.resolve("no-credentials").toString());
            environment.put("AWS_CONFIG_FILE", directory.resolve("no-config").toString());
            environment.put("AWS_EC2_METADATA_DISABLED", "true");
            Process process = plan.start();
            assertThat(process.waitFor(120, TimeUnit.SECONDS))
                    .as("plan finished")
                    .isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(process.exitValue())
                    .as("plan's exit code (2: changes pending); output:%n%s", output)
                    .isEqualTo(2);
            assertThat(output).contains("api");
            assertThat(aws.bridge().seen("POST /"))
                    .as("STS calls that reached the local AWS")
                    .anyMatch(call -> call.body().contains("Action=AssumeRoleWithWebIdentity")
                            && call.body().contains("RoleArn=" + URLEncoder.encode(ROLE, StandardCharsets.UTF_8)));
            assertThat(aws.bridge().seen())
                    .as("CloudWatch and Route 53 were read")
                    .anyMatch(call -> call.operation().equals("DescribeAlarms"));
        }
    }
}
