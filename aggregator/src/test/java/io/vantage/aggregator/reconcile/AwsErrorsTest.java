package io.vantage.aggregator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * What plan, apply and discover print when AWS cannot be used. The SDK's own exception is built here with the message
 * its default credentials chain gives on a machine without credentials (asking the real chain would reach the
 * instance metadata address, off this machine).
 */
class AwsErrorsTest {
    private static final String CHAIN_MESSAGE = "Unable to load credentials from any of the providers in the chain "
            + "AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(), "
            + "EnvironmentVariableCredentialsProvider(), WebIdentityTokenCredentialsProvider(), "
            + "ProfileCredentialsProvider(profileName=default, profileFile=ProfileFile(sections=[])), "
            + "ContainerCredentialsProvider(), InstanceProfileCredentialsProvider()]) : "
            + "[SystemPropertyCredentialsProvider(): Unable to load credentials from system settings. Access key must "
            + "be specified either via environment variable (AWS_ACCESS_KEY_ID) or system property (aws.accessKeyId)., "
            + "EnvironmentVariableCredentialsProvider(): Unable to load credentials from system settings. ...]";

    @Test
    void missingCredentialsAreOneShortActionableLine() {
        String described = AwsErrors.describe(new CompletionException(
                SdkClientException.builder().message(CHAIN_MESSAGE).build()));
        assertThat(described)
                .isEqualTo("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, "
                        + "or run with a role (instance profile, IRSA web identity)");
        assertThat(CHAIN_MESSAGE.length()).isGreaterThan(5 * described.length() / 2);
    }

    @Test
    void otherClientErrorsKeepTheirFirstSentence() {
        assertThat(AwsErrors.describe(SdkClientException.builder()
                        .message("Unable to execute HTTP request: Connection refused. More detail follows here.")
                        .build()))
                .isEqualTo("could not reach AWS: Unable to execute HTTP request: Connection refused.");
    }
}
