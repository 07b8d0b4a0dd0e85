package org.opendpm.transfer.internal.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.junit.Test;

/** The sender's request queue: merging, the elevator sweep and requests for the chunk being sent (IMG-3). */
public class RequestQueueTest {

    private static BitSet bits(int... blocks) {
        BitSet b = new BitSet();
        for (int i : blocks) {
            b.set(i);
        }
        return b;
    }

    private static BitSet range(int from, int to) {
        BitSet b = new BitSet();
        b.set(from, to);
        return b;
    }

    private static List<String> drain(RequestQueue q) {
        List<String> out = new ArrayList<>();
        for (RequestQueue.Block b = q.poll(); b != null; b = q.poll()) {
            out.add(b.chunk() + ":" + b.block());
        }
        return out;
    }

    @Test
    public void anEmptyQueueYieldsNothing() {
        RequestQueue q = new RequestQueue();
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.currentChunk()).isEqualTo(-1);
        q.add(3, new BitSet());
        assertThat(q.poll()).as("a request of no blocks queues nothing").isNull();
    }

    @Test
    public void requestsForOneChunkAreMergedSoEachBlockGoesOnce() {
        RequestQueue q = new RequestQueue();
        assertThat(q.add(5, bits(1, 3))).isEqualTo(2);
        assertThat(q.add(5, bits(3, 4))).as("block 3 was queued already").isEqualTo(1);
        assertThat(q.add(5, bits(0))).isEqualTo(1);
        assertThat(q.chunksWaiting()).isEqualTo(1);
        assertThat(drain(q)).containsExactly("5:0", "5:1", "5:3", "5:4");
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    public void chunksAreServedInOrderFromTheLastServedUpwardsWrappingAround() {
        RequestQueue q = new RequestQueue();
        q.add(7, bits(0));
        assertThat(drain(q)).containsExactly("7:0");
        q.add(2, bits(0));
        q.add(9, bits(1));
        q.add(8, bits(0));
        q.add(4, bits(0));
        assertThat(q.upcoming(3)).containsExactly(8L, 9L, 2L);
        assertThat(drain(q)).containsExactly("8:0", "9:1", "2:0", "4:0");
        assertThat(q.currentChunk()).isEqualTo(4);
    }

    @Test
    public void blocksNotYetPassedJoinTheChunkBeingSentAndPassedOnesAreQueuedAnew() {
        RequestQueue q = new RequestQueue();
        q.add(1, range(0, 10));
        q.add(6, bits(0));
        for (int i = 0; i < 5; i++) {
            assertThat(q.poll()).isEqualTo(new RequestQueue.Block(1, i));
        }
        // Blocks 2 (passed) and 8 (ahead) asked for again, and 12 (never asked) newly.
        q.add(1, bits(2, 8, 12));
        assertThat(q.chunksWaiting()).as("chunk 1 is being sent and queued again, chunk 6 waits").isEqualTo(2);
        assertThat(q.upcoming(5)).containsExactly(1L, 6L);
        assertThat(drain(q)).containsExactly("1:5", "1:6", "1:7", "1:8", "1:9", "1:12", "6:0", "1:2");
    }

    @Test
    public void upcomingNamesTheCurrentChunkAndAtMostNAfterIt() {
        RequestQueue q = new RequestQueue();
        for (long c = 0; c < 10; c++) {
            q.add(c, range(0, 2));
        }
        q.poll();
        assertThat(q.upcoming(2)).containsExactly(0L, 1L, 2L);
        q.poll();
        assertThat(q.upcoming(2)).as("chunk 0 is done").containsExactly(1L, 2L);
        assertThat(q.chunksWaiting()).isEqualTo(9);
    }
}
