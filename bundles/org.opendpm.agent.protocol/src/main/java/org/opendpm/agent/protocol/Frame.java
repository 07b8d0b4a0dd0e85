package org.opendpm.agent.protocol;

import java.nio.ByteBuffer;

/** One frame as read: a control message or a chunk of a transfer. */
public sealed interface Frame {

    /** A control frame: one JSON message. */
    record Control(Message message) implements Frame {
    }

    /**
     * A data frame: a chunk of the transfer {@code transferId}. {@code chunk} is a view of the bytes read (no copy);
     * whoever handles the frame reads it before the buffer is reused.
     */
    record Data(long transferId, ByteBuffer chunk) implements Frame {
    }
}
