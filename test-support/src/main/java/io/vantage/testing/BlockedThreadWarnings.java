package io.vantage.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects Vert.x's blocked-thread warnings ("Thread ... has been blocked for ... ms") while open, so a test can
 * fail on any: nothing that can block belongs on an event loop.
 */
public final class BlockedThreadWarnings implements AutoCloseable {
    // The name Vert.x 5 logs its checker under (not the class's: io.vertx.core.internal.threadchecker...).
    private static final String CHECKER = "io.vertx.core.impl.BlockedThreadChecker";
    private final Logger logger = (Logger) LoggerFactory.getLogger(CHECKER);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public BlockedThreadWarnings() {
        appender.start();
        logger.addAppender(appender);
    }

    /**
     * The warnings so far, as logged. The appender adds under its own lock (AppenderBase's synchronized doAppend), so
     * the list is read and cleared under that lock too.
     */
    public List<String> warnings() {
        synchronized (appender) {
            return appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    /** Forgets the warnings so far (a test that asserts on a later phase only). */
    public void clear() {
        synchronized (appender) {
            appender.list.clear();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
