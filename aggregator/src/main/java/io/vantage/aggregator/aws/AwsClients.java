package io.vantage.aggregator.aws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vantage.aggregator.metrics.MetricNames;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.route53.Route53AsyncClient;

/**
 * The SDK clients, built one way: credentials from the SDK's default provider chain, the standard retry
 * mode (exponential backoff with jitter on throttling and 5xx), a call timeout, and an optional endpoint
 * (a local emulator; the SDK's own {@code AWS_ENDPOINT_URL} also works). Every attempt, retries included,
 * is counted in {@code vantage_aws_attempts_total{service,operation}}.
 */
public final class AwsClients {
    private AwsClients() {}

    public static CloudWatchAsyncClient cloudWatch(
            String region, URI endpoint, Duration callTimeout, MeterRegistry registry) {
        var builder = CloudWatchAsyncClient.builder()
                .region(Region.of(region))
                .overrideConfiguration(configuration(callTimeout, registry));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    public static Route53AsyncClient route53(URI endpoint, Duration callTimeout, MeterRegistry registry) {
        // Route 53 is a global service signed in us-east-1.
        var builder = Route53AsyncClient.builder()
                .region(Region.AWS_GLOBAL)
                .overrideConfiguration(configuration(callTimeout, registry));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    private static ClientOverrideConfiguration configuration(Duration callTimeout, MeterRegistry registry) {
        return ClientOverrideConfiguration.builder()
                .retryStrategy(RetryMode.STANDARD)
                .apiCallTimeout(callTimeout)
                .addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        Counter.builder(MetricNames.AWS_ATTEMPTS)
                                .tag(
                                        "service",
                                        String.valueOf(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME)))
                                .tag(
                                        "operation",
                                        String.valueOf(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME)))
                                .description("AWS API attempts, retries included")
                                .register(registry)
                                .increment();
                    }
                })
                .build();
    }
}
