package org.opendpm.transfer.internal;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Splits the stream into {@link Frames.Inbound} frames. The length is checked against the maximum as soon as its
 * four bytes are in, before any of the payload is buffered, so an oversized frame costs no memory; after a
 * violation everything further is dropped while the connection closes.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    /** Before hello only register and hello may come, which are small: this bounds what unauthenticated peers buffer. */
    static final int MAX_BEFORE_HELLO = 64 * 1024;

    private final int maxFrameBytes;
    private int limit;
    private boolean failed;

    FrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, maxFrameBytes);
    }

    FrameDecoder(int maxFrameBytes, int initialLimit) {
        this.maxFrameBytes = maxFrameBytes;
        this.limit = Math.min(initialLimit, maxFrameBytes);
    }

    /** Lifts the limit to the configured maximum once the peer has authenticated; event loop only. */
    void authenticated() {
        limit = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws ProtocolException {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length < 1) {
            failed = true;
            throw new ProtocolException(LinkStats.Kind.MALFORMED_FRAME, "frame of length 0 (at least 1 is needed for its type)");
        }
        if (length > limit) {
            failed = true;
            throw new ProtocolException(LinkStats.Kind.OVERSIZED_FRAME, "frame of " + length
                    + " bytes exceeds the maximum " + limit + (limit < maxFrameBytes ? " before hello" : ""));
        }
        if (in.readableBytes() < 4 + length) {
            return;
        }
        in.skipBytes(4);
        byte type = in.readByte();
        out.add(new Frames.Inbound(type, in.readRetainedSlice((int) length - 1)));
    }
}
