package org.opendpm.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.MessageCodec;
import org.opendpm.agent.protocol.ProtocolException;

/**
 * A welcomed connection: reads the server's frames and answers its requests. Commands, power actions, streams and
 * disk scans run on worker threads so that heartbeats and other requests continue meanwhile; file data is written
 * on the reader thread, in order.
 *
 * <p>Every request is answered once. A request that runs on a worker is listed in {@link #running} with what stops
 * it; whoever removes it from there answers: the worker with the result, or {@code cancel} with the error code
 * {@code cancelled}.
 */
final class Session implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Session.class.getName());
    static final String SIMULATED_OUTPUT = "simulated";

    private final AgentContext ctx;
    private final FrameChannel channel;
    private final boolean simulated;
    private final boolean execute;
    private final FileReceiver files;
    private final Map<Long, Runnable> running = new ConcurrentHashMap<>();
    private final Map<Long, StreamSender> streams = new ConcurrentHashMap<>();
    private final Map<Long, ImageSender> imageReads = new ConcurrentHashMap<>();
    /** Image writes by request id, and the same by transfer id for their data frames. */
    private final Map<Long, ImageReceiver> imageWrites = new ConcurrentHashMap<>();
    private final Map<Long, ImageReceiver> imageTransfers = new ConcurrentHashMap<>();
    /** Multicast members by request id, and the same by transfer id while their index comes. */
    private final Map<Long, MulticastMember> multicastJoins = new ConcurrentHashMap<>();
    private final Map<Long, MulticastMember> multicastIndexes = new ConcurrentHashMap<>();

    Session(AgentContext ctx, FrameChannel channel, boolean simulated) {
        this.ctx = ctx;
        this.channel = channel;
        this.simulated = simulated;
        this.execute = !simulated || ctx.config.simulateExec();
        this.files = new FileReceiver(execute);
    }

    /** Returns when the server closes the connection; throws when it breaks or falls silent. */
    void readLoop() throws IOException {
        while (true) {
            Frame f;
            try {
                f = channel.read();
            } catch (ProtocolException e) {
                if (e.requestId().isPresent() && e.reason() == ProtocolException.Reason.UNKNOWN_TYPE) {
                    // A newer server may ask for more; it learns we cannot, and the link stays.
                    String type = e.getMessage().replaceFirst("^unknown message type '(.*)'$", "$1");
                    error(e.requestId().getAsLong(), type, "unsupported request type " + type);
                    continue;
                }
                if (e.requestId().isPresent()) {
                    // A request with a member missing or of the wrong type: answered, the link stays.
                    error(e.requestId().getAsLong(), "request", e.getMessage());
                    continue;
                }
                throw e;
            }
            if (f == null) {
                return;
            }
            if (f instanceof Frame.Data d) {
                data(d);
            } else {
                control(((Frame.Control) f).message());
            }
        }
    }

    void heartbeat() {
        try {
            channel.trySend(new Message.Heartbeat());
        } catch (IOException e) {
            // The reader sees the broken connection too and reconnects.
            channel.close();
        }
    }

    private void data(Frame.Data d) throws IOException {
        MulticastMember member = multicastIndexes.get(d.transferId());
        if (member != null) {
            multicastIndex(member, d);
            return;
        }
        ImageReceiver image = imageTransfers.get(d.transferId());
        if (image != null) {
            try {
                image.data(d.chunk());
            } catch (ImageDisks.Refused e) {
                imageWriteFailed(image, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while writing an image");
            }
            return;
        }
        try {
            byte[] chunk = new byte[d.chunk().remaining()];
            d.chunk().get(chunk);
            if (!files.data(d.transferId(), chunk, 0, chunk.length)) {
                LOG.warning("Data frame for transfer " + d.transferId() + ", which is not open; ignored");
            }
        } catch (FileReceiver.TransferFailure e) {
            error(e.requestId, "fileBegin", e.getMessage());
        }
    }

    private void control(Message m) throws IOException {
        LOG.fine(() -> "From the server: " + m);
        try {
            if (m instanceof Message.Heartbeat) {
                return;
            } else if (m instanceof Message.ConnectionError e) {
                LOG.warning("The server reported an error: " + e.code() + ": " + e.message());
            } else if (m instanceof Message.Command c) {
                command(c);
            } else if (m instanceof Message.Power p) {
                power(p.id(), p.action());
            } else if (m instanceof Message.PrepareMaster p) {
                prepareMaster(p);
            } else if (m instanceof Message.PackageStage p) {
                packageStage(p);
            } else if (m instanceof Message.PackageInstall p) {
                packageInstall(p);
            } else if (m instanceof Message.FileBegin b) {
                fileBegin(b);
            } else if (m instanceof Message.FileEnd e) {
                fileEnd(e.id(), e.transferId());
            } else if (m instanceof Message.DeleteFile d) {
                FileOperations.deleteFile(d.path(), execute);
                send(new Message.Ack(d.id()), d.id());
            } else if (m instanceof Message.ListFolder l) {
                send(FileOperations.listFolder(l.id(), l.path()), l.id());
            } else if (m instanceof Message.ReadStream r) {
                readStream(r);
            } else if (m instanceof Message.StreamCredit c) {
                StreamSender s = streams.get(c.id());
                if (s != null) {
                    s.credit(c.bytes());
                }
                ImageSender image = imageReads.get(c.id());
                if (image != null) {
                    image.credit(c.bytes());
                }
            } else if (m instanceof Message.ImageRead r) {
                imageRead(r);
            } else if (m instanceof Message.ImageWrite w) {
                imageWrite(w);
            } else if (m instanceof Message.ImageChunk c) {
                imageChunk(c);
            } else if (m instanceof Message.ImageWriteEnd e) {
                imageWriteEnd(e.id());
            } else if (m instanceof Message.ReadDiskArea r) {
                diskArea(r.id(), "readDiskArea", () -> new Message.DiskArea(r.id(), ctx.imageDisks.readArea(r
                        .disk(), r.offset(), r.length())));
            } else if (m instanceof Message.WriteDiskArea w) {
                diskArea(w.id(), "writeDiskArea", () -> {
                    ctx.imageDisks.writeArea(w.disk(), w.offset(), w.data());
                    return new Message.Ack(w.id());
                });
            } else if (m instanceof Message.DiskInventory d) {
                onWorker(d.id(), "diskInventory", () -> {
                    List<Message.Disks.Disk> disks;
                    try {
                        disks = ctx.disks.scan();
                    } catch (IOException | RuntimeException e) {
                        finish(d.id(), new Message.ErrorAnswer(d.id(), Message.ErrorAnswer.FAILED, e.getMessage()));
                        return;
                    }
                    finish(d.id(), new Message.Disks(d.id(), disks));
                }, () -> {
                });
            } else if (m instanceof Message.MulticastJoin j) {
                multicastJoin(j);
            } else if (m instanceof Message.MulticastEnd e) {
                MulticastMember member = multicastJoins.get(e.id());
                if (member != null) {
                    member.end();
                }
            } else if (m instanceof Message.ErrorAnswer e && Message.ErrorAnswer.DROPPED.equals(e.code())) {
                dropped(e);
            } else if (m instanceof Message.Cancel c) {
                cancel(c.id());
            } else {
                throw new LinkViolation(
                        "'" + MessageCodec.type(m) + "' is not a message the server sends in a session");
            }
        } catch (BadRequest e) {
            error(e.id, e.requestType, e.requestType + ": " + e.getMessage());
        } catch (FileOperations.OperationFailure e) {
            long id = m instanceof Message.Request r ? r.id() : -1;
            error(id, MessageCodec.type(m), e.getMessage());
        }
    }

    /** A request the agent understands but whose members are wrong; answered with an error, the link stays. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final long id;
        final String requestType;

        BadRequest(long id, String requestType, String message) {
            super(message);
            this.id = id;
            this.requestType = requestType;
        }
    }

    /** Runs a request on a worker; {@code stop} is what {@code cancel} does to it. */
    private void onWorker(long id, String requestType, Runnable work, Runnable stop) {
        running.put(id, stop);
        try {
            ctx.workers.execute(work);
        } catch (RejectedExecutionException e) {
            running.remove(id);
            error(id, requestType, "the agent is shutting down");
        }
    }

    /** Answers a worker's request unless it was cancelled (and so answered) meanwhile. */
    private boolean finish(long id, Message answer) {
        if (running.remove(id) == null) {
            return false;
        }
        return send(answer, id);
    }

    private void cancel(long id) {
        Runnable stop = running.remove(id);
        if (stop != null) {
            stop.run();
        } else if (!files.cancel(id)) {
            LOG.fine("Cancel of request " + id + ", which is not running; ignored");
            return;
        }
        LOG.info("Request " + id + " cancelled by the server");
        send(new Message.ErrorAnswer(id, Message.ErrorAnswer.CANCELLED, "cancelled by the server"), id);
    }

    private void command(Message.Command c) throws BadRequest {
        if (c.timeoutSeconds() < 1) {
            throw new BadRequest(c.id(), "command", "timeoutSeconds must be at least 1");
        }
        if (!execute) {
            commandResult(c.id(), 0, SIMULATED_OUTPUT);
            return;
        }
        AtomicReference<ProcessHandle> process = new AtomicReference<>();
        onWorker(c.id(), "command", () -> {
            CommandRunner.Result r;
            try {
                r = ctx.commands.run(c.commandLine(), c.timeoutSeconds(), p -> {
                    process.set(p);
                    if (!running.containsKey(c.id())) {
                        CommandRunner.killTree(p); // cancelled while it started
                    }
                });
            } catch (IOException e) {
                finish(c.id(), new Message.ErrorAnswer(c.id(), Message.ErrorAnswer.FAILED, "cannot run '"
                        + c.commandLine() + "': " + e.getMessage()));
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (finish(c.id(), new Message.CommandResult(c.id(), r.exitCode(), r.output()))) {
                ctx.stats.commandsAnswered.incrementAndGet();
            }
        }, () -> {
            ProcessHandle p = process.get();
            if (p != null) {
                LOG.info("Killing process " + p.pid() + " and its children: the server cancelled the command");
                CommandRunner.killTree(p);
            }
        });
    }

    private void commandResult(long id, int exitCode, String output) {
        if (send(new Message.CommandResult(id, exitCode, output), id)) {
            ctx.stats.commandsAnswered.incrementAndGet();
        }
    }

    private void power(long id, String action) throws BadRequest {
        if (!ctx.power.knows(action)) {
            throw new BadRequest(id, "power", "unknown action '" + action + "' (shutdown or reboot)");
        }
        if (!send(new Message.Ack(id), id)) {
            return;
        }
        if (simulated) {
            LOG.fine("Simulated agent: power action " + action + " acknowledged only");
            return;
        }
        carryOutSoon(action);
    }

    /** A moment for the acknowledgement to leave before the system goes down. */
    private void carryOutSoon(String powerAction) {
        ctx.timer.schedule(() -> ctx.workers.execute(() -> ctx.power.carryOut(powerAction)), 500,
                TimeUnit.MILLISECONDS);
    }

    private void prepareMaster(Message.PrepareMaster p) {
        if (simulated) {
            LOG.fine("Simulated agent: prepareMaster acknowledged only");
            send(new Message.Ack(p.id()), p.id());
            return;
        }
        onWorker(p.id(), "prepareMaster", () -> {
            boolean shutDown;
            try {
                shutDown = MasterPreparation.carryOut(ctx, p.system());
            } catch (MasterPreparation.Refused e) {
                LOG.warning("Master preparation (" + p.system() + ") refused: " + e.getMessage());
                finish(p.id(), new Message.ErrorAnswer(p.id(), Message.ErrorAnswer.FAILED, e.getMessage()));
                return;
            }
            if (finish(p.id(), new Message.Ack(p.id())) && shutDown && ctx.power.allowed()) {
                carryOutSoon("shutdown");
            }
        }, () -> {
        });
    }

    private void packageStage(Message.PackageStage p) {
        if (!execute) {
            send(new Message.PackageStaged(p.id(), ctx.config.stateDir().resolve("packages").toString()), p.id());
            return;
        }
        try {
            send(new Message.PackageStaged(p.id(), ctx.packages.stage(p.name()).toString()), p.id());
        } catch (IOException e) {
            error(p.id(), "packageStage", "cannot make a folder for package " + p.name() + ": " + e.getMessage());
        }
    }

    private void packageInstall(Message.PackageInstall p) {
        if (!execute) {
            send(new Message.PackageResult(p.id(), 0, SIMULATED_OUTPUT, 0), p.id());
            return;
        }
        AtomicReference<ProcessHandle> process = new AtomicReference<>();
        onWorker(p.id(), "packageInstall", () -> {
            PackageInstaller.Result r;
            try {
                r = ctx.packages.install(p, h -> {
                    process.set(h);
                    if (!running.containsKey(p.id())) {
                        CommandRunner.killTree(h); // cancelled while it started
                    }
                });
            } catch (PackageInstaller.Refused | IOException e) {
                finish(p.id(), new Message.ErrorAnswer(p.id(), Message.ErrorAnswer.FAILED, e.getMessage()));
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            finish(p.id(), new Message.PackageResult(p.id(), r.exitCode(), r.output(), r.millis()));
        }, () -> {
            ProcessHandle h = process.get();
            if (h != null) {
                LOG.info("Killing installer " + h.pid() + " and its children: the server cancelled the install");
                CommandRunner.killTree(h);
            }
        });
    }

    private void fileBegin(Message.FileBegin b) {
        try {
            files.begin(b.id(), b.transferId(), b.folder(), b.name(), b.size(), b.sha256(),
                    b.permissions().orElse(null));
        } catch (FileReceiver.TransferFailure e) {
            error(e.requestId, "fileBegin", e.getMessage());
        }
    }

    private void fileEnd(long id, long transferId) {
        try {
            long answered = files.end(id, transferId);
            if (answered >= 0 && send(new Message.Ack(answered), answered)) {
                ctx.stats.filesReceived.incrementAndGet();
            }
        } catch (FileReceiver.TransferFailure e) {
            error(e.requestId, "fileEnd", e.getMessage());
        }
    }

    private void readStream(Message.ReadStream r) {
        Path path;
        try {
            path = StreamSender.allowedPath(r, ctx.streamableFolder());
        } catch (StreamSender.Refused e) {
            error(r.id(), "readStream", e.getMessage());
            return;
        }
        StreamSender sender = new StreamSender(r, channel);
        streams.put(r.id(), sender);
        onWorker(r.id(), "readStream", () -> {
            try {
                Message.StreamEnd end = sender.send(path);
                if (end != null) {
                    finish(r.id(), end);
                }
            } catch (IOException e) {
                finish(r.id(), new Message.ErrorAnswer(r.id(), Message.ErrorAnswer.FAILED, "reading " + path
                        + " failed: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                streams.remove(r.id());
            }
        }, sender::cancel);
    }

    /** A disk-area request, on a worker: the disks may be slow. */
    private void diskArea(long id, String requestType, AreaWork work) {
        try {
            ctx.imageDisks.checkServed(requestType);
        } catch (ImageDisks.Refused e) {
            error(id, requestType, e.getMessage());
            return;
        }
        onWorker(id, requestType, () -> {
            Message answer;
            try {
                answer = work.run();
            } catch (ImageDisks.Refused | IOException | RuntimeException e) {
                answer = new Message.ErrorAnswer(id, Message.ErrorAnswer.FAILED, requestType + ": " + e
                        .getMessage());
            }
            finish(id, answer);
        }, () -> {
        });
    }

    private interface AreaWork {
        Message run() throws ImageDisks.Refused, IOException;
    }

    private void imageRead(Message.ImageRead r) {
        try {
            ctx.imageDisks.checkServed("imageRead");
        } catch (ImageDisks.Refused e) {
            error(r.id(), "imageRead", e.getMessage());
            return;
        }
        ImageSender sender = new ImageSender(r, channel, ctx.imageDisks);
        imageReads.put(r.id(), sender);
        onWorker(r.id(), "imageRead", () -> {
            try {
                Message.ImageEnd end = sender.send();
                if (end != null) {
                    finish(r.id(), end);
                }
            } catch (ImageDisks.Refused e) {
                finish(r.id(), new Message.ErrorAnswer(r.id(), Message.ErrorAnswer.FAILED, e.getMessage()));
            } catch (IOException | RuntimeException e) {
                finish(r.id(), new Message.ErrorAnswer(r.id(), Message.ErrorAnswer.FAILED, "image read failed: "
                        + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                imageReads.remove(r.id());
            }
        }, sender::cancel);
    }

    private void imageWrite(Message.ImageWrite w) {
        ImageReceiver receiver;
        try {
            ctx.imageDisks.checkServed("imageWrite");
            if (imageTransfers.containsKey(w.transferId())) {
                throw new ImageDisks.Refused("transfer " + w.transferId() + " is already open");
            }
            receiver = ImageReceiver.open(w, channel, ctx.imageDisks);
        } catch (ImageDisks.Refused | IOException e) {
            error(w.id(), "imageWrite", e.getMessage());
            return;
        }
        imageWrites.put(w.id(), receiver);
        imageTransfers.put(w.transferId(), receiver);
        if (!send(new Message.ImageWriteReady(w.id()), w.id())) {
            receiver.stop();
        }
        onWorker(w.id(), "imageWrite", () -> {
            Message answer = receiver.run();
            if (answer != null) {
                finish(w.id(), answer);
            }
            if (!(answer instanceof Message.ErrorAnswer)) {
                // Frames after a failure are still discarded until imageWriteEnd.
                forget(w.id(), receiver);
            }
        }, receiver::stop);
    }

    private void multicastJoin(Message.MulticastJoin j) {
        MulticastMember member;
        try {
            ctx.imageDisks.checkServed("multicastJoin");
            if (multicastIndexes.containsKey(j.transferId()) || imageTransfers.containsKey(j.transferId())) {
                throw new ImageDisks.Refused("transfer " + j.transferId() + " is already open");
            }
            member = new MulticastMember(j, channel);
        } catch (ImageDisks.Refused e) {
            error(j.id(), "multicastJoin", e.getMessage());
            return;
        }
        multicastJoins.put(j.id(), member);
        multicastIndexes.put(j.transferId(), member);
        running.put(j.id(), member::stop);
    }

    /** A data frame of a join's index; with the last one the member joins and runs on a worker. */
    private void multicastIndex(MulticastMember member, Frame.Data d) {
        long id = member.id();
        try {
            if (!member.data(d.chunk())) {
                return;
            }
            multicastIndexes.remove(member.transferId(), member);
            member.start(ctx.imageDisks, channel.socket().getLocalAddress());
        } catch (ImageDisks.Refused | IOException e) {
            multicastIndexes.remove(member.transferId(), member);
            multicastJoins.remove(id, member);
            member.stop();
            if (finish(id, new Message.ErrorAnswer(id, Message.ErrorAnswer.FAILED, e.getMessage()))) {
                LOG.warning("Multicast join " + id + " failed: " + e.getMessage());
            }
            return;
        }
        if (!running.containsKey(id) || !send(new Message.MulticastJoined(id), id)) {
            member.stop(); // cancelled meanwhile, or the link is gone
        }
        try {
            ctx.workers.execute(() -> {
                Message answer = member.run(ctx.timer);
                multicastJoins.remove(id, member);
                if (answer != null) {
                    finish(id, answer);
                }
            });
        } catch (RejectedExecutionException e) {
            member.stop();
            multicastJoins.remove(id, member);
            finish(id, new Message.ErrorAnswer(id, Message.ErrorAnswer.FAILED, "the agent is shutting down"));
        }
    }

    /** The server dropped a member from its session: it stops, and nobody answers. */
    private void dropped(Message.ErrorAnswer e) {
        Runnable stop = running.remove(e.id());
        MulticastMember member = multicastJoins.remove(e.id());
        if (member == null) {
            LOG.fine("'dropped' for request " + e.id() + ", which is no multicast join; ignored");
            return;
        }
        multicastIndexes.remove(member.transferId(), member);
        if (stop != null) {
            stop.run();
        }
        LOG.warning("Multicast join " + e.id() + ": dropped by the server: " + e.message());
    }

    private void imageChunk(Message.ImageChunk c) throws IOException {
        ImageReceiver receiver = imageWrites.get(c.id());
        if (receiver == null) {
            throw new LinkViolation("imageChunk for request " + c.id() + ", which is no image write");
        }
        try {
            receiver.chunk(c);
        } catch (ImageDisks.Refused e) {
            imageWriteFailed(receiver, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing an image");
        }
    }

    private void imageWriteEnd(long id) throws IOException {
        ImageReceiver receiver = imageWrites.get(id);
        if (receiver == null) {
            LOG.fine("imageWriteEnd for request " + id + ", which is no image write; ignored");
            return;
        }
        if (receiver.stopped()) {
            forget(id, receiver);
            return;
        }
        try {
            receiver.end();
        } catch (ImageDisks.Refused e) {
            imageWriteFailed(receiver, e.getMessage());
            forget(id, receiver);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing an image");
        }
    }

    /** The server sent something wrong for an image write: it is answered with the fault and stopped. */
    private void imageWriteFailed(ImageReceiver receiver, String message) {
        long id = receiver.id();
        receiver.stop();
        if (finish(id, new Message.ErrorAnswer(id, Message.ErrorAnswer.FAILED, message))) {
            LOG.warning("Image write " + id + " failed: " + message);
        }
    }

    private void forget(long id, ImageReceiver receiver) {
        imageWrites.remove(id, receiver);
        imageTransfers.remove(receiver.transferId(), receiver);
    }

    private void error(long id, String requestType, String message) {
        error(id, requestType, Message.ErrorAnswer.FAILED, message);
    }

    private void error(long id, String requestType, String code, String message) {
        LOG.info("Request " + id + " (" + requestType + ") refused: " + message);
        send(new Message.ErrorAnswer(id, code, message), id);
    }

    private boolean send(Message message, long id) {
        try {
            channel.send(message);
            return true;
        } catch (IOException e) {
            LOG.log(Level.INFO, "The answer to request " + id + " could not be sent: " + e.getMessage());
            return false;
        }
    }

    /**
     * The connection ended: unfinished files are removed, streams and image requests stop; commands run on to their
     * end.
     */
    @Override
    public void close() {
        files.abortAll();
        streams.values().forEach(StreamSender::cancel);
        // Image requests are abandoned: the server asks again from the next chunk once the agent is back.
        imageReads.values().forEach(ImageSender::cancel);
        imageWrites.values().forEach(ImageReceiver::stop);
        // A multicast member stops too; the server joins it again with its confirmed chunks once the agent is back.
        multicastJoins.values().forEach(MulticastMember::stop);
    }
}
