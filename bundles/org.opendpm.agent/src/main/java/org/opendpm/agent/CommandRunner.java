package org.opendpm.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Runs a command line through the system shell ({@code /bin/sh -c}, {@code cmd.exe /c}) with standard output and
 * error merged, keeps the last 64 KiB of what it printed and kills the whole process tree at the time-out.
 */
final class CommandRunner {

    private static final Logger LOG = Logger.getLogger(CommandRunner.class.getName());
    static final int OUTPUT_LIMIT = 64 * 1024;
    static final int KILLED = -1;
    /** How long output may still flow after the shell exited, from children it left behind. */
    private static final long DRAIN_MILLIS = 2000;

    record Result(int exitCode, String output) {
    }

    private final Charset charset;

    CommandRunner() {
        this(Platform.consoleCharset());
    }

    CommandRunner(Charset charset) {
        this.charset = charset;
    }

    Result run(String commandLine, long timeoutSeconds) throws IOException, InterruptedException {
        return run(commandLine, timeoutSeconds, p -> {
        });
    }

    /** @param started told the process once it runs, so that it can be killed from elsewhere ({@code cancel}) */
    Result run(String commandLine, long timeoutSeconds, Consumer<ProcessHandle> started)
            throws IOException, InterruptedException {
        List<String> command = Platform.shell(commandLine);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(Platform.nullDevice()).start();
        started.accept(process.toHandle());
        TailBuffer tail = new TailBuffer(OUTPUT_LIMIT);
        InputStream out = process.getInputStream();
        Thread reader = new Thread(null, () -> tail.drain(out), "command-output-" + process.pid(), 64 * 1024);
        reader.setDaemon(true);
        reader.start();
        int exitCode;
        if (process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            exitCode = process.exitValue();
            reader.join(DRAIN_MILLIS);
        } else {
            LOG.info("Command '" + commandLine + "' still running after " + timeoutSeconds
                    + " s; killing process " + process.pid() + " and its children");
            killTree(process.toHandle());
            process.waitFor(5, TimeUnit.SECONDS);
            exitCode = KILLED;
            reader.join(DRAIN_MILLIS);
        }
        if (reader.isAlive()) {
            // A background child still holds the output pipe open; answer with what arrived so far.
            LOG.fine("Output of '" + commandLine + "' still open after the shell ended; not waiting for it");
            try {
                out.close();
            } catch (IOException e) {
                // the pipe is abandoned either way
            }
        }
        return new Result(exitCode, decode(tail.snapshot()));
    }

    /**
     * Takes the descendants before killing the parent: once the shell is gone its children are re-parented and no
     * longer found through it.
     */
    static void killTree(ProcessHandle root) {
        List<ProcessHandle> descendants = root.descendants().toList();
        root.destroyForcibly();
        for (ProcessHandle d : descendants) {
            d.destroyForcibly();
        }
    }

    private String decode(byte[] bytes) {
        int start = 0;
        if (charset.equals(StandardCharsets.UTF_8)) {
            // The cut may have split a character: skip the continuation bytes it left at the front.
            while (start < bytes.length && start < 3 && (bytes[start] & 0xc0) == 0x80) {
                start++;
            }
        }
        return new String(bytes, start, bytes.length - start, charset);
    }

    /** The last {@code capacity} bytes written to it. */
    static final class TailBuffer {
        private final byte[] ring;
        private long total;

        TailBuffer(int capacity) {
            this.ring = new byte[capacity];
        }

        void drain(InputStream in) {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    write(buf, 0, n);
                }
            } catch (IOException e) {
                // the stream was closed under us after the time-out; what was read is kept
            }
        }

        synchronized void write(byte[] b, int off, int len) {
            if (len >= ring.length) {
                off += len - ring.length;
                total += len - ring.length;
                len = ring.length;
            }
            int pos = (int) (total % ring.length);
            int first = Math.min(len, ring.length - pos);
            System.arraycopy(b, off, ring, pos, first);
            System.arraycopy(b, off + first, ring, 0, len - first);
            total += len;
        }

        synchronized byte[] snapshot() {
            int size = (int) Math.min(total, ring.length);
            byte[] r = new byte[size];
            int start = (int) ((total - size) % ring.length);
            int first = Math.min(size, ring.length - start);
            System.arraycopy(ring, start, r, 0, first);
            System.arraycopy(ring, 0, r, first, size - first);
            return r;
        }
    }
}
