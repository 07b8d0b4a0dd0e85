package org.opendpm.agent.protocol.multicast;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.UUID;

import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.MessageCodec;
import org.opendpm.agent.protocol.multicast.BadPacketException.Reason;

/**
 * Encodes and strictly decodes the datagrams of docs/multicast.md. Decoding checks every length, count and index
 * against the datagram and its bounds before anything is built from it, allocates nothing sized by a field beyond a
 * bitmap of at most {@link #MAX_BITS} bits, and answers anything wrong with a {@link BadPacketException} naming why.
 * Stateless and thread-safe.
 */
public final class PacketCodec {

    /** "\x89ODM": the high first byte keeps text protocols off it, as the image format's magic does. */
    public static final int MAGIC = 0x894F444D;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 40;
    public static final int TYPE_DATA = 1;
    public static final int TYPE_REQUEST = 2;
    public static final int TYPE_STATUS = 3;
    /** DATA's fields before the block's bytes. */
    public static final int DATA_FIELDS = 10;
    /** REQUEST's fields before the bitmap. */
    public static final int REQUEST_FIELDS = 16;
    public static final int STATUS_BODY = 20;
    public static final int MIN_BLOCK_SIZE = 512;
    public static final int MAX_BLOCK_SIZE = 8192;
    /** 40 + 10 + 1400 = 1450-byte datagrams: inside a 1500-byte MTU over IPv4 and IPv6, never fragmented. */
    public static final int DEFAULT_BLOCK_SIZE = 1400;
    /** The most blocks one REQUEST's bitmap covers (1024 bytes). */
    public static final int MAX_BITS = 8192;
    /** The largest stored chunk: zstd's bound for the largest chunk size. */
    public static final int MAX_STORED = (int) MessageCodec.storedBound(Message.MAX_CHUNK_SIZE);
    /** The largest datagram of version 1: a DATA packet of the largest block. */
    public static final int MAX_DATAGRAM = HEADER_BYTES + DATA_FIELDS + MAX_BLOCK_SIZE;

    private static final long U32 = 0xFFFF_FFFFL;

    private PacketCodec() {
    }

    /** How many blocks a chunk of {@code storedLength} stored bytes has. */
    public static int blockCount(int storedLength, int blockSize) {
        return (int) ((storedLength + (long) blockSize - 1) / blockSize);
    }

    /** How many bytes block {@code block} of the chunk holds: the block size, less for the last block. */
    public static int blockLength(int storedLength, int blockSize, int block) {
        return (int) Math.min(blockSize, storedLength - (long) block * blockSize);
    }

    /** The datagram's size for {@code p}. */
    public static int size(Packet p) {
        if (p instanceof Packet.Data d) {
            return HEADER_BYTES + DATA_FIELDS + d.bytes().remaining();
        }
        if (p instanceof Packet.Request r) {
            return HEADER_BYTES + REQUEST_FIELDS + bitmapBytes(r.bitCount());
        }
        return HEADER_BYTES + STATUS_BODY;
    }

    /**
     * Writes {@code p} at {@code out}'s position and moves it past the datagram.
     *
     * @return the datagram's size
     * @throws BufferOverflowException if {@code out} has less room than {@link #size}
     */
    public static int encode(Packet p, ByteBuffer out) {
        int size = size(p);
        if (out.remaining() < size) {
            throw new BufferOverflowException();
        }
        int type = p instanceof Packet.Data ? TYPE_DATA : p instanceof Packet.Request ? TYPE_REQUEST : TYPE_STATUS;
        out.putInt(MAGIC).put((byte) VERSION).put((byte) type).putShort((short) (size - HEADER_BYTES));
        out.putLong(p.sessionId()).putLong(p.image().getMostSignificantBits());
        out.putLong(p.image().getLeastSignificantBits()).putLong(p.chunk());
        if (p instanceof Packet.Data d) {
            out.putInt(d.storedLength()).putShort((short) d.blockSize()).putInt(d.block());
            out.put(d.bytes().duplicate());
        } else if (p instanceof Packet.Request r) {
            out.putInt(r.storedLength()).putShort((short) r.blockSize()).putInt((int) r.member());
            out.putInt(r.firstBlock()).putShort((short) r.bitCount());
            byte[] bitmap = new byte[bitmapBytes(r.bitCount())];
            BitSet missing = r.missing();
            for (int k = missing.nextSetBit(0); k >= 0; k = missing.nextSetBit(k + 1)) {
                bitmap[k >>> 3] |= (byte) (0x80 >>> (k & 7));
            }
            out.put(bitmap);
        } else {
            Packet.Status s = (Packet.Status) p;
            out.putLong(s.rate()).putInt((int) s.queued()).putLong(s.chunkCount());
        }
        return size;
    }

    /** {@code p} as a new array, for tests and the rare packet off the hot path. */
    public static byte[] encode(Packet p) {
        ByteBuffer b = ByteBuffer.allocate(size(p));
        encode(p, b);
        return b.array();
    }

    /**
     * Reads the datagram between {@code datagram}'s position and limit; neither is moved. A DATA packet's bytes are a
     * read-only view of {@code datagram}, valid while it is.
     */
    public static Packet decode(ByteBuffer datagram) throws BadPacketException {
        int at = datagram.position();
        int length = datagram.remaining();
        if (length < HEADER_BYTES) {
            throw new BadPacketException(Reason.SHORT,
                    "datagram of " + length + " bytes is shorter than the " + HEADER_BYTES + "-byte header");
        }
        int magic = datagram.getInt(at);
        if (magic != MAGIC) {
            throw new BadPacketException(Reason.MAGIC, String.format("magic %08x is not %08x", magic, MAGIC));
        }
        int version = datagram.get(at + 4) & 0xFF;
        if (version != VERSION) {
            throw new BadPacketException(Reason.VERSION, "version " + version + " is not " + VERSION);
        }
        int type = datagram.get(at + 5) & 0xFF;
        if (type < TYPE_DATA || type > TYPE_STATUS) {
            throw new BadPacketException(Reason.TYPE, "packet type " + type + " is unknown");
        }
        int body = datagram.getShort(at + 6) & 0xFFFF;
        if (body != length - HEADER_BYTES) {
            throw new BadPacketException(Reason.LENGTH, "body length " + body + " disagrees with the "
                    + (length - HEADER_BYTES) + " bytes after the header");
        }
        long session = datagram.getLong(at + 8);
        UUID image = new UUID(datagram.getLong(at + 16), datagram.getLong(at + 24));
        long chunk = datagram.getLong(at + 32);
        fault(headerFault(session, chunk));
        int b = at + HEADER_BYTES;
        return switch (type) {
        case TYPE_DATA -> data(datagram, b, body, session, image, chunk);
        case TYPE_REQUEST -> request(datagram, b, body, session, image, chunk);
        default -> status(datagram, b, body, session, image, chunk);
        };
    }

    private static Packet.Data data(ByteBuffer d, int b, int body, long session, UUID image, long chunk)
            throws BadPacketException {
        requireFields("DATA", body, DATA_FIELDS);
        long stored = d.getInt(b) & U32;
        int blockSize = d.getShort(b + 4) & 0xFFFF;
        long block = d.getInt(b + 6) & U32;
        fault(dataFault(stored, blockSize, block));
        int n = blockLength((int) stored, blockSize, (int) block);
        if (body != DATA_FIELDS + n) {
            throw new BadPacketException(Reason.LENGTH, "DATA block " + block + " of a " + stored + "-byte chunk in "
                    + blockSize + "-byte blocks holds " + (body - DATA_FIELDS) + " bytes, not " + n);
        }
        ByteBuffer bytes = d.slice(b + DATA_FIELDS, n).asReadOnlyBuffer();
        return new Packet.Data(session, image, chunk, (int) stored, blockSize, (int) block, bytes);
    }

    private static Packet.Request request(ByteBuffer d, int b, int body, long session, UUID image, long chunk)
            throws BadPacketException {
        requireFields("REQUEST", body, REQUEST_FIELDS);
        long stored = d.getInt(b) & U32;
        int blockSize = d.getShort(b + 4) & 0xFFFF;
        long member = d.getInt(b + 6) & U32;
        long first = d.getInt(b + 10) & U32;
        int bits = d.getShort(b + 14) & 0xFFFF;
        fault(requestFault(stored, blockSize, member, first, bits));
        if (body != REQUEST_FIELDS + bitmapBytes(bits)) {
            throw new BadPacketException(Reason.LENGTH, "REQUEST of " + bits + " bits carries "
                    + (body - REQUEST_FIELDS) + " bitmap bytes, not " + bitmapBytes(bits));
        }
        BitSet missing = new BitSet(bits);
        for (int k = 0; k < bitmapBytes(bits) * 8; k++) {
            if ((d.get(b + REQUEST_FIELDS + (k >>> 3)) & (0x80 >>> (k & 7))) != 0) {
                missing.set(k);
            }
        }
        fault(bitmapFault(missing, bits));
        return new Packet.Request(session, image, chunk, (int) stored, blockSize, member, (int) first, bits, missing);
    }

    private static Packet.Status status(ByteBuffer d, int b, int body, long session, UUID image, long chunk)
            throws BadPacketException {
        if (body != STATUS_BODY) {
            throw new BadPacketException(Reason.LENGTH,
                    "STATUS body of " + body + " bytes is not " + STATUS_BODY + " bytes");
        }
        long rate = d.getLong(b);
        long queued = d.getInt(b + 8) & U32;
        long chunkCount = d.getLong(b + 12);
        fault(statusFault(chunk, rate, queued, chunkCount));
        return new Packet.Status(session, image, chunk, rate, queued, chunkCount);
    }

    private static void requireFields(String type, int body, int fields) throws BadPacketException {
        if (body < fields) {
            throw new BadPacketException(Reason.LENGTH,
                    type + " body of " + body + " bytes is shorter than its " + fields + " bytes of fields");
        }
    }

    private static int bitmapBytes(int bits) {
        return (bits + 7) >>> 3;
    }

    private static void fault(String fault) throws BadPacketException {
        if (fault != null) {
            throw new BadPacketException(Reason.FIELD, fault);
        }
    }

    static void require(String fault) {
        if (fault != null) {
            throw new IllegalArgumentException(fault);
        }
    }

    // The rules below are the one statement of each bound: decoding and the packets' constructors both use them.

    static String headerFault(long session, long chunk) {
        if (session <= 0) {
            return "session id " + Long.toUnsignedString(session) + " is outside 1..2^63-1";
        }
        if (chunk < 0) {
            return "chunk index " + Long.toUnsignedString(chunk) + " is outside 0..2^63-1";
        }
        return null;
    }

    private static String chunkFault(long stored, int blockSize) {
        if (stored < 1 || stored > MAX_STORED) {
            return "stored length " + stored + " is outside 1.." + MAX_STORED;
        }
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
            return "block size " + blockSize + " is outside " + MIN_BLOCK_SIZE + ".." + MAX_BLOCK_SIZE;
        }
        return null;
    }

    static String dataFault(long stored, int blockSize, long block) {
        String fault = chunkFault(stored, blockSize);
        if (fault == null && (block < 0 || block >= blockCount((int) stored, blockSize))) {
            fault = "block index " + block + " is past the " + blockCount((int) stored, blockSize) + " blocks of a "
                    + stored + "-byte chunk";
        }
        return fault;
    }

    static String requestFault(long stored, int blockSize, long member, long first, int bits) {
        String fault = chunkFault(stored, blockSize);
        if (fault != null) {
            return fault;
        }
        if (member < 1 || member > U32) {
            return "member " + member + " is outside 1..4294967295";
        }
        int blocks = blockCount((int) stored, blockSize);
        if (bits == 0) {
            return first == 0 ? null : "a whole-chunk request names first block " + first + ", not 0";
        }
        if (bits < 0 || bits > MAX_BITS) {
            return "bit count " + bits + " is outside 0.." + MAX_BITS;
        }
        if (first < 0 || first + bits > blocks) {
            return "bitmap of blocks " + first + ".." + (first + bits - 1) + " reaches past the " + blocks
                    + " blocks of a " + stored + "-byte chunk";
        }
        return null;
    }

    static String bitmapFault(BitSet missing, int bits) {
        if (bits == 0) {
            return missing.isEmpty() ? null : "a whole-chunk request carries a bitmap";
        }
        if (missing.isEmpty()) {
            return "bitmap of " + bits + " bits has no block missing";
        }
        if (missing.length() > bits) {
            return "bitmap has bit " + (missing.length() - 1) + " set, past its " + bits + " bits";
        }
        return null;
    }

    static String statusFault(long chunk, long rate, long queued, long chunkCount) {
        if (rate < 0) {
            return "rate " + Long.toUnsignedString(rate) + " is outside 0..2^63-1";
        }
        if (queued < 0 || queued > U32) {
            return "queued " + queued + " is outside 0..4294967295";
        }
        if (chunkCount < 1) {
            return "chunk count " + Long.toUnsignedString(chunkCount) + " is outside 1..2^63-1";
        }
        if (chunk >= chunkCount) {
            return "chunk index " + chunk + " is not below the chunk count " + chunkCount;
        }
        return null;
    }
}
