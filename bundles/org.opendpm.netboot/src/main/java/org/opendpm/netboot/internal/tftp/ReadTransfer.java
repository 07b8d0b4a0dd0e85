package org.opendpm.netboot.internal.tftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

import org.opendpm.netboot.internal.tftp.TftpPacket.Option;
import org.opendpm.netboot.internal.tftp.TftpStats.ErrorKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;

/**
 * Sends one file (RRQ). Blocks are counted with 64-bit absolute numbers; the wire carries the low
 * 16 bits, so block 65536 goes out as 0 (the roll-over tftpd-hpa and atftp expect).
 *
 * <p>Window (RFC 7440): up to {@code windowSize} blocks past the last acknowledged one are in
 * flight. An ACK for any block in the window moves the window to just after it, so an ACK for
 * a block before the last one sent (the client saw a gap) resends from the first missing
 * block. An ACK for the block already acknowledged is a duplicate and is ignored: resending on
 * duplicates is the Sorcerer's Apprentice bug, which doubles the traffic with each repeat.
 * Lost packets are recovered by the retransmission timer instead.
 */
final class ReadTransfer extends Transfer {

    private static final Logger LOG = LoggerFactory.getLogger(ReadTransfer.class);

    private final BlockSource source;
    private final int blockSize;
    private final int windowSize;
    private final List<Option> optionAck;
    private final long totalBlocks;
    /** -1 while our OACK waits for its ACK 0; afterwards the last block the peer confirmed. */
    private long lastAcked;
    private long nextToSend;
    private long highestSent;
    /**
     * Read-ahead: the block most likely needed next, read right after a window went out, so the
     * file read happens while the client works and an ACK costs only a send. In lock-step every
     * block waits a full round trip, so this takes the read out of that critical path.
     */
    private ByteBuf prepared;
    private long preparedBlock = -1;

    ReadTransfer(InetSocketAddress peer, String name, TftpStats stats, int retries, int timeoutMillis,
            BlockSource source, int blockSize, int windowSize, List<Option> optionAck) {
        super(peer, name, stats, retries, timeoutMillis);
        this.source = source;
        this.blockSize = blockSize;
        this.windowSize = windowSize;
        this.optionAck = optionAck;
        // The last block is always shorter than blockSize, possibly empty, to mark the end.
        this.totalBlocks = source.size() / blockSize + 1;
    }

    @Override
    protected String kind() {
        return "RRQ";
    }

    @Override
    protected void start() {
        if (optionAck != null) {
            lastAcked = -1;
            highestSent = 0;
            sendOptionAck();
        } else {
            lastAcked = 0;
            nextToSend = 1;
            sendWindow();
        }
    }

    private void sendOptionAck() {
        send(TftpCodec.optionAck(channel.alloc(), optionAck));
        stats.controlPacketSent();
        flush();
    }

    @Override
    protected void onPacket(TftpPacket packet) {
        if (!(packet instanceof TftpPacket.Ack ack)) {
            fail(ErrorKind.UNEXPECTED_OPCODE, TftpErrorCode.ILLEGAL_OPERATION, "expected ACK", null);
            return;
        }
        long acked = absolute(ack.block());
        if (acked <= lastAcked || acked > highestSent) {
            return; // duplicate or stale: never answered (no Sorcerer's Apprentice)
        }
        lastAcked = acked;
        progress();
        if (acked == totalBlocks) {
            LOG.debug("TFTP RRQ {} to {} complete: {} bytes", name, peer, source.size());
            end(true);
            return;
        }
        nextToSend = acked + 1;
        sendWindow();
    }

    /** Maps a 16-bit ACK number to the absolute block in (lastAcked, lastAcked + 65535]. */
    private long absolute(int wire) {
        return lastAcked + ((wire - lastAcked) & 0xFFFF);
    }

    @Override
    protected void retransmit() {
        if (lastAcked < 0) {
            sendOptionAck();
            return;
        }
        nextToSend = lastAcked + 1;
        sendWindow();
    }

    private void sendWindow() {
        long limit = Math.min(totalBlocks, lastAcked + windowSize);
        try {
            while (nextToSend <= limit) {
                sendBlock(nextToSend++);
            }
        } catch (IOException e) {
            flush();
            fail(ErrorKind.IO_ERROR, TftpErrorCode.NOT_DEFINED, "read error", e);
            return;
        }
        if (nextToSend - 1 > highestSent) {
            highestSent = nextToSend - 1;
        }
        flush();
        readAhead(nextToSend);
    }

    private void readAhead(long block) {
        if (block > totalBlocks || block == preparedBlock) {
            return;
        }
        dropPrepared();
        try {
            prepared = readBlock(block);
            preparedBlock = block;
        } catch (IOException e) {
            // not fatal here: the same read is tried again when the block is due, and fails the transfer then
            preparedBlock = -1;
        }
    }

    private void dropPrepared() {
        if (prepared != null) {
            prepared.release();
            prepared = null;
        }
        preparedBlock = -1;
    }

    private void sendBlock(long block) throws IOException {
        ByteBuf buf;
        if (block == preparedBlock) {
            buf = prepared;
            prepared = null;
            preparedBlock = -1;
        } else {
            buf = readBlock(block);
        }
        stats.sent(buf.readableBytes() - 4);
        send(buf);
    }

    private ByteBuf readBlock(long block) throws IOException {
        long position = (block - 1) * blockSize;
        int length = (int) Math.min(blockSize, source.size() - position);
        ByteBuf buf = channel.alloc().directBuffer(4 + length);
        try {
            TftpCodec.writeDataHeader(buf, (int) block);
            source.read(position, length, buf);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
        return buf;
    }

    @Override
    protected void release(boolean success) {
        dropPrepared();
        source.close();
    }
}
