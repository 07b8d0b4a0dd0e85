package org.opendpm.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The framing of docs/agent-protocol.md over one socket: {@code uint32 length, uint8 type, payload}. Reads happen on
 * the connection's reader thread only; writes come from the reader, command workers and the heartbeat timer and are
 * serialised by a lock so frames never interleave.
 */
final class FrameChannel implements Closeable {

    static final int CONTROL = 1;
    static final int DATA = 2;
    /** A sanity cap on what the agent reads; the server's own chunks are at most 256 KiB. */
    static final int MAX_INBOUND_FRAME = 16 * 1024 * 1024;

    /** One frame as read; for data frames the payload still starts with the 8-byte transfer id. */
    record Frame(int type, byte[] payload) {
    }

    private final Socket socket;
    private final DataInputStream in;
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
        this.in = new DataInputStream(new BufferedInputStream(in, inBuffer));
        this.out = new BufferedOutputStream(out, outBuffer);
    }

    /** The next frame, or null when the server closed the connection between frames. */
    Frame read() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        long length = ((long) b0 << 24) | ((long) in.readUnsignedByte() << 16) | ((long) in.readUnsignedByte() << 8)
                | in.readUnsignedByte();
        if (length < 1) {
            throw new ProtocolException("frame with length 0 (a frame holds at least its type byte)");
        }
        if (length > MAX_INBOUND_FRAME) {
            // Refused before reading the payload: a broken or hostile peer cannot make the agent allocate it.
            throw new ProtocolException("frame of " + length + " bytes exceeds the limit of " + MAX_INBOUND_FRAME
                    + " bytes");
        }
        int type = in.readUnsignedByte();
        byte[] payload = new byte[(int) length - 1];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new EOFException("connection closed in the middle of a frame");
        }
        if (type != CONTROL && type != DATA) {
            throw new ProtocolException("frame of unknown type " + type);
        }
        if (type == DATA && payload.length < 8) {
            throw new ProtocolException("data frame shorter than its 8-byte transfer id");
        }
        return new Frame(type, payload);
    }

    void send(ObjectNode message) throws IOException {
        byte[] payload = Json.bytes(message);
        writeLock.lock();
        try {
            writeFrame(CONTROL, payload);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sends unless another thread is writing right now. Used for heartbeats: a write in progress already shows the
     * link is alive, and a timer thread must not queue up behind a connection whose peer stopped reading.
     */
    boolean trySend(ObjectNode message) throws IOException {
        byte[] payload = Json.bytes(message);
        try {
            if (!writeLock.tryLock(0, TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            writeFrame(CONTROL, payload);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    private void writeFrame(int type, byte[] payload) throws IOException {
        int length = payload.length + 1;
        out.write(length >>> 24);
        out.write(length >>> 16);
        out.write(length >>> 8);
        out.write(length);
        out.write(type);
        out.write(payload);
        out.flush();
    }

    static long transferId(byte[] dataPayload) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (dataPayload[i] & 0xff);
        }
        return v;
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
