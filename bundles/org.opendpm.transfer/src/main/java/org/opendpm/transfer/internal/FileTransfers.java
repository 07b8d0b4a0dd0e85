package org.opendpm.transfer.internal;

import java.io.IOException;
import java.util.HexFormat;
import java.security.NoSuchAlgorithmException;
import java.security.MessageDigest;
import java.nio.file.Path;
import java.nio.file.Files;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * The files the server is sending to one agent, kept apart from the session's state machine: chunks read on the
 * blocking executor, written while the connection is writable, and given up when the agent stops reading.
 */
final class FileTransfers {

    // The session's category, so one logger setting covers everything about a connection.
    private static final Logger LOG = LoggerFactory.getLogger(AgentSession.class);

    private final AgentSession session;
    /** Transfers still sending data; event loop only. */
    private final List<FileSender> senders = new ArrayList<>();

    FileTransfers(AgentSession session) {
        this.session = session;
    }

    /**
     * Sends an open file of {@code size} bytes whose SHA-256 is known: fileBegin, data frames while the connection
     * is writable, fileEnd; completes when the agent acknowledges. The file channel is closed in every case.
     */
    CompletableFuture<Void> send(FileChannel file, String name, long size, String sha256, String folder,
            String permissions, Duration ackTimeout) {
        long transferId = session.newTransferId();
        long id = session.newId();
        CompletableFuture<Void> done = session.request(new Message.FileBegin(id, transferId, folder, name, size,
                sha256, Optional.of(permissions)), Message.Ack.class, null, ProgressListener.NONE, a -> null);
        FileSender sender = new FileSender(id, transferId, file, name, size, ackTimeout);
        done.whenComplete((v, t) -> sender.closeFile());
        if (done.isDone()) {
            return done;
        }
        try {
            // Queued after the fileBegin written by request(), so the data never overtakes it.
            session.channel().eventLoop().execute(() -> {
                if (!session.isOpen() || done.isDone()) {
                    sender.abandon();
                    return;
                }
                senders.add(sender);
                pump();
            });
        } catch (RejectedExecutionException e) {
            sender.abandon();
        }
        return done;
    }

    /** Writes ready chunks while the channel is writable and asks for the next ones; event loop only. */
    void pump() {
        if (!session.isOpen()) {
            return;
        }
        for (Iterator<FileSender> it = senders.iterator(); it.hasNext();) {
            FileSender s = it.next();
            if (s.step()) {
                it.remove();
            }
        }
    }

    /**
     * Fails the first transfer that wrote nothing for {@link AgentSession#STALL} and closes the connection;
     * {@code true} if it did. Event loop only.
     */
    boolean closeIfStalled(long now) {
        for (FileSender s : senders) {
            if (now - s.lastProgress > AgentSession.STALL.toNanos()) {
                s.fail(new AgentUnavailableException("Sending " + s.name + " to the agent of "
                        + session.describeAgent() + " made no progress for " + AgentSession.STALL.toSeconds()
                        + " s"));
                session.closeWith("file transfer " + s.transferId + " stalled for " + AgentSession.STALL.toSeconds()
                        + " s", true);
                return true;
            }
        }
        return false;
    }

    /** The connection ended: every transfer stops and closes its file; event loop only. */
    void abandonAll() {
        for (FileSender s : senders) {
            s.abandon();
        }
        senders.clear();
    }

    /** One outgoing file; its fields belong to the event loop except where noted. */
    private final class FileSender {
        final long id;
        final long transferId;
        final FileChannel file;
        final String name;
        final long size;
        final Duration ackTimeout;
        long readPosition;
        long sent;
        boolean readInFlight;
        ByteBuf ready;
        long lastProgress = System.nanoTime();

        FileSender(long id, long transferId, FileChannel file, String name, long size, Duration ackTimeout) {
            this.id = id;
            this.transferId = transferId;
            this.file = file;
            this.name = name;
            this.size = size;
            this.ackTimeout = ackTimeout;
        }

        /** Advances the transfer; {@code true} when it no longer needs pumping. */
        boolean step() {
            Pending<?> p = session.requests().get(id);
            if (p == null || p.future.isDone()) {
                // The agent refused the transfer early (an error to fileBegin) or it failed: stop the data and
                // close the transfer on the agent's side too.
                endTransfer();
                abandon();
                return true;
            }
            Channel channel = session.channel();
            while (ready != null && channel.isWritable()) {
                int n = ready.readableBytes();
                channel.writeAndFlush(NettyFrames.data(channel.alloc(), transferId, ready));
                ready = null;
                sent += n;
                lastProgress = System.nanoTime();
                session.stats().add(LinkStats.Kind.FILE_BYTES_SENT, n);
                readNext();
            }
            if (sent == size && ready == null && !readInFlight) {
                endTransfer();
                session.requests().armTimeout(p, ackTimeout);
                closeFile();
                return true;
            }
            readNext();
            return false;
        }

        private void endTransfer() {
            session.channel().writeAndFlush(NettyFrames.control(new Message.FileEnd(id, transferId)));
        }

        /** Reads the next chunk on the blocking executor, one at a time, so only one chunk waits per transfer. */
        private void readNext() {
            if (readInFlight || ready != null || readPosition >= size) {
                return;
            }
            readInFlight = true;
            long position = readPosition;
            int length = (int) Math.min(FrameCodec.MAX_CHUNK, size - position);
            readPosition += length;
            Channel channel = session.channel();
            try {
                session.blocking().execute(() -> {
                    ByteBuf buf = channel.alloc().directBuffer(length);
                    Exception failure = null;
                    try {
                        long at = position;
                        while (buf.isWritable()) {
                            int r = buf.writeBytes(file, at, buf.writableBytes());
                            if (r < 0) {
                                throw new IOException("the file is shorter than the " + size + " bytes announced;"
                                        + " it changed while being sent");
                            }
                            at += r;
                        }
                    } catch (IOException | RuntimeException e) {
                        failure = e;
                        buf.release();
                    }
                    Exception f = failure;
                    try {
                        channel.eventLoop().execute(() -> chunkRead(f == null ? buf : null, f));
                    } catch (RejectedExecutionException e) {
                        if (f == null) {
                            buf.release();
                        }
                    }
                });
            } catch (RejectedExecutionException e) {
                readInFlight = false;
                fail(new AgentUnavailableException("The agent link is stopping"));
            }
        }

        private void chunkRead(ByteBuf buf, Exception failure) {
            readInFlight = false;
            if (!session.isOpen() || !senders.contains(this)) {
                if (buf != null) {
                    buf.release();
                }
                return;
            }
            if (failure != null) {
                fail(new AgentRequestException("Cannot read " + name + " to send it: " + failure.getMessage()));
                pump();
                return;
            }
            ready = buf;
            pump();
        }

        void fail(Exception e) {
            session.requests().fail(id, e);
        }

        void abandon() {
            if (ready != null) {
                ready.release();
                ready = null;
            }
            closeFile();
        }

        void closeFile() {
            try {
                file.close();
            } catch (IOException e) {
                LOG.debug("Closing {} failed: {}", name, e.toString());
            }
        }
    }

    /** The SHA-256 of a whole file, in lower-case hex, as {@code fileBegin} announces it. */
    static String sha256(Path file) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0;) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
