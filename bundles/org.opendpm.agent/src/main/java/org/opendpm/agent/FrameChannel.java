package org.opendpm.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;

/**
 * The protocol module's frames over one socket. Reads happen on the connection's reader thread only; writes come
 * from the reader, workers and the heartbeat timer and are serialised by a lock so frames never interleave.
 */
final class FrameChannel implements Closeable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();

    /**
     * @param smallBuffers for simulated agents: thousands of connections in one process would otherwise hold
     *        80 KiB of buffers each; a real agent uses the larger ones for file transfers
     */
    FrameChannel(Socket socket, boolean smallBuffers) throws IOException {
        this(socket, socket.getInputStream(), socket.getOutputStream(), smallBuffers ? 8 * 1024 : 64 * 1024,
                smallBuffers ? 2 * 1024 : 16 * 1024);
    }

    FrameChannel(Socket socket, InputStream in, OutputStream out) {
        this(socket, in, out, 64 * 1024, 16 * 1024);
    }

    private FrameChannel(Socket socket, InputStream in, OutputStream out, int inBuffer, int outBuffer) {
        this.socket = socket;
        this.in = new BufferedInputStream(in, inBuffer);
        this.out = new BufferedOutputStream(out, outBuffer);
    }

    /**
     * The next frame, or null when the server closed the connection between frames. A frame longer than
     * {@link FrameCodec#AGENT_MAX_FRAME} is refused before its payload is read.
     */
    Frame read() throws IOException {
        return FrameCodec.read(in, FrameCodec.AGENT_MAX_FRAME);
    }

    void send(Message message) throws IOException {
        byte[] frame = FrameCodec.encode(message);
        writeLock.lock();
        try {
            out.write(frame);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** One data frame of a stream to the server. */
    void sendData(long transferId, byte[] chunk, int length) throws IOException {
        byte[] header = FrameCodec.dataHeader(transferId, length);
        writeLock.lock();
        try {
            out.write(header);
            out.write(chunk, 0, length);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * An image chunk's control frame and its stored bytes {@code stored[0, length)} in data frames of at most
     * {@link FrameCodec#MAX_CHUNK}, copied through {@code scratch}; one flush for all of it.
     */
    void sendImageChunk(Message.ImageChunk control, long transferId, ByteBuffer stored, int length, byte[] scratch)
            throws IOException {
        byte[] frame = FrameCodec.encode(control);
        ByteBuffer src = stored.duplicate().clear().limit(length);
        writeLock.lock();
        try {
            out.write(frame);
            while (src.hasRemaining()) {
                int n = Math.min(src.remaining(), Math.min(scratch.length, FrameCodec.MAX_CHUNK));
                src.get(scratch, 0, n);
                out.write(FrameCodec.dataHeader(transferId, n));
                out.write(scratch, 0, n);
            }
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sends unless another thread is writing right now. Used for heartbeats: a write in progress already shows the
     * link is alive, and a timer thread must not queue up behind a connection whose peer stopped reading.
     */
    boolean trySend(Message message) throws IOException {
        byte[] frame = FrameCodec.encode(message);
        try {
            if (!writeLock.tryLock(0, TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            out.write(frame);
            out.flush();
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do with a socket that cannot even close
        }
    }
}
