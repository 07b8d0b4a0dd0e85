package org.opendpm.netboot.internal.tftp;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.opendpm.netboot.internal.tftp.TftpStats.ErrorKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One transfer on its own UDP port (the server's TID, RFC 1350). All state is touched only on the
 * channel's event loop, so nothing here needs locks.
 *
 * <p>Retransmission: one timer per transfer, re-armed lazily. Progress only moves a deadline
 * (no timer is cancelled and re-created per packet); when the timer fires early it sleeps until
 * the deadline. On expiry the last packet(s) are sent again with the timeout doubled (capped at
 * 16 times the base); after {@code retries} retransmissions without progress the transfer is
 * abandoned and logged.
 */
abstract class Transfer extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger LOG = LoggerFactory.getLogger(Transfer.class);

    protected final InetSocketAddress peer;
    protected final String name;
    protected final TftpStats stats;
    private final int retries;
    private final long baseTimeoutNanos;
    private long timeoutNanos;
    private long deadlineNanos;
    private int attempts;
    private ScheduledFuture<?> timer;
    private boolean ended;
    protected volatile Channel channel;

    Transfer(InetSocketAddress peer, String name, TftpStats stats, int retries, int timeoutMillis) {
        this.peer = peer;
        this.name = name;
        this.stats = stats;
        this.retries = retries;
        this.baseTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.timeoutNanos = baseTimeoutNanos;
    }

    /** Sends the first packet (OACK, DATA 1 or ACK 0). */
    protected abstract void start();

    protected abstract void onPacket(TftpPacket packet);

    /** Sends again what the peer has not confirmed. */
    protected abstract void retransmit();

    /** Releases files; {@code success} false means temporary output must be discarded. */
    protected abstract void release(boolean success);

    protected abstract String kind();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        stats.transferStarted();
        try {
            start();
        } catch (RuntimeException e) {
            fail(ErrorKind.IO_ERROR, TftpErrorCode.NOT_DEFINED, "internal error", e);
            return;
        }
        armTimer();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
        if (ended) {
            afterEnd(msg);
            return;
        }
        InetSocketAddress sender = msg.sender();
        if (!peer.equals(sender)) {
            // RFC 1350: answer the stranger, leave the transfer alone.
            stats.error(ErrorKind.UNKNOWN_TID);
            LOG.debug("TFTP {} {}: packet from unknown TID {} (peer {})", kind(), name, sender, peer);
            sendTo(TftpCodec.error(ctx.alloc(), TftpErrorCode.UNKNOWN_TRANSFER_ID, "Unknown transfer ID"), sender);
            ctx.flush();
            return;
        }
        TftpPacket packet;
        try {
            packet = TftpCodec.decode(msg.content());
        } catch (MalformedPacketException e) {
            stats.error(e.kind());
            if (e.reply() == null) {
                LOG.debug("TFTP {} {} from {}: ignored {}", kind(), name, peer, e.getMessage());
                return;
            }
            fail(e.kind(), e.reply(), e.getMessage(), null);
            return;
        }
        if (packet instanceof TftpPacket.Error err) {
            stats.error(ErrorKind.PEER_ERROR);
            // Clients routinely end a transfer this way (a PXE ROM reading only tsize, a
            // client refusing our OACK), so this is not a server problem: debug only.
            LOG.debug("TFTP {} {} aborted by {}: error {} '{}'", kind(), name, peer, err.code(), err.message());
            end(false);
            return;
        }
        try {
            onPacket(packet);
        } catch (RuntimeException e) {
            fail(ErrorKind.IO_ERROR, TftpErrorCode.NOT_DEFINED, "internal error", e);
        } finally {
            if (packet instanceof TftpPacket.Data d) {
                d.content().release();
            }
        }
    }

    /** Ends the transfer from another thread, silently (a newer request from the same client replaces it). */
    final void abandon() {
        Channel c = channel;
        if (c != null) {
            c.eventLoop().execute(() -> {
                if (!ended) {
                    LOG.debug("TFTP {} {} to {} replaced by a newer request", kind(), name, peer);
                    end(false);
                }
            });
        }
    }

    /** A packet after the transfer ended (a write dallies to re-ACK a repeated last block). */
    protected void afterEnd(DatagramPacket msg) {
        // read transfers close at once; nothing arrives here
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ended) {
            LOG.info("TFTP {} {} to {} stopped with the server", kind(), name, peer);
            ended = true;
            cancelTimer();
            stats.transferFailed();
            release(false);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ErrorKind.IO_ERROR, TftpErrorCode.NOT_DEFINED, "I/O error", cause);
    }

    // ---- helpers for subclasses ----

    protected final void send(ByteBuf packet) {
        channel.write(new DatagramPacket(packet, peer), channel.voidPromise());
    }

    private void sendTo(ByteBuf packet, InetSocketAddress to) {
        channel.write(new DatagramPacket(packet, to), channel.voidPromise());
        stats.controlPacketSent();
    }

    protected final void flush() {
        channel.flush();
    }

    /** The peer moved forward: reset back-off and retry count. */
    protected final void progress() {
        attempts = 0;
        timeoutNanos = baseTimeoutNanos;
        deadlineNanos = System.nanoTime() + timeoutNanos;
    }

    protected final void armTimer() {
        deadlineNanos = System.nanoTime() + timeoutNanos;
        if (timer == null && !ended) {
            timer = channel.eventLoop().schedule(this::onTimer, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void onTimer() {
        timer = null;
        if (ended) {
            return;
        }
        long now = System.nanoTime();
        if (now - deadlineNanos < 0) {
            timer = channel.eventLoop().schedule(this::onTimer, deadlineNanos - now, TimeUnit.NANOSECONDS);
            return;
        }
        if (attempts >= retries) {
            stats.error(ErrorKind.TIMEOUT);
            LOG.warn("TFTP {} {} to {} abandoned: no answer after {} retransmissions", kind(), name, peer, attempts);
            end(false);
            return;
        }
        attempts++;
        timeoutNanos = Math.min(timeoutNanos * 2, baseTimeoutNanos * 16);
        stats.retransmission();
        retransmit();
        armTimer();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    protected final boolean ended() {
        return ended;
    }

    /** Ends the transfer and closes its port. */
    protected final void end(boolean success) {
        if (ended) {
            return;
        }
        ended = true;
        cancelTimer();
        // Release first: once the stats say the transfer is over, its temporary file must be gone too.
        release(success);
        if (success) {
            stats.transferCompleted();
        } else {
            stats.transferFailed();
        }
        channel.close();
    }

    /** Ends successfully but keeps the port open for {@code millis} to answer repeats. */
    protected final void endAndDally(long millis) {
        ended = true;
        cancelTimer();
        release(true);
        stats.transferCompleted();
        channel.eventLoop().schedule(() -> channel.close(), millis, TimeUnit.MILLISECONDS);
    }

    /** Sends an ERROR to the peer and ends the transfer as failed. */
    protected final void fail(ErrorKind kind, TftpErrorCode code, String message, Throwable cause) {
        if (ended) {
            return;
        }
        stats.error(kind);
        if (cause != null) {
            LOG.warn("TFTP {} {} to {} failed: {}", kind(), name, peer, message, cause);
        } else {
            LOG.warn("TFTP {} {} to {} failed: {}", kind(), name, peer, message);
        }
        if (channel.isActive()) {
            send(TftpCodec.error(channel.alloc(), code, message));
            stats.controlPacketSent();
            flush();
        }
        end(false);
    }

    protected final int baseTimeoutMillis() {
        return (int) TimeUnit.NANOSECONDS.toMillis(baseTimeoutNanos);
    }
}
