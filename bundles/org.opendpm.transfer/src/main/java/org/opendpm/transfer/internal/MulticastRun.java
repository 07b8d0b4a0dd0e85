package org.opendpm.transfer.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.multicast.MemberProgress;
import org.opendpm.api.multicast.MulticastSession;
import org.opendpm.api.multicast.SenderFigures;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.transfer.internal.multicast.MulticastSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running multicast session: its image, its sender and its members ({@link MulticastMember}), whom it checks
 * against the drop bound every second. Closing it stops the sender, cancels the members still in it and gives the
 * group address back.
 */
final class MulticastRun implements MulticastSession {

    private static final Logger LOG = LoggerFactory.getLogger(MulticastSessions.class);
    private static final long MAX_MEMBER = 0xffff_ffffL;

    private final MulticastSessions owner;
    private final long id;
    private final ImageReader image;
    private final MulticastSender sender;
    private final InetSocketAddress group;
    private final Duration dropBound;
    private final int blockSize;
    private final int[] lengths;
    private final AtomicLong nextMember = new AtomicLong(1);
    private final Set<MulticastMember> members = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> dropCheck;
    private volatile boolean closed;

    MulticastRun(MulticastSessions owner, long id, ImageReader image, MulticastSender sender,
            InetSocketAddress group, int blockSize, Duration dropBound) throws IOException {
        this.owner = owner;
        this.id = id;
        this.image = image;
        this.sender = sender;
        this.group = group;
        this.dropBound = dropBound;
        this.blockSize = blockSize;
        this.lengths = new int[Math.toIntExact(image.chunkCount())];
        for (int n = 0; n < lengths.length; n++) {
            lengths[n] = image.entry(n).length();
        }
        this.dropCheck = owner.timer().scheduleAtFixedRate(this::checkDrops, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public InetSocketAddress group() {
        return group;
    }

    long chunks() {
        return lengths.length;
    }

    /** Chunk {@code n}'s uncompressed length. */
    int length(int n) {
        return lengths[n];
    }

    int blockSize() {
        return blockSize;
    }

    Duration dropBound() {
        return dropBound;
    }

    ImageHeader header() {
        return image.header();
    }

    MulticastSender sender() {
        return sender;
    }

    /**
     * The index as a member gets it: the image's, with each entry's disk number made the member's disk that the
     * image's disk goes to; and its CRC-32C.
     */
    record MemberIndex(ByteBuffer bytes, int crc32c) {
    }

    MemberIndex index(List<ImageDisk> disks) {
        List<ImageHeader.Disk> own = image.header().disks();
        boolean same = true;
        int[] target = new int[65536];
        for (int i = 0; i < own.size(); i++) {
            target[own.get(i).number()] = disks.get(i).number();
            same &= own.get(i).number() == disks.get(i).number();
        }
        if (same) {
            return new MemberIndex(image.index(), image.indexCrc32c());
        }
        ByteBuffer copy = ByteBuffer.allocate(image.index().remaining()).put(image.index()).flip();
        for (int at = 0; at < copy.limit(); at += ChunkEntry.SIZE) {
            // The disk number is the entry's bytes 8 and 9 (docs/image-format.md, "Index").
            copy.putShort(at + 8, (short) target[Short.toUnsignedInt(copy.getShort(at + 8))]);
        }
        CRC32C crc = new CRC32C();
        crc.update(copy.duplicate());
        return new MemberIndex(copy.asReadOnlyBuffer(), (int) crc.getValue());
    }

    @Override
    public CompletionStage<ImageWriteResult> join(long machineId, List<ImageDisk> disks, boolean compare,
            MemberProgress progress) {
        List<ImageHeader.Disk> own = image.header().disks();
        if (disks.size() != own.size()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("the image has " + own.size()
                    + " disks; " + disks.size() + " were given"));
        }
        for (int i = 0; i < own.size(); i++) {
            if (disks.get(i).sizeBytes() < own.get(i).size()) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("disk " + disks.get(i).number()
                        + " has " + disks.get(i).sizeBytes() + " bytes, less than the " + own.get(i).size()
                        + " of the image's disk " + own.get(i).number()));
            }
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("multicast session " + id
                    + " is closed"));
        }
        long number = nextMember.getAndIncrement();
        if (number > MAX_MEMBER) {
            return CompletableFuture.failedFuture(new IllegalStateException("multicast session " + id
                    + " has numbered all the members it can"));
        }
        MulticastMember m = new MulticastMember(this, number, machineId, disks, compare, progress);
        members.add(m);
        sender.admit(number);
        m.result().whenComplete((r, t) -> {
            sender.remove(number); // done, dropped, failed or cancelled: its REQUESTs are refused from now on
            members.remove(m);
        });
        try {
            owner.blocking().execute(() -> {
                Optional<AgentSession> s = owner.sessions().session(machineId);
                if (s.isEmpty()) {
                    m.fail(new AgentUnavailableException("Machine " + machineId + " has no connected agent"));
                } else {
                    m.attach(s.get());
                }
            });
        } catch (RuntimeException e) {
            m.fail(new AgentUnavailableException("The agent link is stopping"));
        }
        return m.result();
    }

    /** A machine's agent session came up: its member, if it has one here, rejoins. Event loop. */
    void reconnected(AgentSession session) {
        for (MulticastMember m : members) {
            if (session.machineId().equals(Optional.of(m.machineId())) || session.mac().equals(m.mac())) {
                m.attach(session);
            }
        }
    }

    private void checkDrops() {
        long now = System.nanoTime();
        for (MulticastMember m : members) {
            try {
                m.checkDrop(now);
            } catch (RuntimeException e) {
                LOG.warn("Multicast session {}: checking member {} failed", id, m.number(), e);
            }
        }
    }

    @Override
    public SenderFigures figures() {
        return new SenderFigures(sender.rate(), sender.bytesSent(), sender.chunksServed(), sender.requestsDropped());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        dropCheck.cancel(false);
        for (MulticastMember m : List.copyOf(members)) {
            m.result().cancel(true);
        }
        sender.stop();
        try {
            image.close();
        } catch (IOException e) {
            LOG.debug("Closing the image of multicast session {}: {}", id, e.toString());
        }
        owner.closed(this);
        LOG.info("Multicast session {} closed", id);
    }
}
