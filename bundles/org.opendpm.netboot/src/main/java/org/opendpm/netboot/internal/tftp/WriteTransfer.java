package org.opendpm.netboot.internal.tftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.opendpm.netboot.internal.tftp.TftpPacket.Option;
import org.opendpm.netboot.internal.tftp.TftpStats.ErrorKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DatagramPacket;

/**
 * Receives one file (WRQ) into a temporary file beside the target, then fsyncs it and renames it
 * over the target atomically, so a reader never sees a half-written file and a failed upload
 * leaves the old one intact. The final ACK is sent only after the rename succeeded.
 *
 * <p>With a window (RFC 7440) we acknowledge every {@code windowSize} blocks and the last one.
 * A block out of order (a gap or a repeat) is answered with one ACK of the last block received
 * in order, once per gap, so a burst of out-of-order blocks does not become a burst of ACKs.
 * After the last ACK the port stays open for two timeouts to acknowledge a repeated last block
 * (our ACK may have been lost).
 */
final class WriteTransfer extends Transfer {

    private static final Logger LOG = LoggerFactory.getLogger(WriteTransfer.class);

    private final Path target;
    private final Path temp;
    private final FileChannel out;
    private final int blockSize;
    private final int windowSize;
    private final List<Option> optionAck;
    private final Netascii.Decoder netascii;
    private long received;
    private long lastAckSent;
    private boolean gapAcknowledged;
    private long bytes;

    WriteTransfer(InetSocketAddress peer, String name, TftpStats stats, int retries, int timeoutMillis, Path target,
            Path temp, FileChannel out, int blockSize, int windowSize, List<Option> optionAck,
            Netascii.Decoder netascii) {
        super(peer, name, stats, retries, timeoutMillis);
        this.target = target;
        this.temp = temp;
        this.out = out;
        this.blockSize = blockSize;
        this.windowSize = windowSize;
        this.optionAck = optionAck;
        this.netascii = netascii;
    }

    @Override
    protected String kind() {
        return "WRQ";
    }

    @Override
    protected void start() {
        sendFirst();
    }

    private void sendFirst() {
        if (optionAck != null) {
            send(TftpCodec.optionAck(channel.alloc(), optionAck));
        } else {
            send(TftpCodec.ack(channel.alloc(), 0));
        }
        stats.controlPacketSent();
        flush();
    }

    private void sendAck(long block) {
        send(TftpCodec.ack(channel.alloc(), (int) block));
        stats.controlPacketSent();
        flush();
        lastAckSent = block;
    }

    @Override
    protected void onPacket(TftpPacket packet) {
        if (!(packet instanceof TftpPacket.Data data)) {
            fail(ErrorKind.UNEXPECTED_OPCODE, TftpErrorCode.ILLEGAL_OPERATION, "expected DATA", null);
            return;
        }
        if (data.block() != ((received + 1) & 0xFFFF)) {
            if (!gapAcknowledged) {
                gapAcknowledged = true;
                if (received == 0 && optionAck != null) {
                    sendFirst(); // the peer has not seen our OACK yet
                } else {
                    sendAck(received);
                }
            }
            return;
        }
        ByteBuf content = data.content();
        int length = content.readableBytes();
        if (length > blockSize) {
            fail(ErrorKind.MALFORMED, TftpErrorCode.ILLEGAL_OPERATION, "block larger than blksize " + blockSize, null);
            return;
        }
        try {
            write(content);
        } catch (IOException e) {
            fail(ErrorKind.IO_ERROR, TftpErrorCode.DISK_FULL, "write error", e);
            return;
        }
        received++;
        bytes += length;
        stats.received(length);
        gapAcknowledged = false;
        progress();
        if (length < blockSize) {
            complete();
        } else if (received - lastAckSent >= windowSize) {
            sendAck(received);
        }
    }

    private void write(ByteBuf content) throws IOException {
        if (netascii == null) {
            writeFully(content);
            return;
        }
        ByteBuf decoded = channel.alloc().heapBuffer(content.readableBytes());
        try {
            netascii.decode(content, decoded);
            writeFully(decoded);
        } finally {
            decoded.release();
        }
    }

    private void writeFully(ByteBuf buf) throws IOException {
        while (buf.isReadable()) {
            buf.readBytes(out, buf.readableBytes());
        }
    }

    private void complete() {
        try {
            if (netascii != null) {
                ByteBuf tail = channel.alloc().heapBuffer(1);
                try {
                    netascii.finish(tail);
                    writeFully(tail);
                } finally {
                    tail.release();
                }
            }
            out.force(true);
            out.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            fail(ErrorKind.IO_ERROR, TftpErrorCode.DISK_FULL, "could not store the file", e);
            return;
        }
        LOG.info("TFTP WRQ {} from {} stored: {} bytes", name, peer, bytes);
        sendAck(received);
        endAndDally(2L * baseTimeoutMillis());
    }

    @Override
    protected void afterEnd(DatagramPacket msg) {
        // Dallying: the peer repeats its last block if our final ACK was lost.
        if (msg.sender().equals(peer) && msg.content().readableBytes() >= 4
                && msg.content().getUnsignedShort(msg.content().readerIndex()) == TftpPacket.OP_DATA
                && msg.content().getUnsignedShort(msg.content().readerIndex() + 2) == (received & 0xFFFF)) {
            send(TftpCodec.ack(channel.alloc(), (int) received));
            stats.controlPacketSent();
            flush();
        }
    }

    @Override
    protected void retransmit() {
        gapAcknowledged = false;
        if (received == 0) {
            sendFirst();
        } else {
            sendAck(received);
        }
    }

    @Override
    protected void release(boolean success) {
        if (success) {
            return; // already closed and renamed
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // the temporary file is deleted next; its content no longer matters
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.warn("TFTP WRQ {}: could not delete temporary file {}", name, temp, e);
        }
    }
}
