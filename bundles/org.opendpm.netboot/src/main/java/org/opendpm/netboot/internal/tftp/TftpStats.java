package org.opendpm.netboot.internal.tftp;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one TFTP server, safe to read from any thread (REST, shell) while the event loops
 * update them. LongAdder because several event loops bump the same counters per packet.
 */
public final class TftpStats {

    /** Why a packet or a transfer was refused or failed. */
    public enum ErrorKind {
        /** Truncated packet, missing NUL terminator, DATA larger than the block size. */
        MALFORMED,
        /** Opcode outside 1-6. */
        UNKNOWN_OPCODE,
        /** A valid opcode where it makes no sense (DATA to the listener, OACK from a client). */
        UNEXPECTED_OPCODE,
        /** Option negotiation refused (ERROR 8). */
        BAD_OPTION,
        /** Path outside the root, WRQ while writing is off, transfer mode refused. */
        ACCESS_DENIED,
        /** The requested file does not exist (a harmless, common case: OSI-4). */
        NOT_FOUND,
        /** A packet from a host/port that is not the transfer's peer (answered with ERROR 5). */
        UNKNOWN_TID,
        /** The peer stopped answering; retries exhausted. */
        TIMEOUT,
        /**
         * A repeated request from a client whose transfer for it is still running (the client's
         * timer fired before our first packet reached it): dropped, the transfer answers it.
         */
        DUPLICATE_REQUEST,
        /** The peer sent an ERROR packet. */
        PEER_ERROR,
        /** A local I/O failure (read, write, rename, socket). */
        IO_ERROR
    }

    /** An immutable copy of the counters. */
    public record Snapshot(int inFlight, long started, long completed, long failed, long bytesSent,
            long bytesReceived, long packetsSent, long retransmissions, long cacheHits, long cacheMisses,
            Map<ErrorKind, Long> errors) {
    }

    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder started = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder packetsSent = new LongAdder();
    private final LongAdder retransmissions = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final EnumMap<ErrorKind, LongAdder> errors = new EnumMap<>(ErrorKind.class);

    public TftpStats() {
        for (ErrorKind k : ErrorKind.values()) {
            errors.put(k, new LongAdder());
        }
    }

    void transferStarted() {
        started.increment();
        inFlight.incrementAndGet();
    }

    void transferCompleted() {
        completed.increment();
        inFlight.decrementAndGet();
    }

    void transferFailed() {
        failed.increment();
        inFlight.decrementAndGet();
    }

    void error(ErrorKind kind) {
        errors.get(kind).increment();
    }

    void sent(int payloadBytes) {
        bytesSent.add(payloadBytes);
        packetsSent.increment();
    }

    void controlPacketSent() {
        packetsSent.increment();
    }

    void received(int payloadBytes) {
        bytesReceived.add(payloadBytes);
    }

    void retransmission() {
        retransmissions.increment();
    }

    void cacheHit() {
        cacheHits.increment();
    }

    void cacheMiss() {
        cacheMisses.increment();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public long errors(ErrorKind kind) {
        return errors.get(kind).sum();
    }

    public Snapshot snapshot() {
        EnumMap<ErrorKind, Long> e = new EnumMap<>(ErrorKind.class);
        errors.forEach((k, v) -> e.put(k, v.sum()));
        return new Snapshot(inFlight.get(), started.sum(), completed.sum(), failed.sum(), bytesSent.sum(),
                bytesReceived.sum(), packetsSent.sum(), retransmissions.sum(), cacheHits.sum(), cacheMisses.sum(),
                Collections.unmodifiableMap(e));
    }
}
