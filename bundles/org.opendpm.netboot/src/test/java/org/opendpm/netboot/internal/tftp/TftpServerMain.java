package org.opendpm.netboot.internal.tftp;

import java.net.InetAddress;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the server outside OSGi, for bench/tftp/run.sh and manual tries:
 * {@code java -cp ... TftpServerMain ROOT PORT [IO_THREADS [CACHE_MAX_FILE_BYTES [MAX_ACTIVE_TRANSFERS]]]}. Binds 127.0.0.1 only;
 * prints "listening on PORT" when ready and stops on SIGTERM/SIGINT.
 */
public final class TftpServerMain {

    private TftpServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println(
                    "usage: TftpServerMain ROOT PORT [IO_THREADS [CACHE_MAX_FILE_BYTES [MAX_ACTIVE_TRANSFERS]]]");
            System.exit(2);
        }
        TftpServerConfig.Builder b = TftpServerConfig.builder(Paths.get(args[0]))
                .bindAddress(InetAddress.getLoopbackAddress())
                .port(Integer.parseInt(args[1]));
        if (args.length > 2) {
            b.ioThreads(Integer.parseInt(args[2]));
        }
        if (args.length > 3) {
            long max = Long.parseLong(args[3]);
            b.cache(max, Math.max(max, 64L << 20));
        }
        if (args.length > 4) {
            b.maxActiveTransfers(Integer.parseInt(args[4]));
        }
        TftpServer server = new TftpServer(b.build(), (path, client) -> java.util.Optional.empty());
        server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            System.out.println("stats " + server.stats().snapshot());
            stopped.countDown();
        }));
        System.out.println("listening on " + server.localAddress().getPort());
        System.out.flush();
        stopped.await();
    }
}
