package org.opendpm.transfer.internal.multicast;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.ImageWriter;

/**
 * The multicast sender on its own, for the tests and benchmarks on network namespaces (bench/multicast), each
 * receiver a {@code org.opendpm.agent.MulticastReceive} process in a namespace of its own:
 *
 * <pre>
 * MulticastSend image RAW IMG [CHUNK_SIZE]      writes RAW (one disk) as an image, 4 MiB chunks by default
 * MulticastSend send --image IMG --session S --group G --port P --iface IF --members N [--max-rate B/s] [--ttl T]
 *                   [--trace MILLIS]
 * </pre>
 *
 * {@code send} serves members 1 to N until its standard input ends, then prints {@code sent datagrams=D rate=R
 * cpu=SECONDS} (the process's CPU time) and exits.
 */
public final class MulticastSend {

    private MulticastSend() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("image")) {
            image(Path.of(args[1]), Path.of(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 4 << 20);
        } else if (args.length >= 1 && args[0].equals("send")) {
            send(options(args));
        } else {
            System.err.println("usage: MulticastSend image RAW IMG [CHUNK_SIZE] | send --image IMG --session S "
                    + "--group G --port P --iface IF --members N [--max-rate B/s] [--ttl T]");
            System.exit(2);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        for (String required : List.of("image", "session", "group", "port", "iface", "members")) {
            if (!o.containsKey(required)) {
                throw new IllegalArgumentException("--" + required + " is missing");
            }
        }
        return o;
    }

    static void image(Path raw, Path img, int chunkSize) throws IOException {
        long size = Files.size(raw);
        ImageHeader header = new ImageHeader(UUID.randomUUID(), chunkSize, Instant.now(), "opendpm-linux", "bench",
                new ImageHeader.SourceMachine("m1", "02:00:00:00:00:01", "uuid-1"),
                List.of(new ImageHeader.Disk(1, size, 512, new byte[0], List.of())),
                List.of(new ImageHeader.Extent(1, 0, size)));
        try (FileChannel in = FileChannel.open(raw);
                FileChannel out = FileChannel.open(img, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT)) {
            ByteBuffer b = ByteBuffer.allocateDirect(chunkSize);
            while (in.read(b.clear()) > 0) {
                w.write(b.flip());
            }
            w.finish();
        }
    }

    private static void send(Map<String, String> o) throws Exception {
        InetSocketAddress group = new InetSocketAddress(InetAddress.getByName(o.get("group")),
                Integer.parseInt(o.get("port")));
        MulticastSender.Settings settings = MulticastSender.Settings.group(group, o.get("iface"),
                Integer.parseInt(o.getOrDefault("ttl", "1")), 1400, Long.parseLong(o.getOrDefault("max-rate",
                        Long.toString(RateControl.DEFAULT_MAX))));
        try (ImageReader image = ImageReader.open(Path.of(o.get("image")))) {
            MulticastSender sender = new MulticastSender(image, Long.parseLong(o.get("session")), settings);
            for (long m = 1; m <= Long.parseLong(o.get("members")); m++) {
                sender.admit(m);
            }
            sender.start();
            System.out.println("READY");
            if (o.containsKey("trace")) {
                // Every TRACE ms: the rate and the DATA sent so far, to see the rate control at work.
                Thread t = new Thread(() -> {
                    try {
                        while (true) {
                            Thread.sleep(Long.parseLong(o.get("trace")));
                            System.out.printf("rate=%d sent=%d%n", sender.rate(), sender.datagramsSent());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "trace");
                t.setDaemon(true);
                t.start();
            }
            InputStream in = System.in;
            while (in.read() >= 0) {
                // Runs until its standard input ends.
            }
            sender.stop();
            long cpu = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
                    .getProcessCpuTime();
            StringBuilder requests = new StringBuilder();
            for (SenderCore.Verdict v : SenderCore.Verdict.values()) {
                requests.append(' ').append(v.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(sender
                        .requests(v));
            }
            System.out.printf("sent datagrams=%d rate=%d cpu=%.3f failure=%s requests:%s%nfigures %s%n",
                    sender.datagramsSent(), sender.rate(), cpu / 1e9, sender.failure(), requests, sender.figures());
        }
    }
}
