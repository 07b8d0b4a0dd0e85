package org.opendpm.transfer.internal;

import java.util.List;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.ProtocolException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Splits the stream into {@link NettyFrames.Inbound} frames. The length is checked ({@link FrameCodec#checkLength})
 * as soon as its four bytes are in, before any of the payload is buffered, so an oversized frame costs no memory;
 * after a violation everything further is dropped while the connection closes.
 */
final class FrameDecoder extends ByteToMessageDecoder {

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
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws LinkViolation {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        int length;
        try {
            length = FrameCodec.checkLength(in.getUnsignedInt(in.readerIndex()), limit);
        } catch (ProtocolException e) {
            failed = true;
            LinkViolation v = LinkViolation.of(e);
            throw limit < maxFrameBytes && v.kind() == LinkStats.Kind.OVERSIZED_FRAME
                    ? new LinkViolation(v.kind(), v.getMessage() + " before hello")
                    : v;
        }
        if (in.readableBytes() < 4 + length) {
            return;
        }
        in.skipBytes(4);
        byte type = in.readByte();
        out.add(new NettyFrames.Inbound(type, in.readRetainedSlice(length - 1)));
    }
}
