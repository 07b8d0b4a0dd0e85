package org.opendpm.agent.multicast;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a multicast receiver asked for and why, and what became of the DATA it heard (docs/multicast.md, "Receiver",
 * "Figures"): the counters that tell a slow session's causes apart. Blocks asked for are counted by reason; a
 * whole-chunk REQUEST counts every block of its chunk.
 *
 * @param requests REQUESTs sent, by {@link Reason} ordinal
 * @param blocks blocks asked for, by {@link Reason} ordinal
 * @param suppressed asks held back because another member's REQUEST covered them
 * @param blocksTaken DATA blocks new to their chunk's slot
 * @param blocksDuplicate DATA blocks the slot held already
 * @param blocksOfWritten DATA blocks of chunks already written (another member's asks, or a repair sent twice)
 * @param evictions partial chunks thrown out of their slot for DATA of another chunk
 * @param blocksEvicted blocks those chunks held
 * @param blocksNoSlot DATA blocks dropped because every slot held a chunk worth more
 * @param badChunks complete chunks that failed the check
 * @param receiveBuffer the socket's receive buffer as the kernel granted it, bytes
 * @param socketDrops datagrams the kernel dropped for a full receive buffer, where it tells (else -1)
 */
public record ReceiverFigures(long[] requests, long[] blocks, long suppressed, long blocksTaken,
        long blocksDuplicate, long blocksOfWritten, long evictions, long blocksEvicted, long blocksNoSlot,
        long badChunks, int receiveBuffer, long socketDrops) {

    /** Why blocks were asked for. */
    public enum Reason {
        /** The first ask for a chunk of which the receiver never held a block. */
        FIRST,
        /** A partial chunk's missing blocks after its DATA stopped: lost on the way (or dropped by the socket). */
        GAP,
        /** An ask not answered in time, sent again. */
        TIMEOUT,
        /** A chunk asked for whole again after its slot was given to another chunk. */
        EVICTED,
        /** A chunk asked for whole again after it failed the check. */
        BAD
    }

    public ReceiverFigures {
        requests = requests.clone();
        blocks = blocks.clone();
    }

    public long requests(Reason r) {
        return requests[r.ordinal()];
    }

    public long blocks(Reason r) {
        return blocks[r.ordinal()];
    }

    /** Blocks asked for for every reason. */
    public long blocksAsked() {
        return Arrays.stream(blocks).sum();
    }

    /** One line of {@code name=value} pairs, for logs and the benchmarks. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Reason r : Reason.values()) {
            String n = r.name().toLowerCase(Locale.ROOT);
            s.append("asked.").append(n).append('=').append(requests(r)).append('/').append(blocks(r)).append(' ');
        }
        return s.append("suppressed=").append(suppressed).append(" taken=").append(blocksTaken)
                .append(" duplicate=").append(blocksDuplicate).append(" ofWritten=").append(blocksOfWritten)
                .append(" evictions=").append(evictions).append('/').append(blocksEvicted)
                .append(" noSlot=").append(blocksNoSlot).append(" bad=").append(badChunks)
                .append(" rcvbuf=").append(receiveBuffer).append(" socketDrops=").append(socketDrops).toString();
    }
}
