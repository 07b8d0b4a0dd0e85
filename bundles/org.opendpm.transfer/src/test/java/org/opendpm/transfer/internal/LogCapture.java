package org.opendpm.transfer.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Collects what the simple logger writes to standard error (it looks up {@code System.err} at each line) while
 * still passing it through, so tests can check the one log line a closed connection gets.
 */
final class LogCapture implements AutoCloseable {

    private final PrintStream original = System.err;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    LogCapture() {
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (buffer) {
                    buffer.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (buffer) {
                    buffer.write(b, off, len);
                }
                original.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
    }

    List<String> lines() {
        synchronized (buffer) {
            return Arrays.asList(buffer.toString(StandardCharsets.UTF_8).split("\n"));
        }
    }

    /** The lines containing every one of {@code parts}. */
    List<String> lines(String... parts) {
        return lines().stream().filter(l -> Arrays.stream(parts).allMatch(l::contains)).toList();
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
