package org.opendpm.agent.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Random;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The cost of the agent link's TLS alone, per cipher suite: one JVM (started cold, as a Deploy-OS agent is) sends
 * {@code MIB} MiB over a JDK TLS socket on loopback to itself in 64 KiB writes, and prints the wall time and each
 * side's CPU time. Used to choose the suite the link prefers (bench/RESULTS.md, "Disk image").
 *
 * <p>{@code java -cp ... org.opendpm.agent.bench.TlsBench SUITE MIB}
 */
public final class TlsBench {

    private TlsBench() {
    }

    public static void main(String[] args) throws Exception {
        String suite = args[0];
        long total = Long.parseLong(args[1]) << 20;
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsBench.class.getResourceAsStream("/server-a.p12")) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress());
        server.setEnabledCipherSuites(new String[]{ suite });
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] receiverCpu = new long[1];
        Thread receiver = new Thread(() -> {
            try (SSLSocket s = (SSLSocket) server.accept(); InputStream in = s.getInputStream()) {
                byte[] buf = new byte[64 * 1024];
                long got = 0;
                while (got < total) {
                    int n = in.read(buf);
                    if (n < 0) {
                        throw new IllegalStateException("short stream: " + got);
                    }
                    got += n;
                }
                receiverCpu[0] = mx.getCurrentThreadCpuTime();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        receiver.start();
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, new TrustManager[]{ new TrustAll() }, null);
        byte[] data = new byte[64 * 1024];
        new Random(1).nextBytes(data);
        long start = System.nanoTime();
        long senderCpu;
        try (SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket(
                InetAddress.getLoopbackAddress(), server.getLocalPort()); OutputStream out = s.getOutputStream()) {
            s.startHandshake();
            String negotiated = s.getSession().getCipherSuite();
            for (long sent = 0; sent < total; sent += data.length) {
                out.write(data, 0, (int) Math.min(data.length, total - sent));
            }
            out.flush();
            receiver.join();
            senderCpu = mx.getCurrentThreadCpuTime();
            double wall = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s (%s): %d MiB in %.2f s wall, sender %.2f CPU-s, receiver %.2f CPU-s%n", suite,
                    negotiated, total >> 20, wall, senderCpu / 1e9, receiverCpu[0] / 1e9);
        }
    }

    /** The bench's own certificate; nothing to pin. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
