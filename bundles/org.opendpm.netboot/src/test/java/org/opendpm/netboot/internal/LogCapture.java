package org.opendpm.netboot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.slf4j.LoggerFactory;

/**
 * What the given loggers write while a block runs. slf4j-simple writes to whatever {@code System.err} is at the time;
 * the loggers must be enabled at DEBUG (surefire's system properties do that), else a test asserting that
 * something is not logged could not fail.
 */
public final class LogCapture {

    /** A block that may throw. */
    @FunctionalInterface
    public interface Block {
        void run() throws Exception;
    }

    private LogCapture() {
    }

    public static String during(Block block, Class<?>... loggers) throws Exception {
        for (Class<?> c : loggers) {
            assertThat(LoggerFactory.getLogger(c).isDebugEnabled()).as("DEBUG enabled for %s", c.getName()).isTrue();
        }
        PrintStream old = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            block.run();
        } finally {
            System.setErr(old);
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        old.print(text); // still in the test's output
        return text;
    }
}
