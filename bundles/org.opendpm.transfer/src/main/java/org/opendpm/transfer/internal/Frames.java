package org.opendpm.transfer.internal;

import java.io.IOException;
import java.io.OutputStream;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;

/**
 * The frame format of the agent link: {@code uint32 length} (of what follows), {@code uint8 type}, payload. A
 * control payload is one JSON object; a data payload is {@code uint64 transferId} and the chunk.
 *
 * <p>JSON is read leniently about members it does not know (a newer agent may send more), and strictly about the
 * members a message needs (present, of the right JSON type, checked by {@link Messages}): forward compatibility
 * without letting a malformed message through. Duplicate keys and trailing content are refused.
 */
final class Frames {

    static final byte CONTROL = 1;
    static final byte DATA = 2;
    /** Largest data chunk the server sends. */
    static final int CHUNK = 256 * 1024;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Frames() {
    }

    /** A frame as read: its type byte and its payload (released by whoever handles it). */
    record Inbound(byte type, ByteBuf payload) {
    }

    static ObjectNode message(String type) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type);
        return n;
    }

    static ByteBuf control(ByteBufAllocator alloc, ObjectNode message) {
        ByteBuf buf = alloc.buffer(256);
        buf.writeInt(0).writeByte(CONTROL);
        try (OutputStream out = new ByteBufOutputStream(buf)) {
            JSON.writeValue(out, message);
        } catch (IOException e) {
            buf.release();
            throw new IllegalStateException("cannot encode " + message.get("type"), e);
        }
        buf.setInt(0, buf.readableBytes() - 4);
        return buf;
    }

    /** A data frame around {@code chunk}, which it takes over (no copy). */
    static ByteBuf data(ByteBufAllocator alloc, long transferId, ByteBuf chunk) {
        ByteBuf header = alloc.buffer(13);
        header.writeInt(1 + 8 + chunk.readableBytes()).writeByte(DATA).writeLong(transferId);
        CompositeByteBuf frame = alloc.compositeBuffer(2);
        frame.addComponents(true, header, chunk);
        return frame;
    }
}
