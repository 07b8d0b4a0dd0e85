package org.opendpm.scheduler.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentLinkStatus;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.CommandResult;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.agent.RemoteFile;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.agent.StreamSink;
import org.opendpm.api.inventory.DiskInfo;

/**
 * The agent link as the engine sees it: the test connects and disconnects agents and answers their requests, which
 * wait in queues until it does.
 */
public final class FakeAgentLink implements AgentLink {

    /** A request the engine made, for the test to answer. */
    public record Request<T>(long machineId, String what, CompletableFuture<T> answer) {
    }

    public final Map<Long, AgentInfo> connected = new ConcurrentHashMap<>();
    public final List<AgentListener> listeners = new CopyOnWriteArrayList<>();
    public final BlockingQueue<Request<CommandResult>> commands = new LinkedBlockingQueue<>();
    public final BlockingQueue<Request<Void>> powerRequests = new LinkedBlockingQueue<>();
    public final BlockingQueue<Request<Void>> files = new LinkedBlockingQueue<>();
    public final BlockingQueue<Request<org.opendpm.api.agent.PackageInstallResult>> packages = new LinkedBlockingQueue<>();
    /** Master preparations asked (SCN-4), {@code what} being the system. */
    public final BlockingQueue<Request<Void>> masterPreparations = new LinkedBlockingQueue<>();
    /** Every request made, answered or not; the open ones fail when their agent goes. */
    private final List<Request<?>> made = new CopyOnWriteArrayList<>();

    public void connect(long machineId, boolean deployOs) {
        AgentInfo info = new AgentInfo(Optional.of(machineId), String.format("02:00:00:00:00:%02x", machineId % 256),
                Optional.empty(), "127.0.0.1", "m" + machineId, "Linux", "test", deployOs, Instant.now(),
                Instant.now(), Optional.empty());
        connected.put(machineId, info);
        listeners.forEach(l -> l.connected(info));
    }

    /** Drops the agent: its open requests fail as the real link fails them. */
    public void disconnect(long machineId, String reason) {
        AgentInfo info = connected.remove(machineId);
        made.stream().filter(r -> r.machineId() == machineId).forEach(r -> r.answer()
                .completeExceptionally(new AgentUnavailableException("agent connection lost: " + reason)));
        if (info != null) {
            listeners.forEach(l -> l.disconnected(info, reason));
        }
    }

    private <T> CompletionStage<T> request(BlockingQueue<Request<T>> queue, long machineId, String what) {
        if (!connected.containsKey(machineId)) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("machine " + machineId
                    + " has no connected agent"));
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        Request<T> r = new Request<>(machineId, what, answer);
        made.add(r);
        queue.add(r);
        return answer;
    }

    @Override
    public Optional<AgentInfo> agent(long machineId) {
        return Optional.ofNullable(connected.get(machineId));
    }

    @Override
    public CompletionStage<CommandResult> runCommand(long machineId, String commandLine, Duration timeout) {
        return request(commands, machineId, commandLine);
    }

    @Override
    public CompletionStage<CommandResult> runCommand(long machineId, String commandLine, Duration timeout,
            ProgressListener progress) {
        return request(commands, machineId, commandLine);
    }

    @Override
    public CompletionStage<List<DiskInfo>> disks(long machineId) {
        List<DiskInfo> disks = diskInfo.get(machineId);
        if (disks == null) {
            return CompletableFuture.failedFuture(new AgentRequestException("the engine tests list no disks"));
        }
        return connected.containsKey(machineId)
                ? CompletableFuture.completedFuture(disks)
                : CompletableFuture.failedFuture(new AgentUnavailableException("no agent"));
    }

    @Override
    public CompletionStage<StreamResult> readStream(long machineId, String source, Map<String, String> parameters,
            StreamSink sink, ProgressListener progress) {
        return CompletableFuture.failedFuture(new AgentRequestException("the engine tests read no streams"));
    }

    @Override
    public CompletionStage<Void> power(long machineId, AgentPowerAction action) {
        return request(powerRequests, machineId, action.name());
    }

    @Override
    public CompletionStage<Void> prepareMaster(long machineId, String system) {
        return request(masterPreparations, machineId, system);
    }

    @Override
    public CompletionStage<Void> sendFile(long machineId, Path source, String targetFolder, String permissions) {
        return request(files, machineId, "send " + source.getFileName() + " " + targetFolder + " " + permissions);
    }

    @Override
    public CompletionStage<org.opendpm.api.agent.PackageInstallResult> installPackage(long machineId,
            org.opendpm.api.agent.PackageInstallRequest request) {
        return request(packages, machineId, "install " + request.name());
    }

    @Override
    public CompletionStage<Void> deleteFile(long machineId, String path) {
        return request(files, machineId, "delete " + path);
    }

    @Override
    public CompletionStage<List<RemoteFile>> listFolder(long machineId, String folder) {
        if (!connected.containsKey(machineId)) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("no agent"));
        }
        return CompletableFuture.completedFuture(List.of(new RemoteFile("a.txt", false, 3, Instant.EPOCH, "644")));
    }

    @Override
    public AgentLinkStatus status() {
        throw new AssertionError("not used by this test");
    }

    @Override
    public List<AgentInfo> agents() {
        throw new AssertionError("not used by this test");
    }

    @Override
    public boolean resetCredential(String mac) {
        throw new AssertionError("not used by this test");
    }

    // ------------------------------------------------------------------ the agent of a Deploy-OS, over disk files

    /** Disks by machine: what the disk check reports, and the file standing for each disk. */
    public final Map<Long, List<DiskInfo>> diskInfo = new ConcurrentHashMap<>();
    public final Map<Long, Map<Integer, Path>> diskFiles = new ConcurrentHashMap<>();
    /** The {@code fromChunk} of every image read and write asked, in order. */
    public final List<Long> imageReadsFrom = new CopyOnWriteArrayList<>();
    public final List<Long> imageWritesFrom = new CopyOnWriteArrayList<>();
    /** Called by the agent after each chunk it sent or wrote, with the chunk's number: tests break the link here. */
    public volatile java.util.function.LongConsumer afterChunk = n -> {
    };

    private Path diskFile(long machineId, int disk) throws java.io.IOException {
        Path p = diskFiles.getOrDefault(machineId, Map.of()).get(disk);
        if (p == null) {
            throw new java.io.IOException("machine " + machineId + " has no disk " + disk);
        }
        return p;
    }

    /** Runs the agent's side of a request on its own thread, as long as the request is open. */
    private <T> CompletionStage<T> agentWork(long machineId, String what, java.util.concurrent.Callable<T> work,
            CompletableFuture<T> answer) {
        if (!connected.containsKey(machineId)) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("machine " + machineId
                    + " has no connected agent"));
        }
        made.add(new Request<>(machineId, what, answer));
        Thread worker = new Thread(() -> {
            try {
                answer.complete(work.call());
            } catch (Exception | AssertionError e) {
                answer.completeExceptionally(e);
            }
        }, "fake-agent-" + what);
        worker.setDaemon(true);
        worker.start();
        return answer;
    }

    @Override
    public CompletionStage<org.opendpm.api.agent.ImageReadResult> readImage(long machineId,
            org.opendpm.api.agent.ImageReadRequest request, org.opendpm.api.agent.ImageChunkSink sink,
            ProgressListener progress) {
        imageReadsFrom.add(request.fromChunk());
        CompletableFuture<org.opendpm.api.agent.ImageReadResult> answer = new CompletableFuture<>();
        return agentWork(machineId, "readImage", () -> {
            List<org.opendpm.api.agent.ImageDisk> disks = new java.util.ArrayList<>();
            for (org.opendpm.api.agent.ImageExtent e : request.extents()) {
                long size = java.nio.file.Files.size(diskFile(machineId, e.disk()));
                if (disks.stream().noneMatch(d -> d.number() == e.disk())) {
                    disks.add(new org.opendpm.api.agent.ImageDisk(e.disk(), size, 512));
                }
            }
            sink.begin(disks);
            int cs = request.chunkSize();
            java.nio.ByteBuffer src = java.nio.ByteBuffer.allocateDirect(cs);
            java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocateDirect(org.opendpm.image.Chunks.maxStored(cs));
            long n = 0;
            long sent = 0;
            long stored = 0;
            for (org.opendpm.api.agent.ImageExtent e : request.extents()) {
                try (var ch = java.nio.channels.FileChannel.open(diskFile(machineId, e.disk()))) {
                    for (long within = 0; within < e.length(); within += cs, n++) {
                        if (n < request.fromChunk()) {
                            continue;
                        }
                        if (answer.isDone()) {
                            return null;
                        }
                        int length = (int) Math.min(cs, e.length() - within);
                        src.clear().limit(length);
                        while (src.hasRemaining()) {
                            ch.read(src, e.offset() + within + src.position());
                        }
                        var enc = org.opendpm.image.Chunks.encode(src, length, dst, request.compressionLevel());
                        sink.accept(new org.opendpm.api.agent.ImageChunk(n, e.disk(), e.offset() + within, length,
                                enc.hole(), enc.storedLength(), enc.crc32c(), enc.sha256(),
                                enc.hole() ? null : dst.duplicate().clear().limit(enc.storedLength())));
                        sent++;
                        stored += enc.storedLength();
                        afterChunk.accept(n);
                    }
                }
            }
            return new org.opendpm.api.agent.ImageReadResult(sent, stored);
        }, answer);
    }

    @Override
    public CompletionStage<org.opendpm.api.agent.ImageWriteResult> writeImage(long machineId,
            org.opendpm.api.agent.ImageWriteRequest request, org.opendpm.api.agent.ImageChunkSource source,
            org.opendpm.api.agent.ImageWriteProgress progress) {
        imageWritesFrom.add(request.fromChunk());
        CompletableFuture<org.opendpm.api.agent.ImageWriteResult> answer = new CompletableFuture<>();
        return agentWork(machineId, "writeImage", () -> {
            for (org.opendpm.api.agent.ImageDisk d : request.disks()) {
                long size = java.nio.file.Files.size(diskFile(machineId, d.number()));
                if (size < d.sizeBytes()) {
                    throw new AgentRequestException("disk " + d.number() + " has " + size + " bytes, the image "
                            + d.sizeBytes());
                }
            }
            java.nio.ByteBuffer plain = java.nio.ByteBuffer.allocate(request.chunkSize());
            List<org.opendpm.api.agent.ImageChunk> written = new java.util.ArrayList<>();
            long bytes = 0;
            for (org.opendpm.api.agent.ImageChunk c; !answer.isDone() && (c = source.next()) != null;) {
                try (var ch = java.nio.channels.FileChannel.open(diskFile(machineId, c.disk()),
                        java.nio.file.StandardOpenOption.WRITE)) {
                    if (c.hole()) {
                        ch.write(java.nio.ByteBuffer.allocate(c.length()), c.diskOffset());
                    } else {
                        java.nio.ByteBuffer stored = java.nio.ByteBuffer.allocate(c.storedLength())
                                .put(c.stored().duplicate()).flip();
                        var bad = org.opendpm.image.Chunks.check(new org.opendpm.image.ChunkEntry(c.number(),
                                c.disk(), c.diskOffset(), c.length(), 0, c.storedLength(), c.crc32c(), c.sha256()),
                                stored, plain);
                        if (bad != null) {
                            throw new AgentRequestException(bad.describe());
                        }
                        ch.write(plain.clear().limit(c.length()), c.diskOffset());
                    }
                }
                written.add(new org.opendpm.api.agent.ImageChunk(c.number(), c.disk(), c.diskOffset(), c.length(),
                        c.hole(), c.storedLength(), c.crc32c(), c.sha256(), null));
                bytes += c.length();
                progress.confirmed(c.number() + 1, bytes);
                afterChunk.accept(c.number());
            }
            if (answer.isDone()) {
                return null;
            }
            List<org.opendpm.api.agent.ImageWriteResult.Mismatch> mismatches = new java.util.ArrayList<>();
            if (request.compare()) {
                for (org.opendpm.api.agent.ImageChunk c : written) {
                    java.nio.ByteBuffer back = java.nio.ByteBuffer.allocate(c.length());
                    try (var ch = java.nio.channels.FileChannel.open(diskFile(machineId, c.disk()))) {
                        ch.read(back, c.diskOffset());
                    }
                    byte[] sha = c.hole()
                            ? new byte[32]
                            : java.security.MessageDigest.getInstance("SHA-256").digest(back.array());
                    if (!java.util.Arrays.equals(sha, c.sha256())) {
                        mismatches.add(new org.opendpm.api.agent.ImageWriteResult.Mismatch(c.number(), c.disk(),
                                c.diskOffset()));
                    }
                }
            }
            return new org.opendpm.api.agent.ImageWriteResult(written.size(), bytes, request.compare(), mismatches);
        }, answer);
    }

    @Override
    public CompletionStage<byte[]> readDiskArea(long machineId, int disk, long offset, int length) {
        return agentWork(machineId, "readDiskArea", () -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(length);
            try (var ch = java.nio.channels.FileChannel.open(diskFile(machineId, disk))) {
                ch.read(b, offset);
            }
            return b.array();
        }, new CompletableFuture<>());
    }

    @Override
    public CompletionStage<Void> writeDiskArea(long machineId, int disk, long offset, byte[] data) {
        return agentWork(machineId, "writeDiskArea", () -> {
            try (var ch = java.nio.channels.FileChannel.open(diskFile(machineId, disk),
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(data), offset);
            }
            return null;
        }, new CompletableFuture<>());
    }

    @Override
    public boolean disconnect(long machineId) {
        return false;
    }
}
