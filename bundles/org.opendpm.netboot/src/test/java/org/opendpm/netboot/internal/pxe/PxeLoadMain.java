package org.opendpm.netboot.internal.pxe;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PXE load generator for {@code bench/pxe/run.sh}: N simulated clients, each with its own MAC, UUID and transaction
 * ids, each sending a proxyDHCP DISCOVER as BIOS PXE firmware does (broadcast flag, no address, option 60
 * {@code PXEClient:Arch:00000}, 93, 94, 97) and waiting for the OFFER with its xid before sending the next, for a
 * fixed time. Answers come back to one socket, where a receiver thread matches them by xid. Servers broadcast the
 * OFFER to 255.255.255.255, which only a socket bound to the wildcard address receives: run it in a network
 * namespace of its own ({@code bench/pxe/run.sh} does), so that nothing outside sees or sends those packets. A DISCOVER not answered within the time-out counts as lost; the client then goes on.
 *
 * <p>Usage: {@code PxeLoadMain SERVER_PORT LISTEN_PORT CLIENTS SECONDS [WARMUP_SECONDS]}; prints one line
 * {@code RESULT clients=.. answers=.. lost=.. wrong=.. per_second=.. p50_us=.. p99_us=.. max_us=..}.
 */
public final class PxeLoadMain {

    private static final int TIMEOUT_MS = 1000;

    private PxeLoadMain() {
    }

    /** A DISCOVER of BIOS PXE firmware for client {@code n}. */
    static byte[] discover(int n, int xid) {
        ByteBuffer b = ByteBuffer.allocate(400);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0)
                .putShort((short) 0x8000); // broadcast flag: firmware has no address yet
        b.put(new byte[16]); // ciaddr, yiaddr, siaddr, giaddr
        byte[] chaddr = new byte[16];
        chaddr[0] = 0x02; // locally administered, so never a real vendor's MAC
        chaddr[1] = 0x50;
        chaddr[2] = (byte) (n >> 24);
        chaddr[3] = (byte) (n >> 16);
        chaddr[4] = (byte) (n >> 8);
        chaddr[5] = (byte) n;
        b.put(chaddr).put(new byte[64 + 128]);
        b.putInt(0x63825363);
        b.put((byte) 53).put((byte) 1).put((byte) 1);
        byte[] vc = "PXEClient:Arch:00000:UNDI:002001".getBytes(StandardCharsets.US_ASCII);
        b.put((byte) 60).put((byte) vc.length).put(vc);
        b.put((byte) 93).put((byte) 2).put((byte) 0).put((byte) 0);
        b.put((byte) 94).put((byte) 3).put((byte) 1).put((byte) 2).put((byte) 1);
        b.put((byte) 97).put((byte) 17).put((byte) 0).putLong(0x8d3f1e2a4b5c4d6eL).putInt(0x9f708192).putInt(n);
        b.put((byte) 255);
        return Arrays.copyOf(b.array(), b.position());
    }

    public static void main(String[] args) throws Exception {
        int serverPort = Integer.parseInt(args[0]);
        int listenPort = Integer.parseInt(args[1]);
        int clients = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        InetSocketAddress server = new InetSocketAddress(lo, serverPort);
        Map<Integer, CompletableFuture<Long>> waiting = new ConcurrentHashMap<>();
        AtomicLong wrong = new AtomicLong();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(listenPort))) {
            socket.setReceiveBufferSize(4 << 20);
            socket.setSendBufferSize(4 << 20);
            Thread receiver = new Thread(() -> receive(socket, waiting, wrong), "pxe-load-receiver");
            receiver.setDaemon(true);
            receiver.start();

            run(socket, server, clients, warmup, waiting, new AtomicInteger(1)); // JIT and caches, not counted
            wrong.set(0);
            Result r = run(socket, server, clients, seconds, waiting, new AtomicInteger(1 << 24));
            long[] lat = Arrays.copyOf(r.latencies, r.count);
            Arrays.sort(lat);
            System.out.printf("RESULT clients=%d answers=%d lost=%d wrong=%d per_second=%.0f p50_us=%d p99_us=%d"
                    + " max_us=%d%n", clients, r.count, r.lost.get(), wrong.get(), r.count / (double) seconds,
                    pct(lat, 50), pct(lat, 99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1000);
        }
    }

    private static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1000;
    }

    private record Result(long[] latencies, int count, AtomicLong lost) {
    }

    private static Result run(DatagramSocket socket, InetSocketAddress server, int clients, int seconds,
            Map<Integer, CompletableFuture<Long>> waiting, AtomicInteger xids) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[][] perClient = new long[clients][];
        int[] counts = new int[clients];
        AtomicLong lost = new AtomicLong();
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads[c] = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                    int xid = xids.getAndIncrement();
                    CompletableFuture<Long> answer = new CompletableFuture<>();
                    waiting.put(xid, answer);
                    byte[] d = discover(client, xid);
                    long sent = System.nanoTime();
                    try {
                        socket.send(new DatagramPacket(d, d.length, server));
                        long got = answer.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = got - sent;
                    } catch (TimeoutException e) {
                        lost.incrementAndGet();
                    } catch (Exception e) {
                        lost.incrementAndGet();
                    } finally {
                        waiting.remove(xid);
                    }
                }
                perClient[client] = lat;
                counts[client] = n;
            }, "pxe-client-" + c);
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(perClient[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        return new Result(all, total, lost);
    }

    /** Matches OFFERs to waiting clients by xid; anything else (not a BOOTREPLY OFFER) is counted as wrong. */
    private static void receive(DatagramSocket socket, Map<Integer, CompletableFuture<Long>> waiting,
            AtomicLong wrong) {
        byte[] buf = new byte[1500];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (true) {
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (SocketException e) {
                return; // closed at the end
            } catch (java.io.IOException e) {
                wrong.incrementAndGet();
                continue;
            }
            long now = System.nanoTime();
            DhcpPacket packet;
            try {
                packet = DhcpCodec.decode(Arrays.copyOf(buf, p.getLength()));
            } catch (MalformedDhcpException e) {
                wrong.incrementAndGet();
                continue;
            }
            if (packet.op() != 2 || packet.messageType() != DhcpPacket.OFFER) {
                wrong.incrementAndGet();
                continue;
            }
            CompletableFuture<Long> f = waiting.get(packet.xid());
            if (f != null) {
                f.complete(now);
            }
        }
    }
}
