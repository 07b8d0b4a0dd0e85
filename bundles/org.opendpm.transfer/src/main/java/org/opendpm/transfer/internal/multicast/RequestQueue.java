package org.opendpm.transfer.internal.multicast;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The sender's request queue (docs/multicast.md, "Sender"): one entry per requested chunk holding the union of the
 * blocks asked for, served in chunk order from the chunk served last upwards, wrapping around (an elevator sweep), so
 * each block goes once to the group for every receiver that asked. Pure logic; not thread-safe (the sender guards it).
 */
final class RequestQueue {

    /** One block to send. */
    record Block(long chunk, int block) {
    }

    private final TreeMap<Long, BitSet> waiting = new TreeMap<>();
    /** The chunk being sent, its blocks still to go, and the first block not yet passed in this pass. */
    private long current = -1;
    private BitSet currentBlocks;
    private int cursor;

    /**
     * Adds the blocks in {@code blocks} (block indexes within the chunk) of {@code chunk}. Blocks of the chunk being
     * sent that this pass has not passed yet join it; blocks it has passed are queued anew.
     *
     * @return how many of them were not queued already
     */
    int add(long chunk, BitSet blocks) {
        if (blocks.isEmpty()) {
            return 0;
        }
        BitSet rest = blocks;
        int added = 0;
        if (chunk == current && currentBlocks != null) {
            BitSet ahead = (BitSet) blocks.clone();
            ahead.clear(0, cursor);
            added -= currentBlocks.cardinality();
            currentBlocks.or(ahead);
            added += currentBlocks.cardinality();
            rest = blocks.get(0, cursor);
            if (rest.isEmpty()) {
                return added;
            }
        }
        BitSet queued = waiting.computeIfAbsent(chunk, c -> new BitSet());
        added -= queued.cardinality();
        queued.or(rest);
        return added + queued.cardinality();
    }

    /** Whether {@code chunk} is being sent: blocks of it remain in this pass. */
    boolean sending(long chunk) {
        return chunk == current && currentBlocks != null && currentBlocks.nextSetBit(cursor) >= 0;
    }

    /**
     * Adds the blocks of {@code blocks} that the pass of the chunk being sent has not passed yet; for another chunk
     * as {@link #add}.
     *
     * @return how many of them were not queued already
     */
    int addAhead(long chunk, BitSet blocks) {
        if (chunk != current || currentBlocks == null) {
            return add(chunk, blocks);
        }
        BitSet ahead = (BitSet) blocks.clone();
        ahead.clear(0, cursor);
        return add(chunk, ahead);
    }

    /** The next block to send, or null when nothing is asked for. */
    Block poll() {
        if (currentBlocks != null) {
            int b = currentBlocks.nextSetBit(cursor);
            if (b >= 0) {
                cursor = b + 1;
                return new Block(current, b);
            }
            currentBlocks = null;
        }
        Map.Entry<Long, BitSet> next = nextEntry();
        if (next == null) {
            return null;
        }
        waiting.remove(next.getKey());
        current = next.getKey();
        currentBlocks = next.getValue();
        int b = currentBlocks.nextSetBit(0);
        cursor = b + 1;
        return new Block(current, b);
    }

    private Map.Entry<Long, BitSet> nextEntry() {
        Map.Entry<Long, BitSet> e = waiting.higherEntry(current);
        return e != null ? e : waiting.firstEntry();
    }

    /** The chunk being sent, or the last one sent; -1 before the first. */
    long currentChunk() {
        return current;
    }

    /** Chunks with blocks still to send, the one being sent included. */
    int chunksWaiting() {
        boolean sending = currentBlocks != null && currentBlocks.nextSetBit(cursor) >= 0;
        return waiting.size() + (sending && !waiting.containsKey(current) ? 1 : 0);
    }

    boolean isEmpty() {
        return chunksWaiting() == 0;
    }

    /** The chunk being sent (if blocks of it remain) and then up to {@code n} chunks in the order they will go. */
    List<Long> upcoming(int n) {
        List<Long> out = new ArrayList<>(n + 1);
        if (currentBlocks != null && currentBlocks.nextSetBit(cursor) >= 0) {
            out.add(current);
        }
        // Lazy views: only the first n keys of the sweep are looked at.
        Stream.concat(waiting.tailMap(current, false).keySet().stream(),
                waiting.headMap(current, true).keySet().stream())
                .filter(k -> !out.contains(k)).limit(n).forEach(out::add);
        return out;
    }
}
