package org.opendpm.agent.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.random.RandomGenerator;

import org.junit.Test;
import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.ImageHeader;

/**
 * The receiver's request decisions on an injected clock and back-off (IMG-3, docs/multicast.md "Receiver"): the
 * window, the back-off, suppression by another member's REQUEST, resends with doubling intervals, repair of a
 * stalled chunk by bitmap, and that nothing of another session or image is taken.
 */
public class ReceiverCoreTest {

    private static final long SESSION = 0x5EED_0002L;
    private static final UUID IMAGE = UUID.fromString("6f1c9d4e-3a1b-4c2d-9e8f-0a1b2c3d4e5f");
    private static final long MEMBER = 3;
    private static final int BLOCK = 1400;
    private static final int CHUNK = ImageHeader.MIN_CHUNK_SIZE;
    private static final int STORED = 3 * BLOCK;
    private static final long MS = 1_000_000L;
    /** Every back-off is 10 ms, so the tests know when a REQUEST goes out. */
    private static final long BACKOFF = 10 * MS;

    private final ByteBuffer dst = ByteBuffer.allocateDirect(CHUNK);

    private static ReceiverCore core(int chunks, BitSet done) {
        List<ChunkEntry> index = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            index.add(new ChunkEntry(c, 1, (long) c * CHUNK, CHUNK, 4096L + (long) c * STORED, STORED, 0,
                    new byte[32]));
        }
        RandomGenerator fixed = new RandomGenerator() {
            @Override
            public long nextLong() {
                return BACKOFF;
            }

            @Override
            public long nextLong(long bound) {
                assertThat(bound).as("back-off bound").isEqualTo(ReceiverCore.BACKOFF + 1);
                return BACKOFF;
            }
        };
        return new ReceiverCore(SESSION, IMAGE, MEMBER, BLOCK, CHUNK, index, done, fixed);
    }

    private static Packet.Data data(long session, UUID image, long chunk, int stored, int block) {
        return new Packet.Data(session, image, chunk, stored, BLOCK, block, ByteBuffer.allocate(
                Math.min(BLOCK, stored - block * BLOCK)));
    }

    private static List<Long> chunks(List<Packet.Request> rs) {
        return rs.stream().map(Packet.Request::chunk).toList();
    }

    @Test
    public void theFirstAsksWaitTheBackOffAndFillAWindowOfEightFromTheSendersChunk() {
        BitSet done = new BitSet();
        done.set(5);
        ReceiverCore core = core(20, done);
        core.onStatus(new Packet.Status(SESSION, IMAGE, 3, 10_000_000, 0, 20));
        assertThat(core.due(0)).as("nothing before the back-off ends").isEmpty();
        List<Packet.Request> asks = core.due(BACKOFF);
        assertThat(chunks(asks)).containsExactlyInAnyOrder(3L, 4L, 6L, 7L, 8L, 9L, 10L, 11L);
        assertThat(asks).allMatch(Packet.Request::wholeChunk).allMatch(r -> r.member() == MEMBER);
        assertThat(core.due(BACKOFF + MS)).as("asked once, not again at once").isEmpty();
    }

    @Test
    public void theWindowWrapsAroundPastTheLastChunk() {
        ReceiverCore core = core(10, new BitSet());
        core.onStatus(new Packet.Status(SESSION, IMAGE, 7, 10_000_000, 0, 10));
        core.due(0);
        assertThat(chunks(core.due(BACKOFF))).containsExactlyInAnyOrder(7L, 8L, 9L, 0L, 1L, 2L, 3L, 4L);
    }

    @Test
    public void anotherMembersRequestForTheChunkHoldsItsOwnBackFor500Ms() {
        ReceiverCore core = core(2, new BitSet());
        core.due(0);
        core.onRequest(Packet.Request.whole(SESSION, IMAGE, 1, STORED, BLOCK, MEMBER + 1), 5 * MS);
        assertThat(chunks(core.due(BACKOFF))).as("chunk 1 suppressed").containsExactly(0L);
        assertThat(core.suppressed()).isEqualTo(1);
        assertThat(core.due(BACKOFF + 499 * MS)).isEmpty();
        assertThat(core.due(BACKOFF + 500 * MS)).as("a new back-off starts").isEmpty();
        assertThat(chunks(core.due(BACKOFF + 500 * MS + BACKOFF))).as("nobody asked again: it asks")
                .containsExactly(1L);
    }

    @Test
    public void aHeardRequestThatDoesNotCoverWhatItLacksDoesNotHoldItBack() {
        ReceiverCore core = core(1, new BitSet());
        core.due(0);
        BitSet first = new BitSet();
        first.set(0);
        core.onRequest(new Packet.Request(SESSION, IMAGE, 0, STORED, BLOCK, MEMBER + 1, 0, 1, first), MS);
        core.onRequest(Packet.Request.whole(SESSION + 1, IMAGE, 0, STORED, BLOCK, MEMBER + 1), MS);
        core.onRequest(Packet.Request.whole(SESSION, IMAGE, 0, STORED, BLOCK, MEMBER), MS);
        assertThat(chunks(core.due(BACKOFF))).containsExactly(0L);
        assertThat(core.suppressed()).isZero();
        assertThat(core.foreign()).isEqualTo(1);
    }

    @Test
    public void aRequestHeardLongerAgoThanTheWindowDoesNotHoldItBack() {
        ReceiverCore core = core(1, new BitSet());
        core.due(0);
        core.onRequest(Packet.Request.whole(SESSION, IMAGE, 0, STORED, BLOCK, MEMBER + 1), MS);
        assertThat(core.due(BACKOFF)).isEmpty();
        // Held back; 500 ms later, nobody asked again.
        core.due(BACKOFF + 500 * MS);
        assertThat(chunks(core.due(2 * BACKOFF + 500 * MS))).containsExactly(0L);
    }

    @Test
    public void anUnansweredRequestIsSentAgainWithDoublingIntervalsUpTo8s() {
        ReceiverCore core = core(1, new BitSet());
        core.due(0);
        long sent = BACKOFF;
        assertThat(core.due(sent)).hasSize(1);
        long interval = 1000 * MS;
        for (int round = 0; round < 6; round++) {
            assertThat(core.due(sent + interval - 1)).as("round %d: not before %d ms", round, interval / MS).isEmpty();
            assertThat(core.due(sent + interval)).as("back-off").isEmpty();
            sent = sent + interval + BACKOFF;
            assertThat(core.due(sent)).as("round %d", round).hasSize(1);
            interval = Math.min(2 * interval, 8000 * MS);
        }
        assertThat(core.requestsSent()).isEqualTo(7);
    }

    @Test
    public void aStalledPartialChunkIsRepairedByTheBitmapOfItsMissingBlocks() {
        ReceiverCore core = core(2, new BitSet());
        core.due(0);
        assertThat(core.due(BACKOFF)).hasSize(2);
        assertThat(core.onData(data(SESSION, IMAGE, 0, STORED, 0), 20 * MS, dst)).isEqualTo(
                ReceiverCore.Outcome.ACCEPTED);
        assertThat(core.onData(data(SESSION, IMAGE, 0, STORED, 2), 21 * MS, dst)).isEqualTo(
                ReceiverCore.Outcome.ACCEPTED);
        assertThat(core.due(22 * MS)).as("DATA of chunk 0 is arriving").isEmpty();
        // The sender moved on to chunk 1: block 1 of chunk 0 was lost.
        core.onData(data(SESSION, IMAGE, 1, STORED, 0), 23 * MS, dst);
        assertThat(core.due(23 * MS)).isEmpty();
        List<Packet.Request> repair = core.due(23 * MS + BACKOFF);
        assertThat(repair).hasSize(1);
        Packet.Request r = repair.get(0);
        assertThat(r.chunk()).isZero();
        assertThat(r.wholeChunk()).isFalse();
        BitSet one = new BitSet();
        one.set(0);
        assertThat(r.firstBlock()).isEqualTo(1);
        assertThat(r.missing()).isEqualTo(one);
    }

    @Test
    public void aPartialChunkIsRepairedWhenNothingOfItCameFor50Ms() {
        ReceiverCore core = core(1, new BitSet());
        core.onData(data(SESSION, IMAGE, 0, STORED, 1), 0, dst);
        assertThat(core.due(50 * MS)).isEmpty();
        assertThat(core.due(50 * MS + 1)).as("stalled: back-off starts").isEmpty();
        assertThat(core.due(60 * MS + 1)).hasSize(1);
    }

    @Test
    public void dataOfAnotherSessionOrImageOrThatDisagreesWithTheIndexIsNeverTaken() {
        ReceiverCore core = core(2, new BitSet());
        assertThat(core.onData(data(SESSION + 1, IMAGE, 0, STORED, 0), 0, dst)).isEqualTo(
                ReceiverCore.Outcome.FOREIGN);
        assertThat(core.onData(data(SESSION, UUID.randomUUID(), 0, STORED, 0), 0, dst)).isEqualTo(
                ReceiverCore.Outcome.FOREIGN);
        assertThat(core.onData(data(SESSION, IMAGE, 0, STORED + 1, 0), 0, dst)).isEqualTo(
                ReceiverCore.Outcome.MISMATCH);
        assertThat(core.onData(data(SESSION, IMAGE, 2, STORED, 0), 0, dst)).isEqualTo(
                ReceiverCore.Outcome.MISMATCH);
        assertThat(core.foreign()).isEqualTo(2);
        assertThat(core.mismatched()).isEqualTo(2);
        assertThat(core.window()).isEmpty();
    }

    @Test
    public void aCompleteChunkThatFailsTheCheckIsDiscardedAndAskedForAgain() {
        ReceiverCore core = core(1, new BitSet());
        core.due(0);
        core.due(BACKOFF);
        for (int b = 0; b < 2; b++) {
            core.onData(data(SESSION, IMAGE, 0, STORED, b), 20 * MS, dst);
        }
        assertThat(core.onData(data(SESSION, IMAGE, 0, STORED, 2), 20 * MS, dst)).isEqualTo(
                ReceiverCore.Outcome.BAD);
        assertThat(core.badChunks()).isEqualTo(1);
        assertThat(core.complete()).isFalse();
        core.due(100 * MS);
        List<Packet.Request> again = core.due(100 * MS + BACKOFF);
        assertThat(again).hasSize(1);
        assertThat(again.get(0).wholeChunk()).as("every block is missing again").isTrue();
    }

    @Test
    public void dataForASeventeenthChunkEvictsThePartialChunkWithTheFewestBlocks() {
        ReceiverCore core = core(20, new BitSet());
        for (int c = 0; c < ReceiverCore.SLOTS; c++) {
            core.onData(data(SESSION, IMAGE, c, STORED, 0), 0, dst);
            if (c != 9) {
                core.onData(data(SESSION, IMAGE, c, STORED, 1), 0, dst);
            }
        }
        core.onData(data(SESSION, IMAGE, 17, STORED, 0), MS, dst);
        assertThat(core.onData(data(SESSION, IMAGE, 9, STORED, 1), MS, dst)).as("chunk 9 was evicted, begins anew")
                .isEqualTo(ReceiverCore.Outcome.ACCEPTED);
        assertThat(core.onData(data(SESSION, IMAGE, 3, STORED, 1), MS, dst)).as("chunk 3 kept its blocks")
                .isEqualTo(ReceiverCore.Outcome.IGNORED);
    }

    @Test
    public void aRequestedPartialChunkIsNotEvictedForDataOfAnotherOne() {
        ReceiverCore core = core(20, new BitSet());
        core.due(0);
        assertThat(core.window()).as("chunks 0 to 7 requested").hasSize(ReceiverCore.WINDOW);
        for (int c = 0; c < ReceiverCore.SLOTS; c++) {
            core.onData(data(SESSION, IMAGE, c, STORED, 0), 0, dst);
            if (c >= ReceiverCore.WINDOW) {
                core.onData(data(SESSION, IMAGE, c, STORED, 1), 0, dst);
            }
        }
        core.onData(data(SESSION, IMAGE, 17, STORED, 0), MS, dst);
        for (int c = 0; c < ReceiverCore.WINDOW; c++) {
            assertThat(core.onData(data(SESSION, IMAGE, c, STORED, 0), MS, dst)).as("requested chunk %d kept", c)
                    .isEqualTo(ReceiverCore.Outcome.IGNORED);
        }
        assertThat(core.onData(data(SESSION, IMAGE, 8, STORED, 0), MS, dst)).as("unrequested chunk 8 evicted")
                .isEqualTo(ReceiverCore.Outcome.ACCEPTED);
    }

    @Test
    public void theFiguresCountTheBlocksAskedForByReason() {
        ReceiverCore core = core(2, new BitSet());
        core.due(0);
        assertThat(core.due(BACKOFF)).hasSize(2);
        // Chunk 0: two blocks of three, then the sender moves on: a gap of one block.
        core.onData(data(SESSION, IMAGE, 0, STORED, 0), 20 * MS, dst);
        core.onData(data(SESSION, IMAGE, 0, STORED, 2), 20 * MS, dst);
        core.onData(data(SESSION, IMAGE, 1, STORED, 0), 21 * MS, dst);
        core.onData(data(SESSION, IMAGE, 1, STORED, 1), 21 * MS, dst);
        assertThat(core.onData(data(SESSION, IMAGE, 1, STORED, 2), 21 * MS, dst)).isEqualTo(
                ReceiverCore.Outcome.BAD);
        core.due(100 * MS);
        assertThat(core.due(100 * MS + BACKOFF)).as("chunk 0's gap, chunk 1 whole after its check failed")
                .hasSize(2);
        // Nothing answers: both are asked again after the interval.
        core.due(100 * MS + BACKOFF + 1000 * MS);
        assertThat(core.due(100 * MS + 2 * BACKOFF + 1000 * MS)).hasSize(2);
        ReceiverFigures f = core.figures(1 << 20, 7);
        assertThat(f.requests(ReceiverFigures.Reason.FIRST)).isEqualTo(2);
        assertThat(f.blocks(ReceiverFigures.Reason.FIRST)).isEqualTo(6);
        assertThat(f.blocks(ReceiverFigures.Reason.GAP)).isEqualTo(1);
        assertThat(f.blocks(ReceiverFigures.Reason.BAD)).isEqualTo(3);
        assertThat(f.requests(ReceiverFigures.Reason.TIMEOUT)).isEqualTo(2);
        assertThat(f.blocks(ReceiverFigures.Reason.TIMEOUT)).isEqualTo(4);
        assertThat(f.blocks(ReceiverFigures.Reason.EVICTED)).isZero();
        assertThat(f.blocksTaken()).isEqualTo(5);
        assertThat(f.badChunks()).isEqualTo(1);
        assertThat(f.blocksAsked()).isEqualTo(14);
        assertThat(f.toString()).contains("asked.gap=1/1", "asked.timeout=2/4", "rcvbuf=1048576", "socketDrops=7");
    }

    @Test
    public void anEvictedChunkIsAskedForWholeAgainAndCountedSo() {
        ReceiverCore core = core(20, new BitSet());
        for (int c = 0; c < ReceiverCore.SLOTS; c++) {
            core.onData(data(SESSION, IMAGE, c, STORED, 0), 0, dst);
        }
        core.onData(data(SESSION, IMAGE, 17, STORED, 0), MS, dst);
        core.onData(data(SESSION, IMAGE, 17, STORED, 0), MS, dst);
        ReceiverFigures f = core.figures(0, -1);
        assertThat(f.evictions()).isEqualTo(1);
        assertThat(f.blocksEvicted()).isEqualTo(1);
        assertThat(f.blocksDuplicate()).isEqualTo(1);
        assertThat(f.blocksTaken()).isEqualTo(ReceiverCore.SLOTS + 1);
    }

    @Test
    public void anAskWaitsTwiceWhatTheSendersQueueTakesBeforeItIsSentAgain() {
        ReceiverCore core = core(1, new BitSet());
        // 1000 B/s, nothing queued before it: the chunk's 3 datagrams, 4350 bytes, take 4.35 s; twice that is 8.7 s.
        core.onStatus(new Packet.Status(SESSION, IMAGE, 0, 1000, 0, 1));
        core.due(0);
        assertThat(core.due(BACKOFF)).hasSize(1);
        assertThat(core.due(BACKOFF + 8699 * MS)).as("only waiting in the queue").isEmpty();
        core.due(BACKOFF + 8700 * MS);
        assertThat(core.due(2 * BACKOFF + 8700 * MS)).as("asked again").hasSize(1);
        assertThat(core.figures(0, -1).requests(ReceiverFigures.Reason.TIMEOUT)).isEqualTo(1);
    }
}
