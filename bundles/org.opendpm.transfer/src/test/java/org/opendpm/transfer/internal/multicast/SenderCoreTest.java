package org.opendpm.transfer.internal.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;

import org.junit.Test;
import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.transfer.internal.multicast.SenderCore.Verdict;

/** What the sender lets into its queue, what it sends and what it says in STATUS (IMG-3, docs/multicast.md). */
public class SenderCoreTest {

    private static final long SESSION = 77;
    private static final UUID IMAGE = UUID.fromString("0f4b8d2a-3c1e-4a5b-9e7d-6c2f1a0b3d4e");
    private static final int BLOCK = 1400;
    /** Chunk 1 is a hole; chunk 2 has 3 blocks, the last short. */
    private static final int[] STORED = { 5000, 0, 3000, 1400 };
    private static final InetAddress A = InetAddress.getLoopbackAddress();

    private static SenderCore core() {
        SenderCore c = new SenderCore(SESSION, IMAGE, BLOCK, STORED, RateControl.DEFAULT_MAX);
        c.admit(1);
        c.admit(2);
        return c;
    }

    private static Packet.Request whole(long chunk, long member) {
        return Packet.Request.whole(SESSION, IMAGE, chunk, STORED[(int) chunk], BLOCK, member);
    }

    private static Packet.Request blocks(long chunk, long member, int first, int... bits) {
        BitSet b = new BitSet();
        for (int i : bits) {
            b.set(i);
        }
        return new Packet.Request(SESSION, IMAGE, chunk, STORED[(int) chunk], BLOCK, member, first, b.length(), b);
    }

    private static List<String> drain(SenderCore c) {
        List<String> out = new ArrayList<>();
        for (RequestQueue.Block b = c.next(); b != null; b = c.next()) {
            out.add(b.chunk() + ":" + b.block());
        }
        return out;
    }

    @Test
    public void wholeAndBitmapRequestsOfTwoMembersGoOutOnce() {
        SenderCore c = core();
        assertThat(c.offer(whole(2, 1), A, 0)).isEqualTo(Verdict.QUEUED);
        assertThat(c.offer(blocks(0, 2, 1, 0, 2), A, 0)).isEqualTo(Verdict.QUEUED);
        assertThat(c.offer(blocks(2, 2, 1, 0), A, 0)).isEqualTo(Verdict.QUEUED);
        assertThat(drain(c)).containsExactly("0:1", "0:3", "2:0", "2:1", "2:2");
        assertThat(c.figures()).contains("blocks.first=5 blocks.again=0", "queued=3", "whole=1", "blocksAsked=6",
                "blocksAlreadyQueued=1", "rate.decreases=0");
        c.offer(blocks(0, 1, 3, 0), A, 0);
        assertThat(drain(c)).containsExactly("0:3");
        assertThat(c.figures()).as("block 3 of chunk 0 went out twice").contains("blocks.first=5 blocks.again=1");
    }

    @Test
    public void foreignMismatchedAndNonMemberRequestsAreDroppedAndCounted() {
        SenderCore c = core();
        assertThat(c.offer(Packet.Request.whole(SESSION + 1, IMAGE, 0, 5000, BLOCK, 1), A, 0))
                .isEqualTo(Verdict.FOREIGN);
        assertThat(c.offer(Packet.Request.whole(SESSION, UUID.randomUUID(), 0, 5000, BLOCK, 1), A, 0))
                .isEqualTo(Verdict.FOREIGN);
        assertThat(c.offer(Packet.Request.whole(SESSION, IMAGE, 4, 5000, BLOCK, 1), A, 0))
                .as("past the last chunk").isEqualTo(Verdict.MISMATCH);
        assertThat(c.offer(Packet.Request.whole(SESSION, IMAGE, 0, 5001, BLOCK, 1), A, 0))
                .as("stored length").isEqualTo(Verdict.MISMATCH);
        assertThat(c.offer(Packet.Request.whole(SESSION, IMAGE, 1, 5000, BLOCK, 1), A, 0))
                .as("a hole").isEqualTo(Verdict.MISMATCH);
        assertThat(c.offer(Packet.Request.whole(SESSION, IMAGE, 0, 5000, 1024, 1), A, 0))
                .as("block size").isEqualTo(Verdict.MISMATCH);
        assertThat(c.offer(whole(0, 3), A, 0)).as("never joined").isEqualTo(Verdict.NOT_MEMBER);
        c.remove(2);
        assertThat(c.offer(whole(0, 2), A, 0)).as("dropped").isEqualTo(Verdict.NOT_MEMBER);
        c.admit(3);
        assertThat(c.offer(whole(0, 3), A, 0)).as("joined late").isEqualTo(Verdict.QUEUED);
        assertThat(c.count(Verdict.FOREIGN)).isEqualTo(2);
        assertThat(c.count(Verdict.MISMATCH)).isEqualTo(4);
        assertThat(c.count(Verdict.NOT_MEMBER)).isEqualTo(2);
        assertThat(c.count(Verdict.QUEUED)).isEqualTo(1);
        assertThat(drain(c)).containsExactly("0:0", "0:1", "0:2", "0:3");
    }

    @Test
    public void eachSourceAddressPutsAtMost2000RequestsASecondIntoTheQueue() throws Exception {
        SenderCore c = core();
        InetAddress other = InetAddress.getByAddress(new byte[]{ 127, 0, 0, 2 });
        int queued = 0;
        for (int i = 0; i < 3000; i++) {
            queued += c.offer(whole(0, 1), A, 0) == Verdict.QUEUED ? 1 : 0;
        }
        assertThat(queued).isEqualTo(SenderCore.REQUESTS_PER_SOURCE);
        assertThat(c.count(Verdict.RATE_LIMITED)).isEqualTo(1000);
        assertThat(c.offer(whole(0, 2), other, 0)).as("another source has its own bucket").isEqualTo(Verdict.QUEUED);
        assertThat(c.offer(whole(0, 1), A, 1_000_000L)).as("2 per ms refill").isEqualTo(Verdict.QUEUED);
        assertThat(c.offer(whole(0, 1), A, 1_000_000L)).isEqualTo(Verdict.QUEUED);
        assertThat(c.offer(whole(0, 1), A, 1_000_000L)).isEqualTo(Verdict.RATE_LIMITED);
        assertThat(drain(c)).as("the flood still sends each block once").hasSize(4);
    }

    @Test
    public void firstAsksAreNotLossRepairsAre() {
        SenderCore c = core();
        long start = c.rate();
        for (long chunk : new long[]{ 0, 2, 3 }) {
            c.offer(whole(chunk, 1), A, 0);
        }
        drain(c);
        assertThat(c.endWindow()).as("first requests are demand, not loss: but nothing waits").isEqualTo(start);
        c.offer(blocks(0, 2, 0, 0, 1, 2), A, 0);
        c.next();
        c.next();
        assertThat(c.endWindow()).as("member 2 lost 3 of chunk 0's 4 blocks").isEqualTo(start * 3 / 4);
    }

    @Test
    public void aWholeChunkAskedAgainRightAfterItWentOutCountsAsLoss() {
        SenderCore c = core();
        long start = c.rate();
        c.offer(whole(0, 1), A, 0);
        drain(c);
        assertThat(c.endWindow()).isEqualTo(start);
        // Member 2 lost all 4 blocks of chunk 0 (overrun, or evicted it): not a first ask.
        c.offer(whole(0, 2), A, 0);
        c.offer(whole(3, 1), A, 0);
        c.next();
        assertThat(c.endWindow()).as("member 2 asked 4 blocks again of 1 sent: overrun, halved").isEqualTo(start / 2);
    }

    @Test
    public void aWholeChunkAskedWhileItIsBeingSentAddsOnlyTheBlocksNotYetPassedAndIsNotLoss() {
        SenderCore c = core();
        long start = c.rate();
        c.offer(whole(0, 1), A, 0);
        c.next();
        c.next();
        // Member 2's first ask crossed blocks 0 and 1 on their way: it hears blocks 2 and 3 of this pass.
        c.offer(whole(0, 2), A, 0);
        assertThat(c.endWindow()).as("no loss").isEqualTo((long) (start * RateControl.START_GROWTH));
        assertThat(drain(c)).containsExactly("0:2", "0:3");
        assertThat(c.figures()).contains("blocks.again=0", "blocksAlreadyQueued=4", "wholeAgainSoon=0");
    }

    @Test
    public void statusCarriesTheRateTheChunkBeingSentAndTheQueue() {
        SenderCore c = core();
        Packet.Status s = c.status();
        assertThat(s.sessionId()).isEqualTo(SESSION);
        assertThat(s.image()).isEqualTo(IMAGE);
        assertThat(s.chunk()).as("nothing sent yet").isZero();
        assertThat(s.rate()).isEqualTo(RateControl.START);
        assertThat(s.queued()).isZero();
        assertThat(s.chunkCount()).isEqualTo(4);
        c.offer(whole(2, 1), A, 0);
        c.offer(whole(3, 1), A, 0);
        c.offer(whole(0, 1), A, 0);
        c.next();
        c.next();
        assertThat(c.status()).isEqualTo(new Packet.Status(SESSION, IMAGE, 0, RateControl.START, 3, 4));
        c.next();
        c.next();
        c.next();
        assertThat(c.status()).as("chunk 0's four blocks went, chunk 2's first")
                .isEqualTo(new Packet.Status(SESSION, IMAGE, 2, RateControl.START, 2, 4));
    }

    @Test
    public void aSessionNeedsAnIdABlockSizeInRangeAndAChunk() {
        assertThatThrownBy(() -> new SenderCore(0, IMAGE, BLOCK, STORED, RateControl.DEFAULT_MAX))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SenderCore(SESSION, IMAGE, 511, STORED, RateControl.DEFAULT_MAX))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SenderCore(SESSION, IMAGE, BLOCK, new int[0], RateControl.DEFAULT_MAX))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
