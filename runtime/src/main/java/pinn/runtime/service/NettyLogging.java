package pinn.runtime.service;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.FormattingTuple;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.MessageFormatter;
import java.io.Serial;
import java.lang.System.Logger.Level;

/**
 * Netty's own log messages through {@link System.Logger}, like the rest of the project's, where
 * the {@code java.logging} module is absent: the service's container runs on a jlinked Java
 * without it (see the Dockerfile), and Netty, finding no SLF4J or Log4j, would otherwise fail on
 * its first log call reaching for {@code java.util.logging}. Where {@code java.logging} is present
 * Netty's own choice stands (SLF4J when the application has it, else {@code java.util.logging},
 * which is where {@code System.Logger} writes too).
 */
final class NettyLogging extends InternalLoggerFactory {

    private NettyLogging() {}

    /** Installs the bridge as Netty's logger factory if this runtime has no {@code java.logging}; before Netty's first use. */
    static void installWhereNeeded() {
        if (ModuleLayer.boot().findModule("java.logging").isEmpty()) InternalLoggerFactory.setDefaultFactory(new NettyLogging());
    }

    @Override
    protected InternalLogger newInstance(String name) {
        return new Bridge(name);
    }

    /** One Netty logger as the {@code System.Logger} of the same name. */
    private static final class Bridge extends AbstractInternalLogger {

        @Serial
        private static final long serialVersionUID = 1L;

        private final transient System.Logger logger;

        Bridge(String name) {
            super(name);
            this.logger = System.getLogger(name);
        }

        private void log(Level level, FormattingTuple message) {
            if (message.getThrowable() == null) logger.log(level, message.getMessage());
            else logger.log(level, message.getMessage(), message.getThrowable());
        }

        @Override
        public boolean isTraceEnabled() {
            return logger.isLoggable(Level.TRACE);
        }

        @Override
        public void trace(String msg) {
            logger.log(Level.TRACE, msg);
        }

        @Override
        public void trace(String format, Object arg) {
            if (logger.isLoggable(Level.TRACE)) log(Level.TRACE, MessageFormatter.format(format, arg));
        }

        @Override
        public void trace(String format, Object argA, Object argB) {
            if (logger.isLoggable(Level.TRACE)) log(Level.TRACE, MessageFormatter.format(format, argA, argB));
        }

        @Override
        public void trace(String format, Object... arguments) {
            if (logger.isLoggable(Level.TRACE)) log(Level.TRACE, MessageFormatter.arrayFormat(format, arguments));
        }

        @Override
        public void trace(String msg, Throwable t) {
            logger.log(Level.TRACE, msg, t);
        }

        @Override
        public boolean isDebugEnabled() {
            return logger.isLoggable(Level.DEBUG);
        }

        @Override
        public void debug(String msg) {
            logger.log(Level.DEBUG, msg);
        }

        @Override
        public void debug(String format, Object arg) {
            if (logger.isLoggable(Level.DEBUG)) log(Level.DEBUG, MessageFormatter.format(format, arg));
        }

        @Override
        public void debug(String format, Object argA, Object argB) {
            if (logger.isLoggable(Level.DEBUG)) log(Level.DEBUG, MessageFormatter.format(format, argA, argB));
        }

        @Override
        public void debug(String format, Object... arguments) {
            if (logger.isLoggable(Level.DEBUG)) log(Level.DEBUG, MessageFormatter.arrayFormat(format, arguments));
        }

        @Override
        public void debug(String msg, Throwable t) {
            logger.log(Level.DEBUG, msg, t);
        }

        @Override
        public boolean isInfoEnabled() {
            return logger.isLoggable(Level.INFO);
        }

        @Override
        public void info(String msg) {
            logger.log(Level.INFO, msg);
        }

        @Override
        public void info(String format, Object arg) {
            if (logger.isLoggable(Level.INFO)) log(Level.INFO, MessageFormatter.format(format, arg));
        }

        @Override
        public void info(String format, Object argA, Object argB) {
            if (logger.isLoggable(Level.INFO)) log(Level.INFO, MessageFormatter.format(format, argA, argB));
        }

        @Override
        public void info(String format, Object... arguments) {
            if (logger.isLoggable(Level.INFO)) log(Level.INFO, MessageFormatter.arrayFormat(format, arguments));
        }

        @Override
        public void info(String msg, Throwable t) {
            logger.log(Level.INFO, msg, t);
        }

        @Override
        public boolean isWarnEnabled() {
            return logger.isLoggable(Level.WARNING);
        }

        @Override
        public void warn(String msg) {
            logger.log(Level.WARNING, msg);
        }

        @Override
        public void warn(String format, Object arg) {
            if (logger.isLoggable(Level.WARNING)) log(Level.WARNING, MessageFormatter.format(format, arg));
        }

        @Override
        public void warn(String format, Object argA, Object argB) {
            if (logger.isLoggable(Level.WARNING)) log(Level.WARNING, MessageFormatter.format(format, argA, argB));
        }

        @Override
        public void warn(String format, Object... arguments) {
            if (logger.isLoggable(Level.WARNING)) log(Level.WARNING, MessageFormatter.arrayFormat(format, arguments));
        }

        @Override
        public void warn(String msg, Throwable t) {
            logger.log(Level.WARNING, msg, t);
        }

        @Override
        public boolean isErrorEnabled() {
            return logger.isLoggable(Level.ERROR);
        }

        @Override
        public void error(String msg) {
            logger.log(Level.ERROR, msg);
        }

        @Override
        public void error(String format, Object arg) {
            if (logger.isLoggable(Level.ERROR)) log(Level.ERROR, MessageFormatter.format(format, arg));
        }

        @Override
        public void error(String format, Object argA, Object argB) {
            if (logger.isLoggable(Level.ERROR)) log(Level.ERROR, MessageFormatter.format(format, argA, argB));
        }

        @Override
        public void error(String format, Object... arguments) {
            if (logger.isLoggable(Level.ERROR)) log(Level.ERROR, MessageFormatter.arrayFormat(format, arguments));
        }

        @Override
        public void error(String msg, Throwable t) {
            logger.log(Level.ERROR, msg, t);
        }
    }
}
