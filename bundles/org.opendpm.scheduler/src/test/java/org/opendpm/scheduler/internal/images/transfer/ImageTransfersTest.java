package org.opendpm.scheduler.internal.images.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PartitionInfo;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.image.ChunkStore;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.RestoreTarget;
import org.opendpm.image.Verifier;
import org.opendpm.scheduler.internal.FakeAgentLink;
import org.opendpm.scheduler.internal.TestPlugins;
import org.opendpm.scheduler.internal.images.ImageFolder;
import org.opendpm.spi.AgentHandle.Backup;
import org.opendpm.spi.AgentHandle.ImageResult;
import org.opendpm.spi.AgentHandle.Restore;
import org.opendpm.spi.StepFailedException;

/** IMG-1, IMG-2, IMG-5, IMG-6: backup and restore through the agent link, with a fake agent over disk files. */
public class ImageTransfersTest {

    private static final int CHUNK = ImageTransfers.CHUNK_SIZE;
    /** Five whole chunks and a short one. */
    private static final long DISK = 5L * CHUNK + 12345;
    private static final long A = 1;
    private static final long B = 2;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final FakeAgentLink link = new FakeAgentLink();
    private final TestPlugins plugins = new TestPlugins();
    private Path folder;
    private ImageFolder images;
    private byte[] source;

    /** A step that records what a transfer reports and can be stopped. */
    private static final class RecordingStep implements TransferStep {
        final List<long[]> progress = new CopyOnWriteArrayList<>();
        final List<String> log = new CopyOnWriteArrayList<>();
        final List<Runnable> onStop = new CopyOnWriteArrayList<>();

        @Override
        public void progress(long done, long total) {
            progress.add(new long[]{ done, total });
        }

        @Override
        public void log(String line) {
            log.add(line);
        }

        @Override
        public void warn(String line) {
            log.add("Warning: " + line);
        }

        @Override
        public void onStop(Runnable action) {
            onStop.add(action);
        }

        void stop() {
            onStop.forEach(Runnable::run);
        }
    }

    /** The agent's return as the engine waits for it: a connection, or the window's end. */
    private final AgentReturn returns = (machineId, until) -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        AgentListener l = new AgentListener() {
            @Override
            public void connected(AgentInfo agent) {
                if (agent.machineId().equals(Optional.of(machineId))) {
                    f.complete(null);
                }
            }

            @Override
            public void disconnected(AgentInfo agent, String reason) {
            }
        };
        link.listeners.add(l);
        if (link.connected.containsKey(machineId)) {
            f.complete(null);
        }
        long ms = Math.max(0, Duration.between(Instant.now(), until).toMillis());
        return f.orTimeout(ms, TimeUnit.MILLISECONDS).whenComplete((v, e) -> link.listeners.remove(l));
    };

    @Before
    public void setUp() throws IOException {
        folder = tmp.newFolder("images").toPath();
        ServerSettings s = new ServerSettings(true, folder.toString(), false, 5, 10, 120,
                ServerSettings.DEFAULT_DEPLOY_OS);
        images = new ImageFolder(new ServerSettingsService() {
            @Override
            public ServerSettings get() {
                return s;
            }

            @Override
            public ServerSettings update(ServerSettings settings) {
                throw new AssertionError("not used by this test");
            }
        });
        source = source(DISK);
        machineDisk(A, source, "mbr");
        link.connect(A, true);
    }

    @After
    public void noTemporaryFileLeft() throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")))
                    .isSubsetOf(".chunks");
        }
        try (Stream<Path> s = Files.walk(folder)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".partial"))).isEmpty();
        }
    }

    /** Text, a zero chunk (a hole), random bytes, text again. */
    private static byte[] source(long size) {
        byte[] b = new byte[(int) size];
        byte[] line = "OpenDPM backup test line 0123456789\n".getBytes();
        for (int i = 0; i < CHUNK; i++) {
            b[i] = line[i % line.length];
        }
        byte[] rnd = new byte[2 * CHUNK];
        new Random(5).nextBytes(rnd);
        System.arraycopy(rnd, 0, b, 2 * CHUNK, rnd.length);
        for (int i = 4 * CHUNK; i < b.length; i++) {
            b[i] = line[i % line.length];
        }
        return b;
    }

    private static final long P1 = 1 << 20;
    private static final long P1_SIZE = 8L << 20;
    private static final long P2 = 9L << 20;
    private static final long P2_SIZE = DISK - P2 - 4096;

    /** Disk 1 of the machine: a file with these bytes and, for the disk check, two partitions. */
    private Path machineDisk(long machine, byte[] content, String table) throws IOException {
        Path disk = tmp.newFile("disk-" + machine + "-" + System.nanoTime()).toPath();
        Files.write(disk, content);
        link.diskFiles.put(machine, Map.of(1, disk));
        link.diskInfo.put(machine, List.of(new DiskInfo(1, "vda", content.length, table, "",
                List.of(new PartitionInfo(1, P1, P1_SIZE, "83", "ext4"), new PartitionInfo(2, P2, P2_SIZE, "83",
                        "ext4")))));
        return disk;
    }

    private ImageTransfers transfers(Duration resume) {
        return new ImageTransfers(link, images, plugins, null, resume, Clock.systemUTC());
    }

    private static MachineFacts facts(long id, String model, String deployOs) {
        return new MachineFacts(id, "m" + id, "02:00:00:00:00:0" + id, "uuid-" + id, model, deployOs);
    }

    private static ImageResult await(CompletionStage<ImageResult> f) throws Exception {
        try {
            return f.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private ImageResult backup(ImageTransfers t, RecordingStep step, String name, boolean verify) throws Exception {
        return await(t.backup(facts(A, "Model 7", "opendpm-linux"), new Backup(name, 1, List.of(), verify), step,
                returns));
    }

    private byte[] restoreLocally(String name) throws IOException {
        Path out = tmp.newFile().toPath();
        try (ImageReader r = ImageReader.open(folder.resolve(name));
                FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE)) {
            r.restore(RestoreTarget.of(ch), ImageReader.RestoreOptions.DEFAULT);
        }
        return Files.readAllBytes(out);
    }

    @Test
    public void backupMakesAnImageThatVerifiesAndRestoresToTheSource() throws Exception {
        RecordingStep step = new RecordingStep();
        ImageResult r = backup(transfers(Duration.ofSeconds(5)), step, "a.img", true);

        assertThat(r.diskBytes()).isEqualTo(DISK);
        assertThat(r.chunks()).isEqualTo(6);
        try (ImageReader reader = ImageReader.open(folder.resolve("a.img"))) {
            assertThat(reader.manifest()).as("a manifest by default").isTrue();
            assertThat(r.imageBytes()).as("the manifest and its chunks")
                    .isEqualTo(reader.size() + reader.storedBytes()).isLessThan(DISK);
            assertThat(Verifier.verify(reader).ok()).isTrue();
            ImageHeader h = reader.header();
            assertThat(h.deployOsId()).isEqualTo("opendpm-linux");
            assertThat(h.machineModel()).isEqualTo("Model 7");
            assertThat(h.source()).isEqualTo(new ImageHeader.SourceMachine("m1", "02:00:00:00:00:01", "uuid-1"));
            assertThat(h.chunkSize()).isEqualTo(CHUNK);
            assertThat(reader.entry(1).hole()).isTrue();
            assertThat(h.disks().get(0).partitionTable()).as("the head up to the first partition, MBR")
                    .isEqualTo(java.util.Arrays.copyOf(source, 512 * 1024));
            assertThat(h.disks().get(0).partitions()).hasSize(2);
        }
        assertThat(restoreLocally("a.img")).isEqualTo(source);
        assertThat(step.progress).hasSize(6);
        assertThat(step.progress.get(5)).containsExactly(DISK, DISK);
        assertThat(step.progress.get(0)).containsExactly(CHUNK, DISK);
    }

    private long storeBytes() throws IOException {
        try (Stream<Path> s = Files.walk(folder.resolve(".chunks"))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * IMG-1: the backup of a second machine made from the first adds only the chunks that differ to the chunk
     * store, and the first image deleted leaves the second verifiable and restorable.
     */
    @Test
    public void aSecondMachineFromTheFirstAddsOnlyItsChangedChunks() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        backup(t, new RecordingStep(), "a.img", false);
        long first = storeBytes();

        byte[] changed = source.clone();
        changed[2 * CHUNK + 4096] ^= 0x11;
        machineDisk(A, changed, "mbr");
        RecordingStep step = new RecordingStep();
        backup(t, step, "b.img", true);
        long chunk2;
        try (ImageReader r = ImageReader.open(folder.resolve("b.img"))) {
            chunk2 = r.entry(2).storedLength();
        }
        assertThat(storeBytes() - first).isEqualTo(chunk2);
        assertThat(step.log).anySatisfy(l -> assertThat(l).contains(", " + chunk2 + " of them new to the chunk"
                + " store, verified"));

        images.delete("a.img");
        assertThat(storeBytes()).isEqualTo(first);
        try (ImageReader r = ImageReader.open(folder.resolve("b.img"))) {
            assertThat(Verifier.verify(r).ok()).isTrue();
        }
        assertThat(restoreLocally("b.img")).isEqualTo(changed);
    }

    @Test
    public void singleFilesAreWrittenWhenTheStoreIsNotShared() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        t.shareChunks(false);
        ImageResult r = backup(t, new RecordingStep(), "a.img", true);
        try (ImageReader reader = ImageReader.open(folder.resolve("a.img"))) {
            assertThat(reader.manifest()).isFalse();
            assertThat(reader.formatVersion()).isEqualTo("1.0");
        }
        assertThat(r.imageBytes()).isEqualTo(Files.size(folder.resolve("a.img")));
        assertThat(folder.resolve(".chunks")).doesNotExist();
        assertThat(restoreLocally("a.img")).isEqualTo(source);
    }

    @Test
    public void partitionBackupOfAGptDiskKeepsTheBackupGptSectors() throws Exception {
        machineDisk(A, source, "gpt");
        RecordingStep step = new RecordingStep();
        ImageResult r = await(transfers(Duration.ofSeconds(5)).backup(facts(A, "", ""),
                new Backup("p.img", 1, List.of(1, 2), false), step, returns));
        assertThat(r.diskBytes()).isEqualTo(P1_SIZE + P2_SIZE);
        try (ImageReader reader = ImageReader.open(folder.resolve("p.img"))) {
            byte[] table = reader.header().disks().get(0).partitionTable();
            assertThat(table).hasSize(512 * 1024 + 33 * 512);
            assertThat(java.util.Arrays.copyOfRange(table, 512 * 1024, table.length))
                    .isEqualTo(java.util.Arrays.copyOfRange(source, (int) DISK - 33 * 512, (int) DISK));
            assertThat(reader.header().extents()).containsExactly(new ImageHeader.Extent(1, P1, P1_SIZE),
                    new ImageHeader.Extent(1, P2, P2_SIZE));
        }
    }

    @Test
    public void partitionsOutOfDiskOrderOrMissingAreRefused() {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        assertThatThrownBy(() -> await(t.backup(facts(A, "", ""), new Backup("x.img", 1, List.of(2, 1), false),
                new RecordingStep(), returns))).hasMessageContaining("partition 1 of disk 1 lies before");
        assertThatThrownBy(() -> await(t.backup(facts(A, "", ""), new Backup("x.img", 1, List.of(7), false),
                new RecordingStep(), returns))).hasMessageContaining("disk 1 of machine m1 has no partition 7");
        assertThatThrownBy(() -> await(t.backup(facts(A, "", ""), new Backup("x.img", 3, List.of(), false),
                new RecordingStep(), returns))).hasMessageContaining("machine m1 has no disk 3");
        assertThat(link.imageReadsFrom).isEmpty();
    }

    @Test
    public void restoreWritesTheImageOntoTheDiskAndComparesIt() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        backup(t, new RecordingStep(), "a.img", false);
        byte[] junk = new byte[(int) DISK];
        new Random(9).nextBytes(junk);
        Path target = machineDisk(B, junk, "mbr");
        link.connect(B, true);
        RecordingStep step = new RecordingStep();

        ImageResult r = await(t.restore(facts(B, "Model 7", "opendpm-linux"), new Restore("a.img", 0, true), step,
                returns));

        assertThat(Files.readAllBytes(target)).isEqualTo(source);
        assertThat(r.warnings()).isEmpty();
        assertThat(r.chunks()).isEqualTo(6);
        assertThat(step.progress.get(step.progress.size() - 1)).containsExactly(DISK, DISK);
    }

    /**
     * IMG-3: a multicast restore makes the unicast checks, then joins its session with the image's file and the
     * target disks, and the session's progress is the step's; nothing goes over the unicast write.
     */
    @Test
    public void img3AMulticastRestoreJoinsItsSessionWithTheCheckedDisksAndReportsItsProgress() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        backup(t, new RecordingStep(), "a.img", false);
        machineDisk(B, new byte[(int) DISK], "mbr");
        link.connect(B, true);
        RecordingStep step = new RecordingStep();
        List<Object> joined = new CopyOnWriteArrayList<>();
        CompletableFuture<org.opendpm.api.agent.ImageWriteResult> session = new CompletableFuture<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();

        CompletableFuture<ImageResult> restore = t.restoreByMulticast(facts(B, "", ""), new Restore("a.img", 0,
                true), step, (image, disks, total, progress) -> {
                    joined.add(image);
                    joined.add(disks);
                    joined.add(total);
                    progress.confirmed(2, 2L * CHUNK);
                    ready.complete(null);
                    return session;
                }).toCompletableFuture();
        // The checks run on the transfers' threads; the join is the restore's last move before it waits.
        ready.get(5, TimeUnit.SECONDS);

        assertThat(joined).containsExactly(folder.resolve("a.img"), List.of(new org.opendpm.api.agent.ImageDisk(1,
                DISK, 512)), DISK);
        assertThat(step.progress.get(step.progress.size() - 1)).containsExactly(2L * CHUNK, DISK);
        assertThat(images.usesOf("a.img")).as("kept in use while the session may read it").hasSize(1);
        assertThat(restore).isNotDone();
        session.complete(new org.opendpm.api.agent.ImageWriteResult(6, DISK, true, List.of()));
        assertThat(await(restore).chunks()).isEqualTo(6);
        assertThat(images.usesOf("a.img")).isEmpty();
        assertThat(link.imageWritesFrom).isEmpty();
    }

    @Test
    public void img3AMulticastRestoreOntoASmallerDiskNeverJoinsAndAFailedMemberFailsTheStep() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        backup(t, new RecordingStep(), "a.img", false);
        machineDisk(B, new byte[(int) DISK - 512], "mbr");
        link.connect(B, true);
        List<Path> joined = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> await(t.restoreByMulticast(facts(B, "", ""), new Restore("a.img", 0, false),
                new RecordingStep(), (image, disks, total, progress) -> {
                    joined.add(image);
                    return new CompletableFuture<>();
                }))).isInstanceOf(StepFailedException.class).hasMessageContaining("needs a disk of at least");
        assertThat(joined).isEmpty();

        machineDisk(B, new byte[(int) DISK], "mbr");
        assertThatThrownBy(() -> await(t.restoreByMulticast(facts(B, "", ""), new Restore("a.img", 0, false),
                new RecordingStep(), (image, disks, total, progress) -> CompletableFuture.failedFuture(
                        new StepFailedException("Machine m2 was dropped from multicast session 4: no chunk confirmed"
                                + " for 60 s")))))
                .isInstanceOf(StepFailedException.class)
                .hasMessage("Machine m2 was dropped from multicast session 4: no chunk confirmed for 60 s");
        assertThat(images.usesOf("a.img")).isEmpty();
    }

    @Test
    public void restoreOntoASmallerDiskIsRefused() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        backup(t, new RecordingStep(), "a.img", false);
        machineDisk(B, new byte[(int) DISK - 512], "mbr");
        link.connect(B, true);
        assertThatThrownBy(() -> await(t.restore(facts(B, "", ""), new Restore("a.img", 0, false),
                new RecordingStep(), returns))).isInstanceOf(StepFailedException.class).hasMessage(
                        "image a.img needs a disk of at least " + DISK + " bytes; disk 1 of machine m2 has "
                                + (DISK - 512));
        assertThat(link.imageWritesFrom).isEmpty();
    }

    @Test
    public void imageOfAnotherDeployOsOrModelIsRestoredWithWarnings() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        backup(t, new RecordingStep(), "a.img", false);
        Path target = machineDisk(B, new byte[(int) DISK], "mbr");
        link.connect(B, true);
        RecordingStep step = new RecordingStep();

        ImageResult r = await(t.restore(facts(B, "Model 9", "other-os"), new Restore("a.img", 1, false), step,
                returns));

        assertThat(r.warnings()).containsExactly(
                "Image a.img was taken with Deploy-OS opendpm-linux; machine m2 uses Deploy-OS other-os (IMG-5)",
                "Image a.img was taken from a machine of model Model 7; machine m2 is a Model 9 (IMG-5)");
        assertThat(step.log).contains("Warning: " + r.warnings().get(0), "Warning: " + r.warnings().get(1));
        assertThat(Files.readAllBytes(target)).isEqualTo(source);
    }

    @Test
    public void factsCarryTheResolvedDeployOs() {
        Machine m = new Machine(B, "m2", 1, "/g", List.of("02:00:00:00:00:02"), "02:00:00:00:00:02",
                Optional.of("u-2"), Optional.empty(), Optional.of("Model 9"), Optional.empty(), PowerState.ON,
                MachineStatus.NONE);
        ServerSettingsService settings = new ServerSettingsService() {
            @Override
            public ServerSettings get() {
                return new ServerSettings(true, "/x", false, 5, 10, 120, "server-default-os");
            }

            @Override
            public ServerSettings update(ServerSettings s) {
                throw new AssertionError();
            }
        };
        ImageTransfers t = new ImageTransfers(link, images, plugins, settings, Duration.ofSeconds(1),
                Clock.systemUTC());
        assertThat(t.facts(m)).isEqualTo(new MachineFacts(B, "m2", "02:00:00:00:00:02", "u-2", "Model 9",
                "server-default-os"));
    }

    /** Compares two images chunk for chunk; only the image UUID tells them apart. */
    private void assertSameImage(Path a, Path b) throws IOException {
        try (ImageReader x = ImageReader.open(a); ImageReader y = ImageReader.open(b)) {
            ImageHeader hx = x.header();
            ImageHeader hy = y.header();
            assertThat(new ImageHeader(hx.imageId(), hy.chunkSize(), hx.created(), hy.deployOsId(),
                    hy.machineModel(), hy.source(), hy.disks(), hy.extents())).isEqualTo(hx);
            assertThat(y.chunkCount()).isEqualTo(x.chunkCount());
            assertThat(y.size()).isEqualTo(x.size());
            for (long n = 0; n < x.chunkCount(); n++) {
                assertThat(y.entry(n)).isEqualTo(x.entry(n));
                assertThat(y.readStoredChunk(n)).isEqualTo(x.readStoredChunk(n));
            }
        }
    }

    @Test
    public void linkLostMidBackupResumesFromTheNextChunk() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(10));
        backup(t, new RecordingStep(), "whole.img", false);
        link.imageReadsFrom.clear();
        link.afterChunk = n -> {
            if (n == 2) {
                link.afterChunk = x -> {
                };
                link.disconnect(A, "cable pulled");
                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> link.connect(A, true));
            }
        };
        RecordingStep step = new RecordingStep();
        ImageResult r = backup(t, step, "resumed.img", true);

        assertThat(link.imageReadsFrom).containsExactly(0L, 3L);
        assertThat(r.chunks()).isEqualTo(6);
        assertSameImage(folder.resolve("whole.img"), folder.resolve("resumed.img"));
        assertThat(step.log).anyMatch(l -> l.startsWith("The link to machine m1 was lost at chunk 3 of 6"));
        assertThat(step.log).contains("The agent of machine m1 is back; the backup goes on from chunk 3");
    }

    @Test
    public void linkLostForLongerThanTheWindowFailsAndKeepsTheOldImage() throws Exception {
        byte[] old = "an image from before".getBytes();
        Files.write(folder.resolve("a.img"), old);
        link.afterChunk = n -> {
            if (n == 2) {
                link.afterChunk = x -> {
                };
                link.disconnect(A, "machine gone");
            }
        };
        assertThatThrownBy(() -> backup(transfers(Duration.ofSeconds(1)), new RecordingStep(), "a.img", false))
                .isInstanceOf(StepFailedException.class)
                .hasMessage("the link to machine m1 was lost for more than 1 s during the backup, at chunk 3 of 6");
        assertThat(Files.readAllBytes(folder.resolve("a.img"))).isEqualTo(old);
    }

    @Test
    public void linkLostMidRestoreResumesAfterTheLastConfirmedChunk() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(10));
        backup(t, new RecordingStep(), "a.img", false);
        Path target = machineDisk(B, new byte[(int) DISK], "mbr");
        link.connect(B, true);
        link.afterChunk = n -> {
            if (n == 3) {
                link.afterChunk = x -> {
                };
                link.disconnect(B, "cable pulled");
                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> link.connect(B, true));
            }
        };
        await(t.restore(facts(B, "Model 7", "opendpm-linux"), new Restore("a.img", 0, true), new RecordingStep(),
                returns));
        assertThat(link.imageWritesFrom).containsExactly(0L, 4L);
        assertThat(Files.readAllBytes(target)).isEqualTo(source);
    }

    /** The image a restore reads cannot be deleted meanwhile; once the restore ended it can. */
    @Test
    public void anImageBeingRestoredCannotBeDeleted() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(10));
        backup(t, new RecordingStep(), "a.img", false);
        machineDisk(B, new byte[(int) DISK], "mbr");
        link.connect(B, true);
        List<Throwable> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();
        link.afterChunk = n -> {
            if (n == 2) {
                try {
                    images.delete("a.img");
                } catch (Exception e) {
                    refusals.add(e);
                }
            }
        };
        await(t.restore(facts(B, "Model 7", "opendpm-linux"), new Restore("a.img", 0, false), new RecordingStep(),
                returns));
        assertThat(refusals).hasSize(1);
        assertThat(refusals.get(0)).isInstanceOf(org.opendpm.api.ConflictException.class)
                .hasMessageContaining("Image a.img is in use: restore onto machine m2");
        images.delete("a.img");
        assertThat(folder.resolve("a.img")).doesNotExist();
    }

    @Test
    public void restoreLinkLostForLongerThanTheWindowFails() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(1));
        backup(t, new RecordingStep(), "a.img", false);
        machineDisk(B, new byte[(int) DISK], "mbr");
        link.connect(B, true);
        link.afterChunk = n -> {
            if (n == 3) {
                link.afterChunk = x -> {
                };
                link.disconnect(B, "gone");
            }
        };
        assertThatThrownBy(() -> await(t.restore(facts(B, "Model 7", "opendpm-linux"), new Restore("a.img", 0,
                false), new RecordingStep(), returns))).hasMessage(
                        "the link to machine m2 was lost for more than 1 s during the restore, at chunk 4 of 6");
    }

    @Test
    public void freeSpaceIsCheckedBeforeAnythingIsRead() throws Exception {
        // A disk far larger than any test machine's free space (1 PiB): the figures are the file system's own.
        long huge = 1L << 50;
        link.diskInfo.put(A, List.of(new DiskInfo(1, "vda", huge, "none", "", List.of())));
        assertThatThrownBy(() -> backup(transfers(Duration.ofSeconds(1)), new RecordingStep(), "big.img", false))
                .isInstanceOf(StepFailedException.class).hasMessageContaining("Image big.img needs ")
                .hasMessageMatching(".*needs \\d+ bytes; the image folder has \\d+ free");
        assertThat(link.imageReadsFrom).isEmpty();
        assertThat(folder.resolve("big.img")).doesNotExist();
    }

    @Test
    public void aStoppedBackupLeavesNoTemporaryFile() throws Exception {
        RecordingStep step = new RecordingStep();
        link.afterChunk = n -> {
            if (n == 2) {
                link.afterChunk = x -> {
                };
                step.stop();
            }
        };
        assertThatThrownBy(() -> backup(transfers(Duration.ofSeconds(5)), step, "a.img", false))
                .isInstanceOf(CancellationException.class).hasMessageContaining("was stopped");
        assertThat(folder.resolve("a.img")).doesNotExist();
    }

    @Test
    public void aDamagedChunkFailsTheRestoreBeforeItIsSent() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        backup(t, new RecordingStep(), "a.img", false);
        Path chunk;
        long offset;
        try (ImageReader r = ImageReader.open(folder.resolve("a.img"))) {
            chunk = ChunkStore.chunkPath(folder, r.entry(3));
            offset = r.entry(3).diskOffset();
        }
        long at = 100;
        try (FileChannel ch = FileChannel.open(chunk, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, at);
        }
        Path target = machineDisk(B, new byte[(int) DISK], "mbr");
        link.connect(B, true);

        assertThatThrownBy(() -> await(t.restore(facts(B, "Model 7", "opendpm-linux"), new Restore("a.img", 0,
                false), new RecordingStep(), returns))).isInstanceOf(StepFailedException.class)
                .hasMessage("image a.img is damaged at chunk 3 (disk 1, disk offset " + offset + "): its stored bytes"
                        + " fail their CRC-32C; nothing of it was sent to machine m2");
        byte[] written = Files.readAllBytes(target);
        assertThat(java.util.Arrays.copyOfRange(written, 0, 3 * CHUNK))
                .isEqualTo(java.util.Arrays.copyOfRange(source, 0, 3 * CHUNK));
        assertThat(java.util.Arrays.copyOfRange(written, 3 * CHUNK, 4 * CHUNK)).as("chunk 3 not written")
                .containsOnly(0);
    }

    @Test
    public void aChunkMissingFromTheStoreFailsTheRestoreBeforeItIsSent() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        backup(t, new RecordingStep(), "a.img", false);
        Path chunk;
        long offset;
        try (ImageReader r = ImageReader.open(folder.resolve("a.img"))) {
            chunk = ChunkStore.chunkPath(folder, r.entry(2));
            offset = r.entry(2).diskOffset();
        }
        Files.delete(chunk);
        Path target = machineDisk(B, new byte[(int) DISK], "mbr");
        link.connect(B, true);

        assertThatThrownBy(() -> await(t.restore(facts(B, "Model 7", "opendpm-linux"), new Restore("a.img", 0,
                false), new RecordingStep(), returns))).isInstanceOf(StepFailedException.class)
                .hasMessage("image a.img is damaged at chunk 2 (disk 1, disk offset " + offset + "): missing from the"
                        + " chunk store: " + folder.relativize(chunk) + "; nothing of it was sent to machine m2");
        assertThat(java.util.Arrays.copyOfRange(Files.readAllBytes(target), 2 * CHUNK, 3 * CHUNK))
                .as("chunk 2 not written").containsOnly(0);
    }

    @Test
    public void aPartitionImageOntoADiskWithOtherPartitionsGetsThePartitionTableFirst() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        await(t.backup(facts(A, "", ""), new Backup("p.img", 1, List.of(1, 2), false), new RecordingStep(),
                returns));
        Path target = machineDisk(B, new byte[(int) DISK], "mbr");
        link.diskInfo.put(B, List.of(new DiskInfo(1, "vda", DISK, "mbr", "", List.of(new PartitionInfo(1, P1,
                P1_SIZE / 2, "83", "")))));
        link.connect(B, true);
        RecordingStep step = new RecordingStep();

        await(t.restore(facts(B, "", ""), new Restore("p.img", 0, true), step, returns));

        byte[] written = Files.readAllBytes(target);
        int head = 512 * 1024;
        assertThat(java.util.Arrays.copyOfRange(written, 0, head)).as("the partition table")
                .isEqualTo(java.util.Arrays.copyOfRange(source, 0, head));
        assertThat(java.util.Arrays.copyOfRange(written, head, (int) P1)).as("not imaged").containsOnly(0);
        assertThat(java.util.Arrays.copyOfRange(written, (int) P1, (int) (P2 + P2_SIZE)))
                .isEqualTo(java.util.Arrays.copyOfRange(source, (int) P1, (int) (P2 + P2_SIZE)));
        assertThat(step.log).contains("The partitions of disk 1 of machine m2 differ from the image's: writing its"
                + " partition table first");

        // A larger disk with no partitions at all: the MBR and the partitions land where they were on the source.
        Path larger = machineDisk(B, new byte[(int) DISK + 4096], "mbr");
        link.diskInfo.put(B, List.of(new DiskInfo(1, "vda", DISK + 4096, "mbr", "", List.of())));
        await(t.restore(facts(B, "", ""), new Restore("p.img", 0, true), new RecordingStep(), returns));
        written = Files.readAllBytes(larger);
        assertThat(java.util.Arrays.copyOfRange(written, 0, head)).isEqualTo(java.util.Arrays.copyOfRange(source, 0,
                head));
        assertThat(java.util.Arrays.copyOfRange(written, (int) P1, (int) (P2 + P2_SIZE)))
                .isEqualTo(java.util.Arrays.copyOfRange(source, (int) P1, (int) (P2 + P2_SIZE)));
    }

    @Test
    public void aPartitionImageIntoLargerPartitionsAtTheSameStartsKeepsTheTargetsTable() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        await(t.backup(facts(A, "", ""), new Backup("p.img", 1, List.of(2), false), new RecordingStep(), returns));
        long size = DISK + (4L << 20);
        byte[] own = new byte[(int) size];
        java.util.Arrays.fill(own, 0, (int) P1, (byte) 0x5A);
        Path target = machineDisk(B, own, "mbr");
        link.diskInfo.put(B, List.of(new DiskInfo(1, "vda", size, "mbr", "", List.of(new PartitionInfo(1, P1,
                P1_SIZE / 2, "83", ""), new PartitionInfo(2, P2, size - P2, "83", "")))));
        link.connect(B, true);
        RecordingStep step = new RecordingStep();

        await(t.restore(facts(B, "", ""), new Restore("p.img", 0, true), step, returns));

        byte[] written = Files.readAllBytes(target);
        assertThat(java.util.Arrays.copyOfRange(written, 0, (int) P1)).as("the target's own table").containsOnly(
                0x5A);
        assertThat(java.util.Arrays.copyOfRange(written, (int) P2, (int) (P2 + P2_SIZE)))
                .isEqualTo(java.util.Arrays.copyOfRange(source, (int) P2, (int) (P2 + P2_SIZE)));
        assertThat(step.log).noneMatch(l -> l.contains("partition table"));
    }

    @Test
    public void aPartitionImageOntoASmallerDiskIsRefusedBeforeAnythingIsWritten() throws Exception {
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        await(t.backup(facts(A, "", ""), new Backup("p.img", 1, List.of(1), false), new RecordingStep(), returns));
        long smaller = DISK - (1L << 20);
        Path target = machineDisk(B, new byte[(int) smaller], "mbr");
        link.diskInfo.put(B, List.of(new DiskInfo(1, "vda", smaller, "mbr", "", List.of(new PartitionInfo(1,
                2 * P1, P1_SIZE, "83", "")))));
        link.connect(B, true);

        assertThatThrownBy(() -> await(t.restore(facts(B, "", ""), new Restore("p.img", 0, false),
                new RecordingStep(), returns))).isInstanceOf(StepFailedException.class).hasMessage(
                        "image p.img needs a disk of at least " + DISK + " bytes; disk 1 of machine m2 has "
                                + smaller);
        assertThat(link.imageWritesFrom).isEmpty();
        assertThat(Files.readAllBytes(target)).as("nothing written, not even the table").containsOnly(0);
    }

    @Test
    public void aPartitionImageOfAGptDiskOntoALargerDiskWithOtherPartitionsGetsItsTableEndingTheNewDisk()
            throws Exception {
        GptRelocationTest.requireSfdisk();
        long size = 8L << 20;
        byte[] gpt = Files.readAllBytes(GptRelocationTest.gptDisk(tmp.newFile().toPath(), size));
        long p2 = 3L << 20;
        long p2Size = 4L << 20; // sfdisk's ",": the rest of the disk, rounded down to its 1 MiB alignment
        byte[] data = new byte[(int) p2Size];
        new Random(11).nextBytes(data);
        System.arraycopy(data, 0, gpt, (int) p2, data.length);
        String linux = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
        machineDisk(A, gpt, "gpt");
        link.diskInfo.put(A, List.of(new DiskInfo(1, "vda", size, "gpt", "", List.of(new PartitionInfo(1, P1,
                2L << 20, linux, ""), new PartitionInfo(2, p2, p2Size, linux, "")))));
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        await(t.backup(facts(A, "", ""), new Backup("g2.img", 1, List.of(2), false), new RecordingStep(), returns));
        long larger = 12L << 20;
        Path target = machineDisk(B, new byte[(int) larger], "gpt");
        link.diskInfo.put(B, List.of(new DiskInfo(1, "vda", larger, "gpt", "", List.of(new PartitionInfo(1, P1,
                10L << 20, linux, "")))));
        link.connect(B, true);
        RecordingStep step = new RecordingStep();

        await(t.restore(facts(B, "", ""), new Restore("g2.img", 0, true), step, returns));

        assertThat(GptRelocationTest.sfdisk(null, "--verify", target.toString())).contains("No errors detected")
                .doesNotContain("not on the end");
        assertThat(GptRelocationTest.sfdisk(null, "--dump", target.toString())).contains("start=        6144, size="
                + "        8192");
        assertThat(step.log).contains("The partitions of disk 1 of machine m2 differ from the image's: writing its"
                + " partition table first",
                "Disk 1 of machine m2 is larger than the image's: its backup GPT now ends"
                        + " the disk, at byte " + (larger - 33 * 512));
        assertThat(java.util.Arrays.copyOfRange(Files.readAllBytes(target), (int) p2, (int) (p2 + p2Size)))
                .as("partition 2's bytes").isEqualTo(data);
    }

    @Test
    public void aWholeGptDiskRestoredOntoALargerDiskGetsItsBackupGptAtTheNewEnd() throws Exception {
        GptRelocationTest.requireSfdisk();
        long size = 8L << 20;
        byte[] gpt = Files.readAllBytes(GptRelocationTest.gptDisk(tmp.newFile().toPath(), size));
        machineDisk(A, gpt, "gpt");
        link.diskInfo.put(A, List.of(new DiskInfo(1, "vda", size, "gpt", "", List.of(new PartitionInfo(1, P1,
                2L << 20, "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "")))));
        ImageTransfers t = transfers(Duration.ofSeconds(5));
        await(t.backup(facts(A, "", ""), new Backup("g.img", 1, List.of(), false), new RecordingStep(), returns));
        long larger = 12L << 20;
        Path target = machineDisk(B, new byte[(int) larger], "gpt");
        link.diskInfo.put(B, List.of(new DiskInfo(1, "vda", larger, "", "", List.of())));
        link.connect(B, true);
        RecordingStep step = new RecordingStep();

        await(t.restore(facts(B, "", ""), new Restore("g.img", 0, true), step, returns));

        assertThat(GptRelocationTest.sfdisk(null, "--verify", target.toString())).contains("No errors detected")
                .doesNotContain("not on the end");
        assertThat(step.log).contains("Disk 1 of machine m2 is larger than the image's: its backup GPT now ends the"
                + " disk, at byte " + (larger - 33 * 512));
        assertThat(java.util.Arrays.copyOfRange(Files.readAllBytes(target), (int) (2L << 20), (int) size))
                .as("the partitions' bytes").isEqualTo(java.util.Arrays.copyOfRange(gpt, (int) (2L << 20),
                        (int) size));
    }
}
