package org.opendpm.packages.internal.webserver;

import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.junit.rules.ExternalResource;

/**
 * A real HTTP server, Python's {@code http.server}, serving a folder on 127.0.0.1. When python3 is missing the test
 * fails under CI=true and is skipped with a loud message elsewhere.
 */
final class PythonHttpServer extends ExternalResource {

    private final Supplier<Path> root;
    private Path folder;
    private Process process;
    private int port;

    /** Serves the folder the supplier names once the rule starts (a TemporaryFolder's, which exists only then). */
    PythonHttpServer(Supplier<Path> root) {
        this.root = root;
    }

    @Override
    protected void before() throws Throwable {
        if (!python3()) {
            String message = "python3 is missing: the Package Web Server tests need it for a real HTTP server"
                    + " (apt-get install python3)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            System.err.println("SKIPPED LOUDLY: " + message);
            assumeTrue(message, false);
        }
        folder = root.get();
        Files.createDirectories(folder);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        process = new ProcessBuilder("python3", "-m", "http.server", "--bind", "127.0.0.1", String.valueOf(port),
                "--directory", folder.toString()).redirectErrorStream(true)
                .redirectOutput(folder.resolveSibling("http.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("python3 http.server did not listen on 127.0.0.1:" + port + ": "
                            + Files.readString(folder.resolveSibling("http.log")));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    @Override
    protected void after() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + "/" + path;
    }

    private static boolean python3() {
        try {
            return new ProcessBuilder("python3", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
