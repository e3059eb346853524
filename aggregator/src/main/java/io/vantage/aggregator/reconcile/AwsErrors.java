package io.vantage.aggregator.reconcile;

import java.util.concurrent.CompletionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** One line saying what AWS (or the way to it) answered, without stack traces or credentials. */
public final class AwsErrors {
    private AwsErrors() {}

    public static String describe(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            return aws.awsErrorDetails().serviceName() + " refused "
                    + aws.awsErrorDetails().errorCode() + " (HTTP " + aws.statusCode() + "): "
                    + aws.awsErrorDetails().errorMessage();
        }
        if (cause instanceof SdkClientException) {
            return "could not reach AWS or find credentials: " + cause.getMessage();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
