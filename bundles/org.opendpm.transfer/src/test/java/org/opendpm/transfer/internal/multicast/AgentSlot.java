package org.opendpm.transfer.internal.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.UUID;

import org.opendpm.agent.multicast.ChunkAssembler;
import org.opendpm.agent.shaded.image.ChunkEntry;
import org.opendpm.agent.shaded.image.ImageReader;
import org.opendpm.agent.shaded.protocol.multicast.BadPacketException;
import org.opendpm.agent.shaded.protocol.multicast.Packet;
import org.opendpm.agent.shaded.protocol.multicast.PacketCodec;

/**
 * A receiver's side for the sender's tests, built only of what the agent jar ships (its shaded copies of the image
 * reader and the packet codec, and its {@link ChunkAssembler}), so the sender is held against the agent's own code:
 * asks for a chunk with the slot's REQUESTs, again when nothing comes for the socket's timeout, and assembles and
 * checks it.
 */
final class AgentSlot implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress sender;
    private final ImageReader index;
    private final ChunkAssembler slot;
    private final long member;

    AgentSlot(DatagramSocket socket, InetSocketAddress sender, Path image, long sessionId, int blockSize,
            long member) throws IOException {
        this.socket = socket;
        this.sender = sender;
        this.index = ImageReader.open(image);
        UUID id = index.header().imageId();
        this.slot = new ChunkAssembler(sessionId, id, blockSize, index.header().chunkSize());
        this.member = member;
    }

    /**
     * Assembles {@code chunk}, ignoring once each DATA block in {@code drop} (cleared as they pass, so a test sees
     * they came again), and returns its checked uncompressed bytes.
     */
    byte[] assemble(long chunk, BitSet drop) throws IOException, BadPacketException {
        ChunkEntry e = index.entry(chunk);
        slot.begin(e);
        ask();
        long deadline = System.nanoTime() + 10_000_000_000L;
        byte[] buf = new byte[PacketCodec.MAX_DATAGRAM];
        while (true) {
            assertThat(System.nanoTime()).as("chunk %d arrives", chunk).isLessThan(deadline);
            DatagramPacket d = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(d);
            } catch (SocketTimeoutException timeout) {
                ask();
                continue;
            }
            if (!(PacketCodec.decode(ByteBuffer.wrap(buf, 0, d.getLength())) instanceof Packet.Data data)) {
                continue;
            }
            if (data.chunk() == chunk && drop.get(data.block())) {
                drop.clear(data.block());
                continue;
            }
            if (slot.offer(data) == ChunkAssembler.Offer.COMPLETE) {
                break;
            }
        }
        ByteBuffer dst = ByteBuffer.allocateDirect(index.header().chunkSize());
        assertThat(slot.check(dst)).as("chunk %d checks", chunk).isNull();
        byte[] plain = new byte[e.length()];
        dst.get(0, plain);
        return plain;
    }

    private void ask() throws IOException {
        for (Packet.Request r : slot.requests(member)) {
            byte[] b = PacketCodec.encode(r);
            socket.send(new DatagramPacket(b, b.length, sender));
        }
    }

    @Override
    public void close() throws IOException {
        index.close();
    }
}
