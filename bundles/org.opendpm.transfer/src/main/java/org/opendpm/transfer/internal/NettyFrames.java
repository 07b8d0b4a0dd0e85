package org.opendpm.transfer.internal;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/** The protocol module's frames as Netty buffers. */
final class NettyFrames {

    private NettyFrames() {
    }

    /** A frame as the decoder split it off: its type byte and its payload (released by whoever handles it). */
    record Inbound(byte type, ByteBuf payload) {
    }

    static ByteBuf control(Message message) {
        return Unpooled.wrappedBuffer(FrameCodec.encode(message));
    }

    /** A data frame around {@code chunk}, which it takes over (no copy). */
    static ByteBuf data(ByteBufAllocator alloc, long transferId, ByteBuf chunk) {
        CompositeByteBuf frame = alloc.compositeBuffer(2);
        frame.addComponents(true, Unpooled.wrappedBuffer(FrameCodec.dataHeader(transferId, chunk.readableBytes())),
                chunk);
        return frame;
    }
}
