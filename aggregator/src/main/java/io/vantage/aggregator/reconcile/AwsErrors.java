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
            String message = String.valueOf(cause.getMessage());
            if (message.startsWith("Unable to load credentials")) {
                // The SDK lists every provider of its chain and why each failed: 1-2 KB on one line.
                return "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or "
                        + "run with a role (instance profile, IRSA web identity)";
            }
            if (message.startsWith("Unable to load region")) {
                return "no AWS region found: set cloudwatch.region in the config, or AWS_REGION";
            }
            return "could not reach AWS: " + shortened(message);
        }
        return cause.getClass().getSimpleName() + ": " + shortened(String.valueOf(cause.getMessage()));
    }

    /** The first sentence, at most 200 characters: enough to act on, short enough to read. */
    static String shortened(String message) {
        int end = message.indexOf(". ");
        String first = end > 0 ? message.substring(0, end + 1) : message;
        return first.length() > 200 ? first.substring(0, 200) + "…" : first;
    }
}
