package org.opendpm.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.logging.Logger;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;

/**
 * One {@code readStream}: reads the source and sends it as data frames, never more than the server's credit
 * allows. The agent holds one chunk at a time, whatever the server's speed: when the credit is used up the sender
 * waits for {@code streamCredit}.
 *
 * <p>Sources: {@code file} with parameter {@code path}, read-only, which must be a block device under {@code /dev}
 * or a regular file inside the agent's state folder; anything else is refused.
 */
final class StreamSender {

    private static final Logger LOG = Logger.getLogger(StreamSender.class.getName());
    /** S_IFMT and S_IFBLK of stat(2). */
    private static final int TYPE_MASK = 0170000;
    private static final int BLOCK_DEVICE = 0060000;
    private static final long PROGRESS_BYTES = 16L * 1024 * 1024;

    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final Message.ReadStream request;
    private final FrameChannel channel;
    private long credit;
    private boolean cancelled;

    StreamSender(Message.ReadStream request, FrameChannel channel) {
        this.request = request;
        this.channel = channel;
        this.credit = Math.max(0, request.windowBytes());
    }

    synchronized void credit(long bytes) {
        if (bytes > 0) {
            credit = credit + bytes < 0 ? Long.MAX_VALUE : credit + bytes;
            notifyAll();
        }
    }

    synchronized void cancel() {
        cancelled = true;
        notifyAll();
    }

    /** The path a {@code file} source may read, checked against what the agent allows. */
    static Path allowedPath(Message.ReadStream r, Path stateDir) throws Refused {
        if (!r.source().equals("file")) {
            throw new Refused("unknown stream source '" + r.source() + "' (this agent streams 'file')");
        }
        String given = r.parameters().get("path");
        if (given == null || given.isBlank()) {
            throw new Refused("source 'file' needs the parameter 'path'");
        }
        Path p = Path.of(given);
        if (!p.isAbsolute()) {
            throw new Refused("'" + given + "' is not an absolute path");
        }
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            throw new Refused("cannot open " + given + ": " + e.getMessage());
        }
        if (real.startsWith("/dev/") && isBlockDevice(real)) {
            return real;
        }
        if (stateDir != null && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            try {
                if (real.startsWith(stateDir.toRealPath())) {
                    return real;
                }
            } catch (IOException e) {
                throw new Refused("the state folder " + stateDir + " cannot be read: " + e.getMessage());
            }
        }
        throw new Refused(given + " may not be streamed: only block devices under /dev and files in the agent's "
                + "state folder are");
    }

    private static boolean isBlockDevice(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode");
            return mode instanceof Integer m && (m & TYPE_MASK) == BLOCK_DEVICE;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Streams the file: {@code streamBegin}, then data frames; returns the answer {@code streamEnd} for the caller to
     * send, or null when cancelled (then {@code cancel} answered).
     */
    Message.StreamEnd send(Path path) throws IOException, InterruptedException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] chunk = new byte[FrameCodec.MAX_CHUNK];
        ByteBuffer buf = ByteBuffer.wrap(chunk);
        long sent = 0;
        long nextProgress = PROGRESS_BYTES;
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = Files.isRegularFile(path) ? in.size() : -1; // a device's size is not the file size
            channel.send(new Message.StreamBegin(request.id(), size));
            while (true) {
                int allowed = awaitCredit();
                if (allowed < 0) {
                    LOG.info("Stream of " + path + " cancelled after " + sent + " bytes");
                    return null;
                }
                buf.clear().limit(allowed);
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                digest.update(chunk, 0, n);
                channel.sendData(request.transferId(), chunk, n);
                sent += n;
                synchronized (this) {
                    credit -= n;
                }
                if (sent >= nextProgress) {
                    channel.send(new Message.Progress(request.id(), sent, size, "bytes"));
                    nextProgress += PROGRESS_BYTES;
                }
            }
        }
        LOG.info("Streamed " + path + " (" + sent + " bytes)");
        return new Message.StreamEnd(request.id(), sent, HexFormat.of().formatHex(digest.digest()));
    }

    /** Bytes that may be sent now (at most a chunk), or -1 when cancelled. */
    private synchronized int awaitCredit() throws InterruptedException {
        while (credit <= 0 && !cancelled) {
            wait();
        }
        return cancelled ? -1 : (int) Math.min(credit, FrameCodec.MAX_CHUNK);
    }
}
