package org.opendpm.scheduler.internal.images.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

import org.opendpm.scheduler.internal.images.ImageFolder;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ImageChunk;
import org.opendpm.api.agent.ImageChunkSource;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageWriteProgress;
import org.opendpm.api.agent.ImageWriteRequest;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.PartitionInfo;
import org.opendpm.image.ChunkCorruptException;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.Chunks;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.spi.AgentHandle.ImageResult;
import org.opendpm.spi.AgentHandle.Restore;
import org.opendpm.spi.StepFailedException;

/**
 * One restore: the image is marked in use and opened strictly; another Deploy-OS or model than the target's is
 * warned of (IMG-5); each target disk must exist and hold the image's disk. A partition image goes where its
 * partitions were on the source disk: into the target's partitions of the same numbers when they start there and are
 * at least as large, else the image's partition table is written first (on a larger GPT disk with its backup GPT
 * moved to the disk's end once the chunks are written). Each chunk's CRC-32C is checked
 * before it is sent, so a damaged image fails before its bad chunk reaches the disk. After a lost link the agent is
 * asked again from the last chunk it confirmed. A multicast restore (IMG-3) makes the same checks and writes the same
 * partition tables, then joins a session instead of sending the chunks itself: the session rejoins a returning agent.
 */
final class RestoreTransfer implements ImageChunkSource, ImageWriteProgress {

    private final ImageTransfers t;
    private final MachineFacts machine;
    private final Restore restore;
    private final TransferStep step;
    /** Null for a multicast restore, which resumes through its session. */
    private final AgentReturn returns;
    /** Null for a unicast restore. */
    private final MulticastJoin multicast;
    private final LinkLoss loss;
    private final Instant started;
    private final CompletableFuture<ImageResult> result = new CompletableFuture<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<Integer, Integer> targetOf = new HashMap<>();
    /** Backup GPTs to move to the end of target disks larger than the image's, by target disk number. */
    private final Map<Integer, GptRelocation.Areas> gptMoves = new HashMap<>();
    private final CRC32C crc = new CRC32C();

    /** The stored bytes of the chunk being sent, reused: a chunk is sent before the next is read. */
    private ByteBuffer buffer;
    private ImageFolder.Use lease;
    private ImageReader reader;
    private ImageHeader header;
    private long total;

    /** The next chunk the source gives, on the link's thread. */
    private long next;
    /** What the agent confirmed: chunks below {@code confirmed} are on the disk, {@code confirmedBytes} of them. */
    private volatile long confirmed;
    private volatile long confirmedBytes;
    private long requestBase;
    private volatile IOException sourceFault;

    private final InFlight inFlight = new InFlight();

    RestoreTransfer(ImageTransfers t, MachineFacts machine, Restore restore, TransferStep step, AgentReturn returns,
            MulticastJoin multicast) {
        this.t = t;
        this.machine = machine;
        this.restore = restore;
        this.step = step;
        this.returns = returns;
        this.multicast = multicast;
        this.loss = new LinkLoss(t.clock, t.resumeWindow());
        this.started = t.clock.instant();
    }

    CompletableFuture<ImageResult> start() {
        step.onStop(inFlight::stop);
        CompletableFuture.supplyAsync(this::open, t.executor)
                .thenCompose(v -> inFlight.track(t.agents.disks(machine.id())))
                .thenCompose(this::prepare)
                .whenComplete((v, e) -> {
                    if (e != null) {
                        end(e);
                    } else if (multicast != null) {
                        join();
                    } else {
                        write(0);
                    }
                });
        return result;
    }

    /** Marks the image in use, opens it strictly and warns of another Deploy-OS or model (IMG-5). */
    private Void open() {
        lease = t.images.use(restore.imageName(), "restore onto machine " + machine.name());
        try {
            reader = t.images.reader(restore.imageName());
        } catch (IOException e) {
            throw new StepFailedException("image " + restore.imageName() + " cannot be restored: " + e.getMessage(),
                    e);
        }
        header = reader.header();
        total = header.totalBytes();
        if (!header.deployOsId().isEmpty() && !header.deployOsId().equals(machine.deployOsId())) {
            warn("Image " + restore.imageName() + " was taken with Deploy-OS " + header.deployOsId()
                    + "; machine " + machine.name() + " uses Deploy-OS " + machine.deployOsId() + " (IMG-5)");
        }
        if (!header.machineModel().isEmpty() && !header.machineModel().equals(machine.model())) {
            warn("Image " + restore.imageName() + " was taken from a machine of model " + header.machineModel()
                    + "; machine " + machine.name() + " is "
                    + (machine.model().isEmpty() ? "of unknown model" : "a " + machine.model()) + " (IMG-5)");
        }
        return null;
    }

    private void warn(String line) {
        warnings.add(line);
        step.warn(line);
    }

    /** Maps the image's disks onto the machine's, checks their sizes and writes a partition table where needed. */
    private CompletableFuture<Void> prepare(List<DiskInfo> disks) {
        if (restore.disk() != 0 && header.disks().size() != 1) {
            throw new StepFailedException("image " + restore.imageName() + " holds " + header.disks().size()
                    + " disks; it is restored onto the disks of the same numbers, not onto disk " + restore.disk());
        }
        CompletableFuture<Void> tables = CompletableFuture.completedFuture(null);
        for (ImageHeader.Disk d : header.disks()) {
            int number = restore.disk() == 0 ? d.number() : restore.disk();
            DiskInfo target = disks.stream().filter(x -> x.number() == number).findFirst().orElseThrow(
                    () -> new StepFailedException("machine " + machine.name() + " has no disk " + number));
            if (target.sizeBytes() < d.size()) {
                throw new StepFailedException("image " + restore.imageName() + " needs a disk of at least " + d.size()
                        + " bytes; disk " + number + " of machine " + machine.name() + " has " + target.sizeBytes());
            }
            targetOf.put(d.number(), number);
            if (!partitionImage(d)) {
                if (target.sizeBytes() > d.size()) {
                    moveBackupGpt(d, number, target.sizeBytes());
                }
                continue;
            }
            if (partitionsHold(d, target)) {
                continue;
            }
            if (d.partitionTable().length == 0) {
                throw new StepFailedException("the partitions of disk " + number + " of machine " + machine.name()
                        + " differ from those image " + restore.imageName() + " holds, and its partition table"
                        + " cannot be written: the image keeps none");
            }
            boolean moved = target.sizeBytes() > d.size() && moveBackupGpt(d, number, target.sizeBytes());
            tables = tables.thenCompose(v -> writeTable(d, number, !moved));
        }
        return tables;
    }

    /**
     * Plans the move of a GPT disk's backup table to the end of a larger target, done once every chunk is written;
     * an image whose table cannot be moved restores as it is, with a warning. Whether a move is planned (an MBR disk
     * needs none).
     */
    private boolean moveBackupGpt(ImageHeader.Disk d, int number, long targetSize) {
        try {
            Optional<GptRelocation.Areas> areas = GptRelocation.relocate(PartitionTableArea.head(d), d.sectorSize(),
                    d.size(), targetSize);
            areas.ifPresent(a -> gptMoves.put(number, a));
            return areas.isPresent();
        } catch (IllegalArgumentException e) {
            warn("Disk " + number + " of machine " + machine.name() + " is larger than image " + restore.imageName()
                    + "'s, but the image's GPT cannot be moved to its end (" + e.getMessage() + "); the disk keeps"
                    + " the table where the image's disk ended");
            return false;
        }
    }

    /** Writes the planned GPT moves, one disk after the other. */
    private CompletableFuture<Void> moveBackupGpts() {
        CompletableFuture<Void> f = CompletableFuture.completedFuture(null);
        for (Map.Entry<Integer, GptRelocation.Areas> m : gptMoves.entrySet()) {
            int number = m.getKey();
            GptRelocation.Areas a = m.getValue();
            f = f.thenCompose(v -> inFlight.track(t.agents.writeDiskArea(machine.id(), number, 0, a.head())))
                    .thenCompose(v -> inFlight.track(t.agents.writeDiskArea(machine.id(), number, a.tailOffset(),
                            a.tail())))
                    .thenRun(() -> step.log("Disk " + number + " of machine " + machine.name() + " is larger than the"
                            + " image's: its backup GPT now ends the disk, at byte " + a.tailOffset()));
        }
        return f;
    }

    /** Whether the image holds partitions of the disk rather than all of it. */
    private boolean partitionImage(ImageHeader.Disk d) {
        List<ImageHeader.Extent> of = header.extents().stream().filter(e -> e.diskNumber() == d.number()).toList();
        return !(of.size() == 1 && of.get(0).offset() == 0 && of.get(0).length() == d.size());
    }

    /**
     * Every imaged partition is on the target with the same number and start and at least its size: the restore writes
     * each where it was on the source disk, so a partition elsewhere (or smaller) cannot take it.
     */
    private boolean partitionsHold(ImageHeader.Disk d, DiskInfo target) {
        for (ImageHeader.Extent e : header.extents()) {
            if (e.diskNumber() != d.number()) {
                continue;
            }
            ImageHeader.Partition p = d.partitions().stream()
                    .filter(x -> x.offset() == e.offset() && x.length() == e.length()).findFirst().orElse(null);
            PartitionInfo on = p == null ? null : target.partition(p.number()).orElse(null);
            if (on == null || on.startBytes() != p.offset() || on.sizeBytes() < p.length()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the image's partition table: the head, and with {@code withTail} the tail where the image's disk ended
     * (on a larger disk the planned GPT move writes the tail at the disk's end instead).
     */
    private CompletableFuture<Void> writeTable(ImageHeader.Disk d, int number, boolean withTail) {
        byte[] head = PartitionTableArea.head(d);
        byte[] tail = PartitionTableArea.tail(d);
        step.log("The partitions of disk " + number + " of machine " + machine.name() + " differ from the image's:"
                + " writing its partition table first");
        CompletableFuture<Void> f = inFlight.track(t.agents.writeDiskArea(machine.id(), number, 0, head));
        if (withTail && tail.length > 0) {
            f = f.thenCompose(v -> inFlight.track(t.agents.writeDiskArea(machine.id(), number, d.size() - tail.length,
                    tail)));
        }
        return f;
    }

    /** The machine's disks the image's disks go to, in the image's order. */
    private List<ImageDisk> targetDisks() {
        return header.disks().stream().map(d -> new ImageDisk(targetOf.get(d.number()), d.size(), d.sectorSize()))
                .toList();
    }

    /** Joins a multicast session, ready: the session sends the chunks. */
    private void join() {
        step.log("Machine " + machine.name() + " is ready for the multicast restore of image " + restore.imageName()
                + " (" + total + " bytes, " + reader.chunkCount() + " chunks) and waits for its session to start");
        CompletableFuture<ImageWriteResult> joined;
        try {
            joined = inFlight.track(multicast.join(t.images.path(restore.imageName()), targetDisks(), total,
                    this::confirmed));
        } catch (IOException | RuntimeException e) {
            end(e);
            return;
        }
        joined.whenComplete(this::written);
    }

    private void write(long from) {
        if (from > 0) {
            step.log("The agent of machine " + machine.name() + " is back; the restore goes on from chunk " + from);
        } else {
            step.log("Restoring image " + restore.imageName() + " onto machine " + machine.name() + " (" + total
                    + " bytes, " + reader.chunkCount() + " chunks)");
        }
        next = from;
        requestBase = confirmedBytes;
        ImageWriteRequest request = new ImageWriteRequest(targetDisks(), header.chunkSize(), from, reader.chunkCount(),
                restore.compare());
        inFlight.track(t.agents.writeImage(machine.id(), request, this, this)).whenComplete(this::written);
    }

    @Override
    public ImageChunk next() throws IOException {
        if (inFlight.stopped()) {
            // Not null: that would end the write as if complete.
            throw new IOException("the restore onto machine " + machine.name() + " was stopped");
        }
        if (next == reader.chunkCount()) {
            return null;
        }
        ChunkEntry e = reader.entry(next);
        ByteBuffer stored = null;
        if (!e.hole()) {
            if (buffer == null) {
                buffer = ByteBuffer.allocateDirect(Chunks.maxStored(reader.header().chunkSize()));
            }
            try {
                stored = reader.readStoredChunk(next, buffer);
            } catch (ChunkCorruptException missing) {
                // a manifest's chunk missing from the chunk store, or cut short
                sourceFault = new IOException("image " + restore.imageName() + " is damaged at "
                        + missing.badChunk().describe() + "; nothing of it was sent to machine " + machine.name());
                throw sourceFault;
            }
            crc.reset();
            crc.update(stored.duplicate());
            if ((int) crc.getValue() != e.storedCrc32c()) {
                sourceFault = new IOException("image " + restore.imageName() + " is damaged at chunk " + e.number()
                        + " (disk " + e.diskNumber() + ", disk offset " + e.diskOffset() + "): its stored bytes fail"
                        + " their CRC-32C; nothing of it was sent to machine " + machine.name());
                throw sourceFault;
            }
        }
        next++;
        return new ImageChunk(e.number(), targetOf.get(e.diskNumber()), e.diskOffset(), e.length(), e.hole(),
                e.storedLength(), e.storedCrc32c(), e.sha256(), stored);
    }

    @Override
    public void confirmed(long confirmedChunks, long bytes) {
        confirmed = confirmedChunks;
        confirmedBytes = requestBase + bytes;
        loss.progressed();
        step.progress(confirmedBytes, total);
    }

    private void written(ImageWriteResult r, Throwable error) {
        if (error == null) {
            if (r.compared() && !r.mismatches().isEmpty()) {
                ImageWriteResult.Mismatch m = r.mismatches().get(0);
                end(new StepFailedException("machine " + machine.name() + ": chunk " + m.chunk() + " (disk "
                        + m.disk() + ", disk offset " + m.diskOffset() + ") reads back differently from image "
                        + restore.imageName() + " (" + r.mismatches().size() + " chunks listed)"));
            } else {
                moveBackupGpts().whenComplete((v, failed) -> end(failed));
            }
            return;
        }
        Throwable cause = ImageTransfers.cause(error);
        if (multicast != null || inFlight.stopped() || sourceFault != null
                || !(cause instanceof AgentUnavailableException)) {
            end(sourceFault != null ? new StepFailedException(sourceFault.getMessage(), sourceFault) : error);
            return;
        }
        long from = confirmed;
        long chunks = reader.chunkCount();
        loss.awaitReturn(inFlight, returns, step, machine, "restore", from, chunks, cause, () -> write(from),
                this::end);
    }

    /** Closes the image and its in-use mark, and completes the restore. */
    private void end(Throwable error) {
        try {
            if (reader != null) {
                reader.close();
            }
            if (lease != null) {
                lease.close();
            }
        } catch (Exception e) {
            if (error != null) {
                error.addSuppressed(e);
            }
        }
        if (error == null) {
            step.log("Image " + restore.imageName() + " restored onto machine " + machine.name()
                    + (restore.compare() ? " and compared" : ""));
            result.complete(new ImageResult(total, reader.size() + (reader.manifest() ? reader.storedBytes() : 0),
                    reader.chunkCount(),
                    Duration.between(started, t.clock.instant()), warnings));
            return;
        }
        Throwable cause = ImageTransfers.cause(error);
        if (inFlight.stopped() || cause instanceof CancellationException) {
            result.completeExceptionally(new CancellationException("the restore of image " + restore.imageName()
                    + " onto machine " + machine.name() + " was stopped"));
        } else if (cause instanceof StepFailedException) {
            result.completeExceptionally(cause);
        } else {
            result.completeExceptionally(new StepFailedException("the restore of image " + restore.imageName()
                    + " onto machine " + machine.name() + " failed: " + ImageTransfers.describe(cause), cause));
        }
    }
}
