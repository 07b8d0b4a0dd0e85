package org.opendpm.agent;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** java.util.logging to standard error, one line per record; {@code --verbose} adds debug lines and stack traces. */
final class LogSetup {

    private static final String ROOT = "org.opendpm.agent";

    private LogSetup() {
    }

    static void configure(boolean verbose) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler h = new ConsoleHandler();
        h.setLevel(verbose ? Level.FINE : Level.INFO);
        h.setFormatter(new OneLine(verbose));
        root.addHandler(h);
        root.setLevel(Level.INFO);
        Logger.getLogger(ROOT).setLevel(verbose ? Level.FINE : Level.INFO);
    }

    static final class OneLine extends Formatter {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
                .withZone(ZoneId.systemDefault());
        private final boolean stackTraces;

        OneLine(boolean stackTraces) {
            this.stackTraces = stackTraces;
        }

        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(160);
            sb.append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
                    .append(String.format("%-7s", r.getLevel().getName())).append(' ')
                    .append(formatMessage(r));
            Throwable t = r.getThrown();
            if (t != null) {
                if (stackTraces) {
                    StringWriter sw = new StringWriter();
                    t.printStackTrace(new PrintWriter(sw));
                    sb.append(System.lineSeparator()).append(sw.toString().stripTrailing());
                } else {
                    sb.append(": ").append(t);
                }
            }
            return sb.append(System.lineSeparator()).toString();
        }
    }
}
