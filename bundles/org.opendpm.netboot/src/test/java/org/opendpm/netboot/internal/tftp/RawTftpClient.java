package org.opendpm.netboot.internal.tftp;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A TFTP client over a plain DatagramSocket on 127.0.0.1 that writes raw packets, so tests can
 * send exactly the broken input they want and see every packet the server answers with.
 */
final class RawTftpClient implements Closeable {

    /** One received datagram, decoded loosely. */
    record Received(InetSocketAddress from, int opcode, int block, byte[] data, int errorCode, String message,
            Map<String, String> options, long nanos) {

        boolean isData() {
            return opcode == TftpPacket.OP_DATA;
        }

        boolean isError() {
            return opcode == TftpPacket.OP_ERROR;
        }

        boolean isOack() {
            return opcode == TftpPacket.OP_OACK;
        }

        @Override
        public String toString() {
            return switch (opcode) {
            case TftpPacket.OP_DATA -> "DATA " + block + " (" + data.length + " bytes)";
            case TftpPacket.OP_ACK -> "ACK " + block;
            case TftpPacket.OP_ERROR -> "ERROR " + errorCode + " '" + message + "'";
            case TftpPacket.OP_OACK -> "OACK " + options;
            default -> "opcode " + opcode;
            };
        }
    }

    private final DatagramSocket socket;
    private final byte[] buffer = new byte[65536];

    RawTftpClient() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setReceiveBufferSize(4 << 20);
    }

    int localPort() {
        return socket.getLocalPort();
    }

    void sendRaw(InetSocketAddress to, byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    /** RRQ/WRQ; {@code options} alternate name, value. */
    void request(InetSocketAddress server, boolean write, String file, String mode, String... options)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(write ? TftpPacket.OP_WRQ : TftpPacket.OP_RRQ);
        writeString(out, file);
        writeString(out, mode);
        for (String s : options) {
            writeString(out, s);
        }
        sendRaw(server, out.toByteArray());
    }

    void ack(InetSocketAddress to, int block) throws IOException {
        sendRaw(to, new byte[]{ 0, (byte) TftpPacket.OP_ACK, (byte) (block >> 8), (byte) block });
    }

    void data(InetSocketAddress to, int block, byte[] content) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + content.length);
        b.putShort((short) TftpPacket.OP_DATA).putShort((short) block).put(content);
        sendRaw(to, b.array());
    }

    void error(InetSocketAddress to, int code, String message) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(TftpPacket.OP_ERROR);
        out.write(code >> 8);
        out.write(code);
        writeString(out, message);
        sendRaw(to, out.toByteArray());
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    /** The next datagram, or null after {@code timeoutMillis} of silence. */
    Received receive(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        long now = System.nanoTime();
        ByteBuffer b = ByteBuffer.wrap(p.getData(), 0, p.getLength());
        InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
        int opcode = b.remaining() >= 2 ? b.getShort() & 0xFFFF : -1;
        switch (opcode) {
        case TftpPacket.OP_DATA: {
            int block = b.getShort() & 0xFFFF;
            byte[] data = new byte[b.remaining()];
            b.get(data);
            return new Received(from, opcode, block, data, -1, null, Map.of(), now);
        }
        case TftpPacket.OP_ACK:
            return new Received(from, opcode, b.getShort() & 0xFFFF, null, -1, null, Map.of(), now);
        case TftpPacket.OP_ERROR: {
            int code = b.getShort() & 0xFFFF;
            String msg = new String(p.getData(), b.position(), Math.max(0, p.getLength() - b.position() - 1),
                    StandardCharsets.US_ASCII);
            return new Received(from, opcode, -1, null, code, msg, Map.of(), now);
        }
        case TftpPacket.OP_OACK: {
            String[] parts = new String(p.getData(), 2, p.getLength() - 2, StandardCharsets.US_ASCII).split("\0");
            Map<String, String> opts = new LinkedHashMap<>();
            for (int i = 0; i + 1 < parts.length; i += 2) {
                opts.put(parts[i], parts[i + 1]);
            }
            return new Received(from, opcode, -1, null, -1, null, opts, now);
        }
        default:
            return new Received(from, opcode, -1, null, -1, null, Map.of(), now);
        }
    }

    /** A transfer's outcome: the bytes, the OACK seen (or empty), the DATA packets received. */
    record Download(byte[] bytes, Map<String, String> oack, long dataPackets, long wraps) {
    }

    /**
     * Downloads a file like a well-behaved RFC 1350/7440 client (ACK at window end or on a gap).
     * Throws if the server answers with ERROR.
     */
    Download download(InetSocketAddress server, String file, String... options) throws IOException {
        request(server, false, file, "octet", options);
        int blockSize = 512;
        int window = 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, String> oack = Map.of();
        InetSocketAddress tid = null;
        int expected = 1;
        int inWindow = 0;
        long packets = 0;
        long wraps = 0;
        while (true) {
            Received r = receive(5000);
            if (r == null) {
                throw new IOException("timeout waiting for block " + expected);
            }
            if (tid == null) {
                tid = r.from();
            } else if (!tid.equals(r.from())) {
                continue;
            }
            if (r.isError()) {
                throw new TftpErrorException(r.errorCode(), r.message());
            }
            if (r.isOack()) {
                oack = r.options();
                blockSize = Integer.parseInt(oack.getOrDefault("blksize", "512"));
                window = Integer.parseInt(oack.getOrDefault("windowsize", "1"));
                ack(tid, 0);
                continue;
            }
            if (!r.isData()) {
                throw new IOException("unexpected " + r);
            }
            packets++;
            if (r.block() != expected) {
                // gap or repeat: acknowledge the last block received in order (RFC 7440)
                ack(tid, (expected - 1) & 0xFFFF);
                inWindow = 0;
                continue;
            }
            out.writeBytes(r.data());
            if (expected == 0) {
                wraps++;
            }
            expected = (expected + 1) & 0xFFFF;
            inWindow++;
            if (r.data().length < blockSize) {
                ack(tid, r.block());
                return new Download(out.toByteArray(), oack, packets, wraps);
            }
            if (inWindow == window) {
                ack(tid, r.block());
                inWindow = 0;
            }
        }
    }

    /** Uploads {@code content} in lock-step (or with the negotiated window); returns the OACK. */
    Map<String, String> upload(InetSocketAddress server, String file, byte[] content, String... options)
            throws IOException {
        request(server, true, file, "octet", options);
        Received first = receive(5000);
        if (first == null) {
            throw new IOException("no answer to WRQ");
        }
        if (first.isError()) {
            throw new TftpErrorException(first.errorCode(), first.message());
        }
        InetSocketAddress tid = first.from();
        Map<String, String> oack = first.isOack() ? first.options() : Map.of();
        if (!first.isOack() && !(first.opcode() == TftpPacket.OP_ACK && first.block() == 0)) {
            throw new IOException("unexpected " + first);
        }
        int blockSize = Integer.parseInt(oack.getOrDefault("blksize", "512"));
        int window = Integer.parseInt(oack.getOrDefault("windowsize", "1"));
        long blocks = content.length / blockSize + 1;
        long acked = 0;
        while (acked < blocks) {
            long last = Math.min(blocks, acked + window);
            for (long n = acked + 1; n <= last; n++) {
                int from = (int) ((n - 1) * blockSize);
                int len = Math.min(blockSize, content.length - from);
                byte[] chunk = new byte[len];
                System.arraycopy(content, from, chunk, 0, len);
                data(tid, (int) n, chunk);
            }
            Received r = receive(5000);
            if (r == null) {
                throw new IOException("no ACK after block " + last);
            }
            if (r.isError()) {
                throw new TftpErrorException(r.errorCode(), r.message());
            }
            if (r.opcode() != TftpPacket.OP_ACK) {
                throw new IOException("unexpected " + r);
            }
            acked = acked + ((r.block() - acked) & 0xFFFF);
        }
        return oack;
    }

    @Override
    public void close() {
        socket.close();
    }

    /** The server answered with an ERROR packet. */
    static final class TftpErrorException extends IOException {
        private static final long serialVersionUID = 1L;
        final int code;

        TftpErrorException(int code, String message) {
            super("ERROR " + code + ": " + message);
            this.code = code;
        }
    }
}
