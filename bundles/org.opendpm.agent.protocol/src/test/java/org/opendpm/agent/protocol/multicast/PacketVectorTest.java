package org.opendpm.agent.protocol.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.Map;

import org.junit.Test;

/**
 * Every packet type against its exact bytes in {@code src/test/resources/multicast}: decoded to the expected packet
 * and encoded back to the same bytes (docs/multicast.md, "Packets"; IMG-3).
 */
public class PacketVectorTest {

    @Test
    public void everyPacketTypeHasAVector() {
        for (Class<?> c : Packet.class.getPermittedSubclasses()) {
            assertThat(Vectors.expected().values()).as("a vector of " + c.getSimpleName()).anyMatch(c::isInstance);
        }
    }

    @Test
    public void vectorsDecodeToTheirPacketsAndEncodeToTheSameBytes() throws Exception {
        for (Map.Entry<String, Packet> e : Vectors.expected().entrySet()) {
            byte[] bytes = Vectors.bytes(e.getKey());
            assertThat(PacketCodec.decode(ByteBuffer.wrap(bytes))).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(HexFormat.of().formatHex(PacketCodec.encode(e.getValue()))).as(e.getKey())
                    .isEqualTo(HexFormat.of().formatHex(bytes));
            assertThat(PacketCodec.size(e.getValue())).as(e.getKey()).isEqualTo(bytes.length);
        }
    }

    @Test
    public void decodingReadsFromThePositionToTheLimitAndMovesNeither() throws Exception {
        byte[] data = Vectors.bytes("data");
        ByteBuffer b = ByteBuffer.allocate(data.length + 10);
        b.position(7);
        b.put(data);
        b.position(7).limit(7 + data.length);
        Packet.Data d = (Packet.Data) PacketCodec.decode(b);
        assertThat(d).isEqualTo(Vectors.expected().get("data"));
        assertThat(b.position()).isEqualTo(7);
        assertThat(b.limit()).isEqualTo(7 + data.length);
        assertThat(d.bytes().isReadOnly()).as("a view of the datagram, not a copy to write into").isTrue();
    }

    @Test
    public void encodingWritesAtThePositionAndMovesPastTheDatagram() throws Exception {
        byte[] status = Vectors.bytes("status");
        ByteBuffer out = ByteBuffer.allocate(100);
        out.position(3);
        assertThat(PacketCodec.encode(Vectors.expected().get("status"), out)).isEqualTo(status.length);
        assertThat(out.position()).isEqualTo(3 + status.length);
        byte[] written = new byte[status.length];
        out.get(3, written);
        assertThat(written).isEqualTo(status);
    }

    @Test
    public void theDefaultBlockFitsA1500ByteMtuOverIpv4AndIpv6() {
        int datagram = PacketCodec.HEADER_BYTES + PacketCodec.DATA_FIELDS + PacketCodec.DEFAULT_BLOCK_SIZE;
        assertThat(datagram).isLessThanOrEqualTo(1500 - 20 - 8).isLessThanOrEqualTo(1500 - 40 - 8);
    }

    @Test
    public void theLargestPacketsRoundTrip() throws Exception {
        int stored = PacketCodec.MAX_STORED;
        assertThat(stored).as("zstd's bound of a 64 MiB chunk").isEqualTo((64 << 20) + (1 << 18));
        int last = PacketCodec.blockCount(stored, PacketCodec.MIN_BLOCK_SIZE) - 1;
        assertThat(last + 1).isEqualTo(131_584);
        Packet.Data big = new Packet.Data(Long.MAX_VALUE, Vectors.IMAGE, Long.MAX_VALUE, stored,
                PacketCodec.MAX_BLOCK_SIZE, 0, ByteBuffer.allocate(PacketCodec.MAX_BLOCK_SIZE));
        assertThat(PacketCodec.encode(big)).hasSize(PacketCodec.MAX_DATAGRAM);
        assertThat(PacketCodec.decode(ByteBuffer.wrap(PacketCodec.encode(big)))).isEqualTo(big);
        BitSet all = new BitSet();
        all.set(0, PacketCodec.MAX_BITS);
        Packet.Request wide = new Packet.Request(1, Vectors.IMAGE, 0, stored, PacketCodec.MIN_BLOCK_SIZE,
                0xFFFF_FFFFL, last + 1 - PacketCodec.MAX_BITS, PacketCodec.MAX_BITS, all);
        byte[] bytes = PacketCodec.encode(wide);
        assertThat(bytes).hasSize(PacketCodec.HEADER_BYTES + PacketCodec.REQUEST_FIELDS + 1024);
        assertThat(PacketCodec.decode(ByteBuffer.wrap(bytes))).isEqualTo(wide);
        Packet.Status s = new Packet.Status(1, Vectors.IMAGE, Long.MAX_VALUE - 1, Long.MAX_VALUE, 0xFFFF_FFFFL,
                Long.MAX_VALUE);
        assertThat(PacketCodec.decode(ByteBuffer.wrap(PacketCodec.encode(s)))).isEqualTo(s);
    }

    @Test
    public void blockArithmetic() {
        assertThat(PacketCodec.blockCount(1, 1400)).isEqualTo(1);
        assertThat(PacketCodec.blockCount(1400, 1400)).isEqualTo(1);
        assertThat(PacketCodec.blockCount(1401, 1400)).isEqualTo(2);
        assertThat(PacketCodec.blockLength(1401, 1400, 0)).isEqualTo(1400);
        assertThat(PacketCodec.blockLength(1401, 1400, 1)).isEqualTo(1);
        assertThat(PacketCodec.blockLength(2800, 1400, 1)).isEqualTo(1400);
    }

    @Test
    public void aRequestKeepsItsOwnCopyOfTheBitmap() throws IOException {
        BitSet bits = new BitSet();
        bits.set(1);
        Packet.Request r = new Packet.Request(1, Vectors.IMAGE, 0, 1048576, 1400, 1, 0, 2, bits);
        bits.set(0);
        r.missing().set(0);
        assertThat(r.missing().cardinality()).isEqualTo(1);
        assertThat(r.wholeChunk()).isFalse();
    }
}
