package io.vantage.wire;

/** A config file or request body that cannot be accepted; the message names the bad key's path. */
public final class InvalidDocumentException extends RuntimeException {
    public InvalidDocumentException(String message) {
        super(message);
    }

    public InvalidDocumentException(String message, Throwable cause) {
        super(message, cause);
    }
}
