package org.opendpm.scheduler.internal.images.transfer;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ImageChunk;
import org.opendpm.api.agent.ImageChunkSink;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageExtent;
import org.opendpm.api.agent.ImageReadRequest;
import org.opendpm.api.agent.ImageReadResult;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.PartitionInfo;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.Chunks;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.StoredChunkWriter;
import org.opendpm.image.Verifier;
import org.opendpm.scheduler.internal.images.ImageFolder.PendingImage;
import org.opendpm.spi.AgentHandle.Backup;
import org.opendpm.spi.AgentHandle.ImageResult;
import org.opendpm.spi.StepFailedException;

/**
 * One backup: the disk check's fresh view of the disk gives the extents and the partition-table areas; the image is
 * created aside (refused up front when the folder cannot hold the worst case), its header written once the agent
 * names the disk's geometry, and each chunk the agent sends appended as it comes. After a lost link the agent is asked
 * again from the next chunk; after the last chunk the image is finished, verified when asked, and put in place. On
 * any failure or stop the temporary file is removed and an image of that name stays as it was.
 */
final class BackupTransfer implements ImageChunkSink {

    /** Room for the header beyond the partition-table bytes (strings, partitions, extents). */
    private static final long HEADER_ALLOWANCE = 256 * 1024;

    private final ImageTransfers t;
    private final MachineFacts machine;
    private final Backup backup;
    private final TransferStep step;
    private final AgentReturn returns;
    private final LinkLoss loss;
    private final Instant started;
    private final CompletableFuture<ImageResult> result = new CompletableFuture<>();
    private final Object lock = new Object();

    private DiskInfo disk;
    private List<ImageExtent> extents;
    private long total;
    private long chunks;
    private byte[] head = new byte[0];
    private byte[] tail = new byte[0];
    /** Guarded by {@link #lock}, as is everything the link's thread and the stop touch. */
    private PendingImage image;
    private StoredChunkWriter writer;
    private List<ImageDisk> geometry;
    private boolean closed;

    private final InFlight inFlight = new InFlight();

    BackupTransfer(ImageTransfers t, MachineFacts machine, Backup backup, TransferStep step, AgentReturn returns) {
        this.t = t;
        this.machine = machine;
        this.backup = backup;
        this.step = step;
        this.returns = returns;
        this.loss = new LinkLoss(t.clock, t.resumeWindow());
        this.started = t.clock.instant();
    }

    CompletableFuture<ImageResult> start() {
        step.onStop(inFlight::stop);
        inFlight.track(t.agents.disks(machine.id())).thenCompose(this::plan)
                .thenApplyAsync(v -> create(), t.executor)
                .whenComplete((v, e) -> {
                    if (e != null) {
                        fail(e);
                    } else {
                        read(0);
                    }
                });
        return result;
    }

    /** The extents and the partition-table areas to read, from the disk check's fresh view of the disk. */
    private CompletableFuture<Void> plan(List<DiskInfo> disks) {
        disk = disks.stream().filter(d -> d.number() == backup.disk()).findFirst().orElseThrow(
                () -> new StepFailedException("machine " + machine.name() + " has no disk " + backup.disk()
                        + " (it has " + disks.stream().map(d -> String.valueOf(d.number())).toList() + ")"));
        extents = new ArrayList<>();
        if (backup.partitions().isEmpty()) {
            extents.add(new ImageExtent(disk.number(), 0, disk.sizeBytes()));
        }
        long end = 0;
        for (int number : backup.partitions()) {
            PartitionInfo p = disk.partition(number).orElseThrow(() -> new StepFailedException("disk "
                    + disk.number() + " of machine " + machine.name() + " has no partition " + number));
            if (p.startBytes() < end) {
                throw new StepFailedException("partition " + number + " of disk " + disk.number() + " lies before"
                        + " or over the one named before it: an image holds partitions in their order on the disk");
            }
            end = p.startBytes() + p.sizeBytes();
            extents.add(new ImageExtent(disk.number(), p.startBytes(), p.sizeBytes()));
        }
        for (ImageExtent e : extents) {
            total += e.length();
            chunks += (e.length() - 1) / ImageTransfers.CHUNK_SIZE + 1;
        }
        String table = disk.partitionTable();
        if (!table.equals("gpt") && !table.equals("mbr")) {
            return CompletableFuture.completedFuture(null);
        }
        int headLength = PartitionTableArea.headLength(disk.sizeBytes(),
                disk.partitions().stream().map(PartitionInfo::startBytes).toList());
        CompletableFuture<Void> areas = headLength == 0
                ? CompletableFuture.completedFuture(null)
                : inFlight.track(t.agents.readDiskArea(machine.id(), disk.number(), 0, headLength))
                        .thenAccept(b -> head = b);
        if (table.equals("gpt")) {
            int tailLength = (int) Math.min(PartitionTableArea.TAIL_READ, disk.sizeBytes());
            areas = areas.thenCompose(v -> inFlight.track(t.agents.readDiskArea(machine.id(), disk.number(),
                    disk.sizeBytes() - tailLength, tailLength))).thenAccept(b -> tail = b);
        }
        return areas;
    }

    /**
     * Creates the image aside; refused up front when the folder cannot hold the worst case (nothing compresses, and
     * for a manifest nothing is in the chunk store yet).
     */
    private Void create() {
        long worst = HEADER_ALLOWANCE + head.length + tail.length + chunks * 72L + 48;
        for (ImageExtent e : extents) {
            long full = e.length() / ImageTransfers.CHUNK_SIZE;
            int rest = (int) (e.length() % ImageTransfers.CHUNK_SIZE);
            worst += full * Chunks.maxStored(ImageTransfers.CHUNK_SIZE) + (rest == 0 ? 0 : Chunks.maxStored(rest));
        }
        try {
            PendingImage created = t.images.createImage(backup.imageName(), worst, t.shareChunks());
            synchronized (lock) {
                image = created;
                if (inFlight.stopped()) {
                    throw new CancellationException("stopped");
                }
            }
        } catch (IOException e) {
            throw new StepFailedException("image " + backup.imageName() + " cannot be created: " + e.getMessage(), e);
        }
        step.log("Backing up " + describeExtents() + " of machine " + machine.name() + " into image "
                + backup.imageName() + " (" + total + " bytes, " + chunks + " chunks)");
        return null;
    }

    private String describeExtents() {
        return backup.partitions().isEmpty()
                ? "disk " + backup.disk()
                : "partitions " + backup.partitions() + " of disk " + backup.disk();
    }

    private void read(long from) {
        if (from > 0) {
            step.log("The agent of machine " + machine.name() + " is back; the backup goes on from chunk " + from);
        }
        ImageReadRequest request = new ImageReadRequest(extents, ImageTransfers.CHUNK_SIZE,
                ImageTransfers.COMPRESSION_LEVEL, from);
        inFlight.track(t.agents.readImage(machine.id(), request, this, ProgressListener.NONE))
                .whenComplete(this::readDone);
    }

    private void readDone(ImageReadResult r, Throwable error) {
        if (error == null) {
            t.executor.execute(this::finish);
            return;
        }
        Throwable cause = ImageTransfers.cause(error);
        if (inFlight.stopped() || !(cause instanceof AgentUnavailableException)) {
            fail(error);
            return;
        }
        long next;
        synchronized (lock) {
            next = writer == null ? 0 : writer.nextChunk();
        }
        loss.awaitReturn(inFlight, returns, step, machine, "backup", next, chunks, cause, () -> read(next),
                this::fail);
    }

    @Override
    public void begin(List<ImageDisk> disks) throws IOException {
        synchronized (lock) {
            open();
            if (geometry != null) {
                if (!geometry.equals(disks)) {
                    throw new IOException("disk " + disk.number() + " of machine " + machine.name()
                            + " is not what it was when the backup began: " + disks + ", was " + geometry);
                }
                return;
            }
            ImageDisk d = disks.stream().filter(x -> x.number() == disk.number()).findFirst().orElseThrow(
                    () -> new IOException("the agent of machine " + machine.name() + " did not describe disk "
                            + disk.number()));
            geometry = List.copyOf(disks);
            int keep = (int) Math.min(tail.length, (long) PartitionTableArea.GPT_TAIL_SECTORS * d.sectorSize());
            byte[] table = Arrays.copyOf(head, head.length + keep);
            System.arraycopy(tail, tail.length - keep, table, head.length, keep);
            List<ImageHeader.Partition> partitions = disk.partitions().stream()
                    .map(p -> new ImageHeader.Partition(p.number(), p.startBytes(), p.sizeBytes(), p.type()))
                    .toList();
            ImageHeader header;
            try {
                header = new ImageHeader(UUID.randomUUID(), ImageTransfers.CHUNK_SIZE, t.clock.instant(),
                        machine.deployOsId(), machine.model(),
                        new ImageHeader.SourceMachine(machine.name(), machine.mac(), machine.uuid()),
                        List.of(new ImageHeader.Disk(d.number(), d.sizeBytes(), d.sectorSize(), table, partitions)),
                        extents.stream().map(e -> new ImageHeader.Extent(e.disk(), e.offset(), e.length()))
                                .toList());
            } catch (IllegalArgumentException e) {
                throw new IOException("disk " + d.number() + " of machine " + machine.name()
                        + " cannot be imaged as found: " + e.getMessage(), e);
            }
            writer = image.writer(header);
        }
    }

    @Override
    public void accept(ImageChunk c) throws IOException {
        synchronized (lock) {
            open();
            if (writer == null) {
                throw new IOException("chunk " + c.number() + " came before the agent described the disks");
            }
            ChunkEntry entry = new ChunkEntry(c.number(), c.disk(), c.diskOffset(), c.length(), 0, c.storedLength(),
                    c.crc32c(), c.sha256());
            try {
                writer.append(entry, c.hole() ? null : c.stored());
            } catch (IllegalArgumentException e) {
                throw new IOException("machine " + machine.name() + " sent a bad " + e.getMessage(), e);
            } catch (IOException e) {
                throw new IOException("image " + backup.imageName() + " cannot be written at chunk " + c.number()
                        + " (disk " + c.disk() + ", disk offset " + c.diskOffset() + "): " + e.getMessage(), e);
            }
            loss.progressed();
            step.progress(writer.sourceBytes(), total);
        }
    }

    private void open() throws IOException {
        if (closed) {
            throw new IOException("the backup into image " + backup.imageName() + " has ended");
        }
    }

    /** The last chunk is in: index and trailer, the verification when asked, then the image goes in place. */
    private void finish() {
        try {
            ImageResult done;
            long added;
            synchronized (lock) {
                open();
                if (writer == null || !writer.complete()) {
                    throw new StepFailedException("the agent of machine " + machine.name() + " ended the backup"
                            + " after " + (writer == null ? 0 : writer.nextChunk()) + " of " + chunks + " chunks");
                }
                var summary = writer.finish();
                if (backup.verify()) {
                    verify();
                }
                if (inFlight.stopped()) {
                    throw new CancellationException("stopped");
                }
                image.commit();
                closed = true;
                added = image.addedToStore();
                // A manifest's image is its chunks as much as the manifest, shared or not.
                long imageBytes = summary.imageBytes() + (writer.manifest() ? writer.storedBytes() : 0);
                done = new ImageResult(total, imageBytes, summary.chunks(),
                        Duration.between(started, t.clock.instant()), List.of());
            }
            step.log("Image " + backup.imageName() + " written: " + done.imageBytes() + " bytes for " + total
                    + " disk bytes" + (writer.manifest() ? ", " + added + " of them new to the chunk store" : "")
                    + (backup.verify() ? ", verified" : ""));
            result.complete(done);
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void verify() throws IOException {
        try (ImageReader reader = image.readBackImage()) {
            Verifier.Report report = Verifier.verify(reader);
            if (!report.ok()) {
                throw new StepFailedException("image " + backup.imageName() + " failed its verification ("
                        + report.bad().size() + " bad chunks), first " + report.bad().get(0).describe());
            }
        }
    }

    /** Removes the temporary file (an image of that name stays as it was) and fails the backup. */
    private void fail(Throwable error) {
        synchronized (lock) {
            closed = true;
            if (image != null) {
                try {
                    image.close();
                } catch (IOException e) {
                    error.addSuppressed(e);
                }
            }
        }
        Throwable cause = ImageTransfers.cause(error);
        if (inFlight.stopped() || cause instanceof CancellationException) {
            result.completeExceptionally(new CancellationException("the backup of machine " + machine.name()
                    + " into image " + backup.imageName() + " was stopped"));
        } else if (cause instanceof StepFailedException) {
            result.completeExceptionally(cause);
        } else {
            result.completeExceptionally(new StepFailedException("the backup of machine " + machine.name()
                    + " into image " + backup.imageName() + " failed: " + ImageTransfers.describe(cause), cause));
        }
    }
}
