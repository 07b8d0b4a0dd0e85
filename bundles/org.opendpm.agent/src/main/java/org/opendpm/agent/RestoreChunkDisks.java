package org.opendpm.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import org.opendpm.agent.multicast.ChunkDisks;
import org.opendpm.image.ChunkEntry;

/**
 * The disks of a multicast restore, opened as for a unicast one ({@link RestoreDisk}: O_DIRECT where the device
 * allows), for the multicast receiver: a chunk goes to the disk and offset of its index entry, a hole is zeroed only
 * where the disk does not read as zeros already, and a flush puts everything on the devices. The index entries were
 * checked against the disks when the join came, so an entry naming another disk is a fault of this agent.
 */
final class RestoreChunkDisks implements ChunkDisks {

    private final Map<Integer, RestoreDisk> disks;
    private final ByteBuffer zeros;

    /** @param disks by disk number; the caller closes them */
    RestoreChunkDisks(Map<Integer, RestoreDisk> disks, int chunkSize) {
        this.disks = Map.copyOf(disks);
        this.zeros = RestoreDisk.buffer(chunkSize);
    }

    private RestoreDisk disk(ChunkEntry e) {
        RestoreDisk d = disks.get(e.diskNumber());
        if (d == null) {
            throw new IllegalStateException("chunk " + e.number() + " is for disk " + e.diskNumber()
                    + ", which this restore did not open");
        }
        return d;
    }

    @Override
    public void write(ChunkEntry e, ByteBuffer plain) throws IOException {
        disk(e).write(plain, e.diskOffset());
    }

    @Override
    public void hole(ChunkEntry e) throws IOException {
        disk(e).zero(zeros, e.diskOffset(), e.length());
    }

    @Override
    public void flush() throws IOException {
        for (RestoreDisk d : disks.values()) {
            d.finish();
        }
    }
}
