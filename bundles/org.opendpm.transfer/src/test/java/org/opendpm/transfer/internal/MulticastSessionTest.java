package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.multicast.MemberDroppedException;
import org.opendpm.api.multicast.MulticastOptions;
import org.opendpm.api.multicast.MulticastSession;
import org.opendpm.transfer.internal.multicast.TestImage;

/**
 * Multicast restore sessions over the agent link (IMG-3, docs/multicast.md): the real agent ({@code
 * org.opendpm.agent.Main} in its own JVM, a file standing in for its disk) and the {@link TestAgent} peer, with the
 * session's group on the loopback interface.
 */
public class MulticastSessionTest {

    private static final int CHUNKS = 48;
    /** The rejoin's image: some 10 MB of random chunks, 10 s at the slowest rate. */
    private static final int LONG_CHUNKS = 480;

    private LinkFixture f;
    private Path folder;
    private TestImage image;
    private int chunks = CHUNKS;
    private final List<Process> agents = new ArrayList<>();
    private final List<TestAgent> peers = new ArrayList<>();

    @Before
    public void start() throws Exception {
        folder = Files.createTempDirectory("multicast-session");
    }

    private void link(long maxRate) throws IOException {
        link(maxRate, CHUNKS);
    }

    private void link(long maxRate, int imageChunks) throws IOException {
        link(maxRate, imageChunks, "lo");
    }

    private void link(long maxRate, int imageChunks, String multicastInterface) throws IOException {
        chunks = imageChunks;
        image = TestImage.write(folder.resolve("image.odpm"), chunks);
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        // A group range of its own per run, so parallel builds on one host do not share sessions' addresses.
        String pool = "239.255." + (100 + new Random().nextInt(100)) + ".0/24";
        f = new LinkFixture(
                Map.of("multicastGroupPool", pool, "multicastPort", port, "multicastInterface", multicastInterface,
                        "multicastMaxRate", maxRate));
    }

    @After
    public void stop() throws Exception {
        for (Process p : agents) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        peers.forEach(TestAgent::close);
        if (f != null) {
            f.close();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Starts a real agent with {@code disk} as its disk 1; with {@code machine} null a new machine for it. */
    private Machine startAgent(String name, Machine machine, Path disk) throws Exception {
        String mac = LinkFixture.mac(name.hashCode() & 0xfff);
        Machine m = machine != null ? machine : f.machine(name, mac);
        Path state = folder.resolve(name);
        Files.createDirectories(state);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        agents.add(new ProcessBuilder(java, "-Xmx96m", "-cp", System.getProperty("java.class.path"),
                "org.opendpm.agent.Main", "--server", "127.0.0.1:" + f.address().getPort(), "--server-fingerprint",
                f.fingerprint(), "--state", state.toString(), "--mac", m.primaryMac(), "--name", name, "--test-disk",
                disk.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        state
                                .resolve("agent.log").toFile()))
                .start());
        LinkFixture.await("agent " + name + " connected (log: " + state.resolve("agent.log") + ")",
                Duration.ofSeconds(30), () -> f.link.agent(m.id()).isPresent());
        return m;
    }

    private Path disk(String name) throws IOException {
        Path d = folder.resolve(name + ".img");
        byte[] old = new byte[image.source().length];
        Arrays.fill(old, (byte) 0x5a);
        Files.write(d, old);
        return d;
    }

    private List<ImageDisk> disks() {
        return List.of(new ImageDisk(1, (long) chunks * TestImage.CHUNK, 512));
    }

    private MulticastSession open(Duration dropBound) throws IOException {
        return f.link.open(image.file(), new MulticastOptions(dropBound));
    }

    /** Bytes of the image that are not holes: what a member writes from DATA. */
    private long dataBytes() {
        long n = 0;
        for (int c = 0; c < chunks; c++) {
            n += c % 3 == 0 ? 0 : TestImage.CHUNK;
        }
        return n;
    }

    @Test
    public void twoAgentsRestoreAnImageFromOneGroupByteExact_IMG3() throws Exception {
        link(120_000_000L);
        Path d1 = disk("a1");
        Path d2 = disk("a2");
        Machine m1 = startAgent("a1", null, d1);
        Machine m2 = startAgent("a2", null, d2);
        try (MulticastSession s = open(Duration.ofSeconds(60))) {
            assertThat(s.id()).isPositive();
            assertThat(s.group().getAddress().isMulticastAddress()).isTrue();
            AtomicLong heard = new AtomicLong();
            CompletableFuture<ImageWriteResult> r1 = s.join(m1.id(), disks(), true, (c, b) -> heard.set(c))
                    .toCompletableFuture();
            CompletableFuture<ImageWriteResult> r2 = s.join(m2.id(), disks(), true, (c, b) -> {
            }).toCompletableFuture();
            for (CompletableFuture<ImageWriteResult> r : List.of(r1, r2)) {
                ImageWriteResult w = r.get(60, TimeUnit.SECONDS);
                assertThat(w.chunks()).isEqualTo(CHUNKS);
                assertThat(w.compared()).isTrue();
                assertThat(w.mismatches()).isEmpty();
                assertThat(w.bytesWritten()).isEqualTo(dataBytes());
            }
            assertThat(heard.get()).isEqualTo(CHUNKS);
            assertThat(Files.readAllBytes(d1)).isEqualTo(image.source());
            assertThat(Files.readAllBytes(d2)).isEqualTo(image.source());
            assertThat(s.figures().bytesSent()).isPositive();
            assertThat(s.figures().chunksServed()).isPositive();
        }
    }

    @Test
    public void unconfiguredASessionSendsOnTheInterfaceOfTheDeployOsLinks() throws Exception {
        link(120_000_000L, CHUNKS, "");
        String mac = LinkFixture.mac(0x5d5);
        f.machine("dos", mac);
        f.deployOs.issue("token-" + mac, mac, 95);
        String lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress()).getName();
        try (TestAgent agent = f.connect(); LogCapture log = new LogCapture()) {
            agent.send(LinkFixture.deployOsHello(mac, "token-" + mac));
            agent.expect(Message.Welcome.class);
            // Loopback is never the first usable interface: only the Deploy-OS link over 127.0.0.1 can choose it.
            try (MulticastSession s = open(Duration.ofSeconds(10))) {
                assertThat(log.lines("Multicast session " + s.id(), "opened", "via " + lo)).hasSize(1);
            }
        }
    }

    /** A peer that takes the join and its index, answers multicastJoined and then reports what it is told to. */
    private TestAgent joinedPeer(Machine m, CompletableFuture<Message.MulticastJoin> joined) throws Exception {
        TestAgent a = f.authenticatedAgent(m.primaryMac(), m.name());
        peers.add(a);
        Message.MulticastJoin j = a.expect(Message.MulticastJoin.class);
        long index = 0;
        while (index < j.chunks() * 72) {
            Frame fr = a.readFrame();
            if (fr instanceof Frame.Data d) {
                assertThat(d.transferId()).isEqualTo(j.transferId());
                index += d.chunk().remaining();
            }
        }
        assertThat(index).isEqualTo(j.chunks() * 72);
        a.send(new Message.MulticastJoined(j.id()));
        joined.complete(j);
        return a;
    }

    @Test
    public void aMemberThatConfirmsNothingIsDroppedWhileTheOtherCompletes() throws Exception {
        link(120_000_000L);
        Path d1 = disk("b1");
        Machine m1 = startAgent("b1", null, d1);
        Machine silent = f.machine("silent", LinkFixture.mac(0x777));
        try (MulticastSession s = open(Duration.ofSeconds(10))) {
            CompletableFuture<Message.MulticastJoin> joined = new CompletableFuture<>();
            CompletableFuture<TestAgent> peer = CompletableFuture.supplyAsync(() -> {
                try {
                    return joinedPeer(silent, joined);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            LinkFixture.await("the silent agent connected", Duration.ofSeconds(20), () -> f.link.agent(silent.id())
                    .isPresent());
            CompletableFuture<ImageWriteResult> quiet = s.join(silent.id(), disks(), true, (c, b) -> {
            }).toCompletableFuture();
            CompletableFuture<ImageWriteResult> good = s.join(m1.id(), disks(), true, (c, b) -> {
            }).toCompletableFuture();
            Message.MulticastJoin j = joined.get(20, TimeUnit.SECONDS);
            assertThat(j.member()).isEqualTo(1);
            assertThat(j.confirmed()).isEmpty();
            assertThat(good.get(30, TimeUnit.SECONDS).mismatches()).isEmpty();
            assertThat(Files.readAllBytes(d1)).isEqualTo(image.source());
            assertThatThrownBy(() -> quiet.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(MemberDroppedException.class)
                    .hasMessage("no chunk confirmed for 10 s (0 of " + CHUNKS + " chunks written)");
            Message told = peer.get(5, TimeUnit.SECONDS).read();
            assertThat(told).isEqualTo(new Message.ErrorAnswer(j.id(), Message.ErrorAnswer.DROPPED,
                    "no chunk confirmed for 10 s (0 of " + CHUNKS + " chunks written)"));
        }
    }

    @Test
    public void aRejoinAfterADisconnectFetchesOnlyWhatWasMissing() throws Exception {
        link(1_000_000L, LONG_CHUNKS); // slow enough to cut the agent off half-way
        Path d = disk("c1");
        Machine m = startAgent("c1", null, d);
        try (MulticastSession s = open(Duration.ofSeconds(60))) {
            AtomicLong heard = new AtomicLong();
            CompletableFuture<ImageWriteResult> r = s.join(m.id(), disks(), true, (c, b) -> heard.set(c))
                    .toCompletableFuture();
            LinkFixture.await("some chunks confirmed", Duration.ofSeconds(30), () -> heard.get() >= LONG_CHUNKS / 4);
            assertThat(heard.get()).isLessThan(LONG_CHUNKS);
            agents.remove(0).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            LinkFixture.await("the link lost", Duration.ofSeconds(20), () -> f.link.agent(m.id()).isEmpty());
            startAgent("c1", m, d);
            ImageWriteResult w = r.get(90, TimeUnit.SECONDS);
            assertThat(w.mismatches()).isEmpty();
            assertThat(heard.get()).isEqualTo(LONG_CHUNKS);
            assertThat(w.bytesWritten()).as("the rejoin wrote only what was missing").isLessThan(dataBytes());
            assertThat(Files.readAllBytes(d)).isEqualTo(image.source());
            assertThat(Files.readString(folder.resolve("c1").resolve("agent.log"))).contains("already confirmed");
        }
    }

    @Test
    public void progressNamingAChunkPastTheImageFailsTheMemberAndCancelsIt() throws Exception {
        link(120_000_000L);
        Machine m = f.machine("liar", LinkFixture.mac(0x778));
        try (MulticastSession s = open(Duration.ofSeconds(60))) {
            CompletableFuture<Message.MulticastJoin> joined = new CompletableFuture<>();
            CompletableFuture<TestAgent> peer = CompletableFuture.supplyAsync(() -> {
                try {
                    return joinedPeer(m, joined);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            LinkFixture.await("the agent connected", Duration.ofSeconds(20), () -> f.link.agent(m.id()).isPresent());
            CompletableFuture<ImageWriteResult> r = s.join(m.id(), disks(), true, (c, b) -> {
            }).toCompletableFuture();
            Message.MulticastJoin j = joined.get(20, TimeUnit.SECONDS);
            TestAgent a = peer.get(5, TimeUnit.SECONDS);
            a.send(new Message.MulticastProgress(j.id(), List.of(new Message.ChunkRange(0, CHUNKS)), 0));
            assertThatThrownBy(() -> r.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(AgentRequestException.class)
                    .hasMessageContaining("multicastProgress names chunk " + CHUNKS + " of an image of " + CHUNKS);
            assertThat(a.read()).isEqualTo(new Message.Cancel(j.id()));
        }
    }

    @Test
    public void malformedProgressClosesTheLinkAndCancellingAMemberSendsCancel() throws Exception {
        link(120_000_000L);
        Machine m = f.machine("bad", LinkFixture.mac(0x779));
        try (MulticastSession s = open(Duration.ofSeconds(60))) {
            CompletableFuture<Message.MulticastJoin> joined = new CompletableFuture<>();
            CompletableFuture<TestAgent> peer = CompletableFuture.supplyAsync(() -> {
                try {
                    return joinedPeer(m, joined);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            LinkFixture.await("the agent connected", Duration.ofSeconds(20), () -> f.link.agent(m.id()).isPresent());
            CompletableFuture<ImageWriteResult> r = s.join(m.id(), disks(), true, (c, b) -> {
            }).toCompletableFuture();
            Message.MulticastJoin j = joined.get(20, TimeUnit.SECONDS);
            TestAgent a = peer.get(5, TimeUnit.SECONDS);
            r.cancel(true);
            assertThat(a.read()).isEqualTo(new Message.Cancel(j.id()));
            a.sendJson("{\"type\":\"multicastProgress\",\"id\":" + j.id() + ",\"confirmed\":[[5,9],[1,2]],"
                    + "\"bytes\":0}");
            assertThat(a.awaitClose(Duration.ofSeconds(5))).contains("'multicastProgress' member 'confirmed'"
                    + " element 1 [1,2] is not a range from 10");
            assertThat(f.link.stats().closedByReason()).containsEntry("bad-member", 1L);
        }
    }

    @Test
    public void aSessionRefusesDisksThatDoNotFitTheImage() throws Exception {
        link(120_000_000L);
        try (MulticastSession s = open(Duration.ofSeconds(60))) {
            assertThatThrownBy(() -> s.join(1, List.of(new ImageDisk(1, 4096, 512)), true, (c, b) -> {
            }).toCompletableFuture().get()).cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining(
                    "less than the " + (long) CHUNKS * TestImage.CHUNK);
        }
    }
}
