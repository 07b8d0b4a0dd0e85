package org.opendpm.agent.multicast;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.opendpm.image.ChunkEntry;

/**
 * Where a multicast receiver puts checked chunks: the restore's disks. Where a chunk goes comes from its index entry
 * (over the authenticated link), never from a packet.
 */
public interface ChunkDisks {

    /** Writes a checked chunk's plain bytes ({@code plain}'s remaining, the entry's length) at its disk offset. */
    void write(ChunkEntry e, ByteBuffer plain) throws IOException;

    /** Makes a hole's range read as zeros (a range already reading as zeros may be left alone). */
    void hole(ChunkEntry e) throws IOException;

    /** Puts everything written so far on the device: what was written before counts as confirmed after this. */
    void flush() throws IOException;
}
