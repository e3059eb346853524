package io.vantage.runtime;

import io.vertx.core.Future;
import java.net.BindException;
import java.util.Locale;

/**
 * A server's failure to listen, said in the user's terms: the address, and the setting that chose it, rather than
 * Netty's {@code bind(..) failed with error(-98)}.
 */
public final class Listening {
    private Listening() {}

    /** A listen that failed on {@code host:port}, which {@code setting} (a config key, flag or variable) chose. */
    public static final class Failed extends IllegalStateException {
        private final boolean inUse;

        Failed(String message, boolean inUse, Throwable cause) {
            super(message, cause);
            this.inUse = inUse;
        }

        /** Whether another process holds the port. */
        public boolean inUse() {
            return inUse;
        }
    }

    /** {@code listen}, failed with a {@link Failed} naming {@code host:port} and {@code setting} if it fails. */
    public static <T> Future<T> explained(Future<T> listen, String host, int port, String setting) {
        return listen.recover(failure -> Future.failedFuture(failed(failure, host, port, setting)));
    }

    static Failed failed(Throwable failure, String host, int port, String setting) {
        boolean inUse = inUse(failure);
        String address = host + ":" + port;
        return new Failed(
                inUse
                        ? "port " + port + " on " + host + " is in use by another process; choose another with "
                                + setting
                        : "could not listen on " + address + " (" + setting + "): " + failure.getMessage(),
                inUse,
                failure);
    }

    /** EADDRINUSE, as the JDK (BindException) and Netty's epoll transport ({@code error(-98)}) report it. */
    private static boolean inUse(Throwable failure) {
        String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
        return (failure instanceof BindException && message.contains("in use"))
                || message.contains("address already in use")
                || message.contains("error(-98)");
    }
}
