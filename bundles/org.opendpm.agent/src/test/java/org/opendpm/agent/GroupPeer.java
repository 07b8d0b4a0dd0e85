package org.opendpm.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.BitSet;
import java.util.UUID;

import org.opendpm.agent.protocol.multicast.BadPacketException;
import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.image.ImageReader;

/**
 * A plain sender for the agent's multicast tests: joined to a group on the loopback interface, it answers each
 * REQUEST by sending the blocks asked for to the group, and sends STATUS every 250 ms (unless {@code silent}). The
 * server's real sender is tested in org.opendpm.transfer; this one only gives the agent something to receive.
 */
final class GroupPeer implements AutoCloseable {

    static final int BLOCK = 1400;

    private final DatagramChannel channel;
    private final InetSocketAddress group;
    private final ImageReader image;
    private final long sessionId;
    private final UUID imageId;
    private final boolean silent;
    private final Thread thread;
    private volatile boolean closed;

    GroupPeer(InetAddress groupAddress, ImageReader image, long sessionId, boolean silent) throws IOException {
        this.image = image;
        this.sessionId = sessionId;
        this.imageId = image.header().imageId();
        this.silent = silent;
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        channel = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
        channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
        channel.join(groupAddress, lo);
        group = new InetSocketAddress(groupAddress, ((InetSocketAddress) channel.getLocalAddress()).getPort());
        thread = new Thread(this::loop, "group-peer");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return group.getPort();
    }

    private void loop() {
        ByteBuffer buf = ByteBuffer.allocate(PacketCodec.MAX_DATAGRAM);
        long statusAt = 0;
        try {
            channel.configureBlocking(false);
            while (!closed) {
                if (!silent && System.nanoTime() - statusAt > 250_000_000L) {
                    statusAt = System.nanoTime();
                    send(new Packet.Status(sessionId, imageId, 0, 10_000_000, 0, image.chunkCount()));
                }
                if (channel.receive(buf.clear()) == null) {
                    Thread.sleep(2);
                    continue;
                }
                Packet p;
                try {
                    p = PacketCodec.decode(buf.flip());
                } catch (BadPacketException e) {
                    continue;
                }
                if (!silent && p instanceof Packet.Request r && r.sessionId() == sessionId) {
                    serve(r);
                }
            }
        } catch (IOException | InterruptedException e) {
            // closed
        }
    }

    private void serve(Packet.Request r) throws IOException {
        ByteBuffer stored = image.readStoredChunk(r.chunk());
        int blocks = PacketCodec.blockCount(r.storedLength(), BLOCK);
        BitSet want = new BitSet();
        if (r.wholeChunk()) {
            want.set(0, blocks);
        } else {
            BitSet m = r.missing();
            for (int k = m.nextSetBit(0); k >= 0; k = m.nextSetBit(k + 1)) {
                want.set(r.firstBlock() + k);
            }
        }
        for (int b = want.nextSetBit(0); b >= 0; b = want.nextSetBit(b + 1)) {
            int n = PacketCodec.blockLength(r.storedLength(), BLOCK, b);
            send(new Packet.Data(sessionId, imageId, r.chunk(), r.storedLength(), BLOCK, b, stored.slice(b * BLOCK,
                    n)));
        }
    }

    private void send(Packet p) throws IOException {
        channel.send(ByteBuffer.wrap(PacketCodec.encode(p)), group);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }
}
