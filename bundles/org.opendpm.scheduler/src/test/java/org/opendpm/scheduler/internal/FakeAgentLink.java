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
        return CompletableFuture.failedFuture(new AgentRequestException("the engine tests list no disks"));
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
    public CompletionStage<Void> sendFile(long machineId, Path source, String targetFolder, String permissions) {
        return request(files, machineId, "send " + source.getFileName() + " " + targetFolder + " " + permissions);
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

    @Override
    public java.util.concurrent.CompletionStage<org.opendpm.api.agent.ImageReadResult> readImage(long machineId,
            org.opendpm.api.agent.ImageReadRequest request, org.opendpm.api.agent.ImageChunkSink sink,
            org.opendpm.api.agent.ProgressListener progress) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("readImage"));
    }

    @Override
    public java.util.concurrent.CompletionStage<org.opendpm.api.agent.ImageWriteResult> writeImage(long machineId,
            org.opendpm.api.agent.ImageWriteRequest request, org.opendpm.api.agent.ImageChunkSource source,
            org.opendpm.api.agent.ImageWriteProgress progress) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("writeImage"));
    }

    @Override
    public java.util.concurrent.CompletionStage<byte[]> readDiskArea(long machineId, int disk, long offset,
            int length) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("readDiskArea"));
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> writeDiskArea(long machineId, int disk, long offset,
            byte[] data) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException("writeDiskArea"));
    }

    @Override
    public boolean disconnect(long machineId) {
        return false;
    }
}
