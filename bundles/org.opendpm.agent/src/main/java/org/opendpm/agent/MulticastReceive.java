package org.opendpm.agent;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.opendpm.agent.multicast.MulticastReceiver;
import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;

/**
 * The multicast receiver on its own, without an agent link: restores an image from a session's group onto files, as
 * the agent does onto disks. The index comes from the image file itself (the agent gets it over its link). For the
 * tests and benchmarks on network namespaces (bench/multicast), where each receiver is a process in a namespace of
 * its own; not a sub-command of the agent, whose sessions are started by the server.
 *
 * <pre>
 * java -cp opendpm-agent.jar org.opendpm.agent.MulticastReceive --image IMG --session S --member M \
 *     --group 239.255.26.7|ff15::1a:7 --port 26530 --iface eth0 --disk 1=FILE [--disk 2=FILE] [--silence SECONDS]
 * </pre>
 *
 * A missing file is created at its disk's size. On success it prints one line {@code done chunks=C written=B
 * foreign=F mismatched=M bad=K seconds=T requests=R suppressed=S FIGURES} (FIGURES: {@code ReceiverFigures}) and
 * exits 0; on failure it prints the error and exits 1 (2: bad usage).
 */
public final class MulticastReceive {

    private MulticastReceive() {
    }

    public static void main(String[] args) {
        Map<String, String> opts = new HashMap<>();
        Map<Integer, Path> files = new HashMap<>();
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value at " + args[i]);
                }
                String name = args[i].substring(2);
                if (name.equals("disk")) {
                    String[] nf = args[i + 1].split("=", 2);
                    if (nf.length != 2) {
                        throw new IllegalArgumentException("--disk wants NUMBER=FILE, not " + args[i + 1]);
                    }
                    files.put(Integer.parseInt(nf[0]), Path.of(nf[1]));
                } else {
                    opts.put(name, args[i + 1]);
                }
            }
            for (String required : List.of("image", "session", "member", "group", "port", "iface")) {
                if (!opts.containsKey(required)) {
                    throw new IllegalArgumentException("--" + required + " is missing");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("usage: MulticastReceive --image IMG --session S --member M --group G --port P "
                    + "--iface IF --disk N=FILE... [--silence SECONDS]: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            System.out.println(receive(opts, files));
        } catch (IOException | RuntimeException e) {
            System.err.println("multicast receive failed: " + e);
            System.exit(1);
        }
    }

    private static String receive(Map<String, String> opts, Map<Integer, Path> files) throws IOException {
        long start = System.nanoTime();
        List<ChunkEntry> index = new ArrayList<>();
        ImageHeader header;
        try (ImageReader image = ImageReader.open(Path.of(opts.get("image")))) {
            header = image.header();
            for (long c = 0; c < image.chunkCount(); c++) {
                index.add(image.entry(c));
            }
        }
        NetworkInterface iface = NetworkInterface.getByName(opts.get("iface"));
        if (iface == null) {
            throw new IOException("no network interface " + opts.get("iface"));
        }
        InetAddress group = InetAddress.getByName(opts.get("group"));
        if (!group.isMulticastAddress()) {
            throw new IOException(group + " is not a multicast group");
        }
        InetSocketAddress to = new InetSocketAddress(group, Integer.parseInt(opts.get("port")));
        Map<Integer, RestoreDisk> disks = new HashMap<>();
        try {
            for (ImageHeader.Disk d : header.disks()) {
                Path file = files.get(d.number());
                if (file == null) {
                    throw new IOException("no --disk " + d.number() + "=FILE for the image's disk " + d.number());
                }
                try (FileChannel f = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    if (f.size() < d.size()) {
                        // A sparse file of the disk's size: its last byte written, the rest reads as zeros.
                        f.write(ByteBuffer.allocate(1), d.size() - 1);
                    }
                }
                disks.put(d.number(), RestoreDisk.open(new ImageDisks.Disk(d.number(), file, d.size(),
                        d.sectorSize())));
            }
            MulticastReceiver.Join join = new MulticastReceiver.Join(Long.parseLong(opts.get("session")),
                    header.imageId(), Long.parseLong(opts.get("member")), PacketCodec.DEFAULT_BLOCK_SIZE,
                    header.chunkSize(), index, new BitSet());
            // The wildcard of the group's family, as the agent's member binds: the JDK's default wildcard is IPv4.
            InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(group instanceof Inet6Address
                    ? "::"
                    : "0.0.0.0"), to.getPort());
            DatagramChannel ch = MulticastReceiver.open(bind, group, iface);
            try (MulticastReceiver r = new MulticastReceiver(join, ch, to, Duration.ofSeconds(Long.parseLong(
                    opts.getOrDefault("silence", "30"))), new RestoreChunkDisks(disks, header.chunkSize()),
                    d -> false)) {
                r.run();
                return String.format("done chunks=%d written=%d foreign=%d mismatched=%d bad=%d seconds=%.3f "
                        + "requests=%d suppressed=%d %s", r.confirmed().cardinality(), r.bytesWritten(), r.foreign(),
                        r.mismatched(), r.badChunks(), (System.nanoTime() - start) / 1e9, r.requestsSent(),
                        r.requestsSuppressed(), r.figures());
            }
        } finally {
            for (RestoreDisk d : disks.values()) {
                d.close();
            }
        }
    }
}
