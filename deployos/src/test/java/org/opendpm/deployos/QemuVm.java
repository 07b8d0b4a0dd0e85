package org.opendpm.deployos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A QEMU process (TCG, {@code -nographic}) whose serial console is collected, and written to a log file for the
 * failure report, and whose keyboard is the serial line's input.
 */
final class QemuVm implements AutoCloseable {

    /** Console output kept in memory; the log file has all of it. */
    private static final int MAX_CONSOLE_CHARS = 1 << 20;

    private final Process process;
    private final Path log;
    private final StringBuilder console = new StringBuilder();
    private final Thread reader;

    private QemuVm(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.reader = new Thread(this::pump, "qemu-console");
        reader.setDaemon(true);
        reader.start();
    }

    static QemuVm start(List<String> arguments, Path log) throws IOException {
        var command = new ArrayList<String>();
        command.add("qemu-system-x86_64");
        command.addAll(arguments);
        Files.writeString(log, String.join(" ", command) + "\n");
        return new QemuVm(new ProcessBuilder(command).redirectErrorStream(true).start(), log);
    }

    private void pump() {
        byte[] buffer = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            for (int n; (n = in.read(buffer)) > 0;) {
                String text = new String(buffer, 0, n, StandardCharsets.UTF_8);
                Files.writeString(log, text, java.nio.file.StandardOpenOption.APPEND);
                synchronized (console) {
                    if (console.length() + text.length() > MAX_CONSOLE_CHARS) {
                        console.delete(0, console.length() + text.length() - MAX_CONSOLE_CHARS);
                    }
                    console.append(text);
                    console.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process ended; what was read stays available.
        }
    }

    /** Waits until the console shows a match of the pattern, and returns the first match. */
    String await(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (console) {
            while (true) {
                var m = pattern.matcher(console);
                if (m.find()) {
                    return m.group();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + pattern + " on the console within " + timeout.toSeconds()
                            + " s; console in " + log + ":\n" + tail());
                }
                console.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Types on the serial line. */
    void type(String keys) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(keys.getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** Waits for the process to end; returns whether it did. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    String tail() {
        synchronized (console) {
            return console.substring(Math.max(0, console.length() - 4000));
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
