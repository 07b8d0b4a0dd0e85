package org.opendpm.agent.protocol.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.Random;

import org.junit.Test;
import org.opendpm.agent.protocol.multicast.BadPacketException.Reason;

/**
 * Datagrams a decoder must refuse (docs/multicast.md, "What a decoder refuses"), each made by breaking one field of
 * a golden vector, each refused with its reason and a message naming the fault; and packets that cannot be built.
 */
public class BadPacketTest {

    /** {@code name}'s vector with {@code hex} written over it at {@code offset}. */
    private static byte[] broken(String name, int offset, String hex) throws IOException {
        byte[] b = Vectors.bytes(name);
        byte[] patch = HexFormat.of().parseHex(hex);
        System.arraycopy(patch, 0, b, offset, patch.length);
        return b;
    }

    private static void refused(byte[] datagram, Reason reason, String message) {
        BadPacketException e = catchThrowableOfType(() -> PacketCodec.decode(ByteBuffer.wrap(datagram)),
                BadPacketException.class);
        assertThat(e).as("refused with " + reason + ": " + message).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(message);
        assertThat(e.getStackTrace()).as("no stack trace: a flood of bad datagrams must be cheap").isEmpty();
    }

    @Test
    public void shortPackets() throws IOException {
        refused(new byte[0], Reason.SHORT, "datagram of 0 bytes is shorter than the 40-byte header");
        refused(Arrays.copyOf(Vectors.bytes("status"), 39), Reason.SHORT, "datagram of 39 bytes");
    }

    @Test
    public void wrongMagic() throws IOException {
        refused(broken("data", 0, "4f44504d"), Reason.MAGIC, "magic 4f44504d is not 894f444d");
        refused("OPENDPM-DISCOVER 1 and then some more bytes to pass forty".getBytes(), Reason.MAGIC, "magic");
    }

    @Test
    public void futureAndPastVersions() throws IOException {
        refused(broken("data", 4, "02"), Reason.VERSION, "version 2 is not 1");
        refused(broken("status", 4, "00"), Reason.VERSION, "version 0 is not 1");
        refused(broken("request", 4, "ff"), Reason.VERSION, "version 255 is not 1");
    }

    @Test
    public void unknownTypes() throws IOException {
        refused(broken("data", 5, "00"), Reason.TYPE, "packet type 0 is unknown");
        refused(broken("data", 5, "04"), Reason.TYPE, "packet type 4 is unknown");
        refused(broken("status", 5, "ff"), Reason.TYPE, "packet type 255 is unknown");
    }

    @Test
    public void bodyLengthDisagreeingWithTheDatagram() throws IOException {
        refused(broken("data", 6, "0014"), Reason.LENGTH, "body length 20 disagrees with the 19 bytes after");
        refused(broken("data", 6, "ffff"), Reason.LENGTH, "body length 65535 disagrees");
        byte[] longer = Arrays.copyOf(Vectors.bytes("status"), 61);
        refused(longer, Reason.LENGTH, "body length 20 disagrees with the 21 bytes after the header");
        byte[] truncated = Arrays.copyOf(Vectors.bytes("request"), 56);
        refused(truncated, Reason.LENGTH, "body length 17 disagrees with the 16 bytes");
    }

    @Test
    public void dataWhoseBlockLengthDisagreesWithItsChunk() throws IOException {
        // Block 0 of a 1409-byte chunk holds 1400 bytes, not 9.
        refused(broken("data", 46, "00000000"), Reason.LENGTH,
                "DATA block 0 of a 1409-byte chunk in 1400-byte blocks holds 9 bytes, not 1400");
        // The last block one byte short, with a body length that agrees with the datagram.
        byte[] d = Arrays.copyOf(Vectors.bytes("data"), 58);
        d[7] = 18;
        refused(d, Reason.LENGTH, "holds 8 bytes, not 9");
        byte[] fields = Arrays.copyOf(Vectors.bytes("data"), 49);
        fields[7] = 9;
        refused(fields, Reason.LENGTH, "DATA body of 9 bytes is shorter than its 10 bytes of fields");
    }

    @Test
    public void blockIndexPastTheChunk() throws IOException {
        refused(broken("data", 46, "00000002"), Reason.FIELD,
                "block index 2 is past the 2 blocks of a 1409-byte chunk");
        refused(broken("data", 46, "ffffffff"), Reason.FIELD, "block index 4294967295 is past the 2 blocks");
    }

    @Test
    public void dataFieldsOutOfRange() throws IOException {
        refused(broken("data", 40, "00000000"), Reason.FIELD, "stored length 0 is outside 1..67371008");
        refused(broken("data", 40, "04040001"), Reason.FIELD, "stored length 67371009 is outside 1..67371008");
        refused(broken("data", 40, "ffffffff"), Reason.FIELD, "stored length 4294967295 is outside");
        refused(broken("data", 44, "01ff"), Reason.FIELD, "block size 511 is outside 512..8192");
        refused(broken("data", 44, "2001"), Reason.FIELD, "block size 8193 is outside 512..8192");
        refused(broken("data", 44, "0000"), Reason.FIELD, "block size 0 is outside");
    }

    @Test
    public void headerFieldsOutOfRange() throws IOException {
        refused(broken("data", 8, "0000000000000000"), Reason.FIELD, "session id 0 is outside 1..2^63-1");
        refused(broken("status", 8, "8000000000000000"), Reason.FIELD,
                "session id 9223372036854775808 is outside 1..2^63-1");
        refused(broken("request", 32, "ffffffffffffffff"), Reason.FIELD,
                "chunk index 18446744073709551615 is outside 0..2^63-1");
    }

    @Test
    public void bitmapLongerThanTheChunksBlockCount() throws IOException {
        // 749 blocks: 744 + 6 bits reach block 749, one past the last.
        byte[] b = broken("request", 54, "0006");
        refused(b, Reason.FIELD, "bitmap of blocks 744..749 reaches past the 749 blocks of a 1048576-byte chunk");
        refused(broken("request", 50, "000002ed"), Reason.FIELD, "bitmap of blocks 749..753 reaches past the 749");
        refused(broken("request", 50, "ffffffff"), Reason.FIELD, "reaches past the 749 blocks");
    }

    @Test
    public void requestBitmapFaults() throws IOException {
        refused(broken("request", 56, "00"), Reason.FIELD, "bitmap of 5 bits has no block missing");
        refused(broken("request", 56, "a9"), Reason.FIELD, "bitmap has bit 7 set, past its 5 bits");
        refused(broken("request", 56, "ac"), Reason.FIELD, "bitmap has bit 5 set, past its 5 bits");
        // 9 bits need 2 bytes; the vector carries 1.
        refused(broken("request", 50, "000002e0" + "0009"), Reason.LENGTH,
                "REQUEST of 9 bits carries 1 bitmap bytes, not 2");
        refused(broken("request", 54, "2001"), Reason.FIELD, "bit count 8193 is outside 0..8192");
        byte[] fields = Arrays.copyOf(Vectors.bytes("request-whole"), 55);
        fields[7] = 15;
        refused(fields, Reason.LENGTH, "REQUEST body of 15 bytes is shorter than its 16 bytes of fields");
    }

    @Test
    public void wholeChunkRequestFaults() throws IOException {
        refused(broken("request-whole", 50, "00000001"), Reason.FIELD,
                "a whole-chunk request names first block 1, not 0");
        byte[] withBitmap = Arrays.copyOf(Vectors.bytes("request-whole"), 57);
        withBitmap[7] = 17;
        refused(withBitmap, Reason.LENGTH, "REQUEST of 0 bits carries 1 bitmap bytes, not 0");
        refused(broken("request-whole", 46, "00000000"), Reason.FIELD, "member 0 is outside 1..4294967295");
    }

    @Test
    public void statusFaults() throws IOException {
        refused(broken("status", 52, "0000000000000000"), Reason.FIELD, "chunk count 0 is outside 1..2^63-1");
        refused(broken("status", 52, "0000000000000011"), Reason.FIELD,
                "chunk index 17 is not below the chunk count 17");
        refused(broken("status", 40, "8000000000000000"), Reason.FIELD, "rate 9223372036854775808 is outside");
        byte[] shorter = Arrays.copyOf(Vectors.bytes("status"), 59);
        shorter[7] = 19;
        refused(shorter, Reason.LENGTH, "STATUS body of 19 bytes is not 20 bytes");
    }

    /** Whatever arrives, decoding answers a packet or a BadPacketException: nothing that could end a channel. */
    @Test
    public void mangledDatagramsNeverThrowAnythingElse() throws IOException {
        Random random = new Random(26530);
        int decoded = 0;
        int refused = 0;
        for (String name : Vectors.expected().keySet()) {
            byte[] good = Vectors.bytes(name);
            for (int round = 0; round < 20_000; round++) {
                byte[] b = Arrays.copyOf(good, random.nextInt(good.length + 8));
                for (int flips = 1 + random.nextInt(3); flips > 0 && b.length > 0; flips--) {
                    // Mostly the header and fields, where the bounds are.
                    b[random.nextInt(Math.min(b.length, 60))] = (byte) random.nextInt(256);
                }
                try {
                    PacketCodec.decode(ByteBuffer.wrap(b));
                    decoded++;
                } catch (BadPacketException e) {
                    refused++;
                }
            }
        }
        assertThat(refused).isGreaterThan(decoded).isGreaterThan(0);
    }

    @Test
    public void packetsOutOfRangeCannotBeBuilt() {
        ByteBuffer nine = ByteBuffer.allocate(9);
        assertThatThrownBy(() -> new Packet.Data(0, Vectors.IMAGE, 0, 1409, 1400, 1, nine))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("session id 0");
        assertThatThrownBy(() -> new Packet.Data(1, Vectors.IMAGE, 0, 1409, 1400, 2, nine))
                .hasMessageContaining("block index 2 is past the 2 blocks");
        assertThatThrownBy(() -> new Packet.Data(1, Vectors.IMAGE, 0, 1409, 1400, 0, nine))
                .hasMessageContaining("block 0 of a 1409-byte chunk holds 1400 bytes, not 9");
        assertThatThrownBy(() -> new Packet.Data(1, Vectors.IMAGE, -1, 1409, 1400, 1, nine))
                .hasMessageContaining("chunk index");
        BitSet none = new BitSet();
        assertThatThrownBy(() -> new Packet.Request(1, Vectors.IMAGE, 0, 1409, 1400, 1, 0, 2, none))
                .hasMessageContaining("has no block missing");
        BitSet past = new BitSet();
        past.set(2);
        assertThatThrownBy(() -> new Packet.Request(1, Vectors.IMAGE, 0, 1409, 1400, 1, 0, 2, past))
                .hasMessageContaining("bitmap has bit 2 set, past its 2 bits");
        assertThatThrownBy(() -> new Packet.Request(1, Vectors.IMAGE, 0, 1409, 1400, 1, 1, 2, past))
                .hasMessageContaining("reaches past the 2 blocks");
        assertThatThrownBy(() -> Packet.Request.whole(1, Vectors.IMAGE, 0, 1409, 1400, 1L << 32))
                .hasMessageContaining("member 4294967296");
        assertThatThrownBy(() -> new Packet.Status(1, Vectors.IMAGE, 5, 0, 0, 5))
                .hasMessageContaining("chunk index 5 is not below the chunk count 5");
        assertThatThrownBy(() -> new Packet.Status(1, Vectors.IMAGE, 0, 0, -1, 5))
                .hasMessageContaining("queued -1");
    }
}
