package org.opendpm.agent;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

import org.opendpm.agent.multicast.MulticastReceiver;
import org.opendpm.agent.protocol.Message;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.Chunks;
import org.opendpm.image.ImageFormatException;

/**
 * One {@code multicastJoin} (docs/agent-protocol.md, "Multicast restore"). The connection's reader thread hands it
 * the index's data frames, checked entry by entry as they come (so memory grows only with what the server sent, up
 * to the join's chunk count); with the last entry and the CRC-32C checked, {@link #start} opens the disks, joins the
 * group on the interface of the agent link and builds the {@link MulticastReceiver}. A worker then {@link #run}s it:
 * every second the chunks newly written and flushed go out as {@code multicastProgress}; once every chunk is
 * confirmed it waits for {@code multicastEnd}, compares and answers {@code multicastResult}.
 */
final class MulticastMember {

    private static final Logger LOG = Logger.getLogger(MulticastMember.class.getName());
    private static final long REPORT_MILLIS = 1000;
    private static final long POLL_MILLIS = 100;

    private final Message.MulticastJoin join;
    private final FrameChannel channel;
    private final Map<Integer, Message.DiskGeometry> geometries = new LinkedHashMap<>();
    private final int maxStored;
    private final long indexBytes;

    // The reader thread's, until start().
    private final List<ChunkEntry> index = new ArrayList<>();
    private final ByteBuffer entry = ByteBuffer.allocate(ChunkEntry.SIZE);
    private final CRC32C crc = new CRC32C();
    private long received;

    private final Map<Integer, RestoreDisk> disks = new LinkedHashMap<>();
    private MulticastReceiver receiver;
    /** Chunks the server knows as confirmed: the join's, then each report's; the reporting thread's. */
    private final BitSet reported = new BitSet();
    private volatile boolean stopped;
    private volatile boolean ended;

    MulticastMember(Message.MulticastJoin join, FrameChannel channel) throws ImageDisks.Refused {
        this.join = join;
        this.channel = channel;
        this.maxStored = Chunks.maxStored(join.chunkSize());
        this.indexBytes = join.chunks() * ChunkEntry.SIZE;
        for (Message.DiskGeometry g : join.disks()) {
            if (geometries.put(g.number(), g) != null) {
                throw new ImageDisks.Refused("disk " + g.number() + " is listed twice");
            }
        }
        for (Message.ChunkRange r : join.confirmed()) {
            reported.set(Math.toIntExact(r.first()), Math.toIntExact(r.last()) + 1);
        }
    }

    long id() {
        return join.id();
    }

    long transferId() {
        return join.transferId();
    }

    /** A data frame of the index; returns true once the whole index is in and checked. */
    boolean data(ByteBuffer bytes) throws ImageDisks.Refused {
        if (stopped) {
            return false;
        }
        if (bytes.remaining() > indexBytes - received) {
            throw new ImageDisks.Refused("the index's data frames carry more than the " + indexBytes + " bytes of "
                    + join.chunks() + " entries");
        }
        received += bytes.remaining();
        crc.update(bytes.duplicate());
        while (bytes.hasRemaining()) {
            int n = Math.min(entry.remaining(), bytes.remaining());
            entry.put(bytes.slice(bytes.position(), n));
            bytes.position(bytes.position() + n);
            if (!entry.hasRemaining()) {
                index.add(check(entry.flip()));
                entry.clear();
            }
        }
        if (received < indexBytes) {
            return false;
        }
        if ((int) crc.getValue() != join.indexCrc32c()) {
            throw new ImageDisks.Refused("the index's CRC-32C is " + Integer.toUnsignedString((int) crc.getValue())
                    + ", the join says " + Integer.toUnsignedString(join.indexCrc32c()));
        }
        return true;
    }

    private ChunkEntry check(ByteBuffer b) throws ImageDisks.Refused {
        int k = index.size();
        ChunkEntry e;
        try {
            e = ChunkEntry.decode(b);
        } catch (ImageFormatException x) {
            throw new ImageDisks.Refused("index entry " + k + ": " + x.getMessage());
        }
        String place = "index entry " + k + " (chunk " + e.number() + ", disk " + e.diskNumber() + ", offset "
                + e.diskOffset() + ")";
        Message.DiskGeometry g = geometries.get(e.diskNumber());
        if (e.number() != k) {
            throw new ImageDisks.Refused(place + ": chunk " + k + " was expected");
        }
        if (g == null) {
            throw new ImageDisks.Refused(place + ": disk " + e.diskNumber() + " is not one of the join's disks");
        }
        if (e.length() < 1 || e.length() > join.chunkSize()) {
            throw new ImageDisks.Refused(place + ": its length " + e.length() + " is not 1 to the chunk size "
                    + join.chunkSize());
        }
        if (e.diskOffset() > g.sizeBytes() - e.length()) {
            throw new ImageDisks.Refused(place + ": its " + e.length() + " bytes end past the end of disk "
                    + g.number() + " (" + g.sizeBytes() + " bytes)");
        }
        if (e.storedLength() > maxStored) {
            throw new ImageDisks.Refused(place + ": its stored length " + e.storedLength() + " is more than the "
                    + maxStored + " a chunk of " + join.chunkSize() + " bytes can need");
        }
        return e;
    }

    /**
     * Opens the disks (each at least as large as the image's), joins the group on the interface whose address is
     * {@code linkAddress} and readies the receiver.
     */
    void start(ImageDisks imageDisks, InetAddress linkAddress) throws ImageDisks.Refused, IOException {
        InetAddress group = InetAddress.getByName(join.group()); // a literal, checked by the codec: no lookup
        if (!group.isMulticastAddress()) {
            throw new ImageDisks.Refused("group " + join.group() + " is not a multicast address");
        }
        NetworkInterface iface = NetworkInterface.getByInetAddress(linkAddress);
        if (iface == null) {
            throw new ImageDisks.Refused("no network interface has the agent link's address " + linkAddress);
        }
        try {
            for (Message.DiskGeometry g : join.disks()) {
                ImageDisks.Disk d = imageDisks.resolve(g.number());
                if (d.sizeBytes() < g.sizeBytes()) {
                    throw new ImageDisks.Refused("disk " + g.number() + " (" + d.path() + ") has " + d.sizeBytes()
                            + " bytes, less than the " + g.sizeBytes() + " of the image's disk");
                }
                disks.put(g.number(), RestoreDisk.open(d));
            }
            BitSet confirmed = (BitSet) reported.clone();
            InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(group instanceof Inet6Address
                    ? "::"
                    : "0.0.0.0"), join.port());
            DatagramChannel ch = MulticastReceiver.open(bind, group, iface);
            receiver = new MulticastReceiver(new MulticastReceiver.Join(join.sessionId(), join.image(),
                    join.member(), join.blockSize(), join.chunkSize(), index, confirmed), ch,
                    new InetSocketAddress(group, join.port()), Duration.ofSeconds(join.dropSeconds()),
                    new RestoreChunkDisks(disks, join.chunkSize()), d -> false);
            LOG.info("Multicast session " + join.sessionId() + ": member " + join.member() + " joined "
                    + join.group() + ":" + join.port() + " on " + iface.getName() + ", " + join.chunks()
                    + " chunks, " + confirmed.cardinality() + " already confirmed");
        } catch (ImageDisks.Refused | IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Receives, reports and, after {@code multicastEnd}, compares: the answer ({@code multicastResult} or an error);
     * null when stopped. Runs on a worker; {@code timer} carries the reports.
     */
    Message run(ScheduledExecutorService timer) {
        ScheduledFuture<?> reports = timer.scheduleWithFixedDelay(this::reportQuietly, REPORT_MILLIS, REPORT_MILLIS,
                TimeUnit.MILLISECONDS);
        try {
            receiver.run();
            reports.cancel(false);
            if (stopped) {
                return null;
            }
            while (report()) {
                // the rest of a confirmed set of more than one message's ranges
            }
            while (!ended && !stopped) {
                Thread.sleep(POLL_MILLIS);
            }
            return stopped ? null : compare();
        } catch (IOException e) {
            if (stopped) {
                return null;
            }
            LOG.warning("Multicast session " + join.sessionId() + " failed: " + e.getMessage());
            return new Message.ErrorAnswer(join.id(), Message.ErrorAnswer.FAILED, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            reports.cancel(false);
            close();
        }
    }

    private void reportQuietly() {
        try {
            report();
        } catch (IOException e) {
            // The link is gone; the session's close stops this member.
            LOG.fine("Multicast progress not sent: " + e.getMessage());
        }
    }

    /** Sends the chunks confirmed since the last report, at most one message's ranges; whether it sent any. */
    private synchronized boolean report() throws IOException {
        BitSet fresh = receiver.confirmed();
        fresh.andNot(reported);
        if (fresh.isEmpty()) {
            return false;
        }
        List<Message.ChunkRange> ranges = new ArrayList<>();
        for (int a = fresh.nextSetBit(0); a >= 0 && ranges.size() < Message.MAX_RANGES; a = fresh.nextSetBit(a)) {
            int b = fresh.nextClearBit(a);
            ranges.add(new Message.ChunkRange(a, b - 1));
            a = b;
        }
        channel.send(new Message.MulticastProgress(join.id(), ranges, receiver.bytesWritten()));
        for (Message.ChunkRange r : ranges) {
            reported.set((int) r.first(), (int) r.last() + 1);
        }
        return true;
    }

    /** {@code multicastEnd}: the server heard every chunk confirmed. */
    void end() {
        ended = true;
    }

    /** Stops the member: it leaves the group and closes its disks without an answer. Any thread. */
    void stop() {
        stopped = true;
        MulticastReceiver r = receiver;
        if (r != null) {
            r.stop();
        }
    }

    private Message compare() throws IOException {
        for (RestoreDisk d : disks.values()) {
            d.finish();
        }
        List<Message.ImageWriteResult.Mismatch> mismatches = new ArrayList<>();
        if (join.compare()) {
            ByteBuffer buffer = RestoreDisk.buffer(join.chunkSize());
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java has SHA-256", e);
            }
            for (ChunkEntry e : index) {
                if (stopped) {
                    return null;
                }
                if (!disks.get(e.diskNumber()).holds(buffer, sha, e.diskOffset(), e.length(), e.hole()
                        ? null
                        : e.sha256()) && mismatches.size() < Message.ImageWriteResult.MAX_MISMATCHES) {
                    mismatches.add(new Message.ImageWriteResult.Mismatch(e.number(), e.diskNumber(), e
                            .diskOffset()));
                }
            }
        }
        LOG.info("Multicast session " + join.sessionId() + ": member " + join.member() + " done, "
                + receiver.bytesWritten() + " bytes written" + (join.compare()
                        ? ", " + mismatches.size() + " mismatches on compare"
                        : "")
                + "; " + receiver.figures());
        return new Message.MulticastResult(join.id(), join.chunks(), receiver.bytesWritten(), join.compare(),
                mismatches);
    }

    private void close() {
        MulticastReceiver r = receiver;
        if (r != null) {
            try {
                r.close();
            } catch (IOException e) {
                LOG.fine("Closing the multicast channel: " + e);
            }
        }
        for (RestoreDisk d : disks.values()) {
            d.close();
        }
    }
}
