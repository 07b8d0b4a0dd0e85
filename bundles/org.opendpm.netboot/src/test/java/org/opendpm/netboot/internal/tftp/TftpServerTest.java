package org.opendpm.netboot.internal.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.netboot.internal.tftp.RawTftpClient.Download;
import org.opendpm.netboot.internal.tftp.RawTftpClient.Received;
import org.opendpm.netboot.internal.tftp.RawTftpClient.TftpErrorException;
import org.opendpm.netboot.internal.tftp.TftpStats.ErrorKind;

/**
 * The server over the wire, driven by a raw client on 127.0.0.1: transfers, options, bad input,
 * retransmission, roll-over, the jail, uploads (NET-1, NET-5, OSI-4).
 */
public class TftpServerTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private final List<TftpServer> servers = new ArrayList<>();
    private final List<RawTftpClient> clients = new ArrayList<>();
    private TftpServer server;
    private InetSocketAddress address;

    @Before
    public void setUp() throws Exception {
        root = tmp.newFolder("tftp").toPath();
        Files.createDirectories(root.resolve("pxelinux.cfg"));
        Files.createDirectories(root.resolve("upload"));
        Files.write(root.resolve("pxelinux.0"), random(5000, 1));
        server = start(b -> b);
        address = server.localAddress();
    }

    @After
    public void tearDown() {
        clients.forEach(RawTftpClient::close);
        servers.forEach(TftpServer::stop);
    }

    private TftpServer start(UnaryOperator<TftpServerConfig.Builder> config) throws IOException {
        return start(config, (p, c) -> Optional.empty());
    }

    private TftpServer start(UnaryOperator<TftpServerConfig.Builder> config, GeneratedFileSource gen)
            throws IOException {
        TftpServer s = new TftpServer(config.apply(TftpServerConfig.builder(root).port(0).ioThreads(2)).build(), gen);
        s.start();
        servers.add(s);
        return s;
    }

    private RawTftpClient client() throws IOException {
        RawTftpClient c = new RawTftpClient();
        clients.add(c);
        return c;
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Received expectError(RawTftpClient c, int code) throws IOException {
        Received r = c.receive(2000);
        assertThat(r).as("answer").isNotNull();
        assertThat(r.isError()).as("%s is an ERROR", r).isTrue();
        assertThat(r.errorCode()).as("%s", r).isEqualTo(code);
        return r;
    }

    // ---- plain transfers ----

    @Test
    public void lockStepDownloadIsByteExact() throws Exception { // NET-1
        Download d = client().download(address, "pxelinux.0");
        assertThat(d.bytes()).isEqualTo(Files.readAllBytes(root.resolve("pxelinux.0")));
        assertThat(d.oack()).isEmpty();
        assertThat(d.dataPackets()).isEqualTo(10); // 9 x 512 + 392
        awaitInFlight(server, 0);
        assertThat(server.stats().snapshot().completed()).isEqualTo(1);
        assertThat(server.stats().snapshot().bytesSent()).isEqualTo(5000);
    }

    @Test
    public void fileOfExactBlockMultipleEndsWithEmptyBlock() throws Exception {
        Files.write(root.resolve("k"), random(1024, 2));
        Files.write(root.resolve("empty"), new byte[0]);
        Download d = client().download(address, "k");
        assertThat(d.bytes()).hasSize(1024);
        assertThat(d.dataPackets()).isEqualTo(3);
        Download e = client().download(address, "empty");
        assertThat(e.bytes()).isEmpty();
        assertThat(e.dataPackets()).isEqualTo(1);
    }

    @Test
    public void optionsAreNegotiated() throws Exception { // NET-1: blksize, windowsize, tsize, timeout
        byte[] content = random(100_000, 3);
        Files.write(root.resolve("big"), content);
        Download d = client().download(address, "big", "blksize", "1468", "windowsize", "16", "tsize", "0", "timeout",
                "2");
        assertThat(d.bytes()).isEqualTo(content);
        assertThat(d.oack()).containsEntry("blksize", "1468").containsEntry("windowsize", "16")
                .containsEntry("tsize", "100000").containsEntry("timeout", "2");
        assertThat(d.dataPackets()).isEqualTo(100_000 / 1468 + 1);
    }

    @Test
    public void oversizedBlksizeAndWindowsizeAreClamped() throws Exception {
        for (String blksize : new String[]{ "65465", "65536" }) {
            RawTftpClient c = client();
            c.request(address, false, "pxelinux.0", "octet", "blksize", blksize, "windowsize", "65535");
            Received r = c.receive(2000);
            assertThat(r.isOack()).as("%s", r).isTrue();
            assertThat(r.options()).containsEntry("blksize", "65464").containsEntry("windowsize", "64");
            c.error(r.from(), 8, "just probing");
        }
    }

    @Test
    public void unknownOptionsAloneMeanNoOack() throws Exception {
        RawTftpClient c = client();
        c.request(address, false, "pxelinux.0", "octet", "multicast", "", "rollover", "1");
        Received r = c.receive(2000);
        assertThat(r.isData()).as("%s", r).isTrue();
        assertThat(r.block()).isEqualTo(1);
        assertThat(r.data()).hasSize(512);
    }

    // ---- bad input ----

    @Test
    public void badOptionValuesAreRefusedWithError8() throws Exception {
        String[][] cases = {
                { "blksize", "7" }, { "timeout", "0" }, { "timeout", "256" }, { "windowsize", "0" },
                { "blksize", "512", "BLKSIZE", "1024" }, { "blksize", "lots" }, { "tsize", "-1" } };
        for (String[] options : cases) {
            RawTftpClient c = client();
            c.request(address, false, "pxelinux.0", "octet", options);
            Received r = expectError(c, 8);
            assertThat(r.from()).isEqualTo(address); // refused requests get no transfer port
        }
        assertThat(server.stats().errors(ErrorKind.BAD_OPTION)).isEqualTo(cases.length);
        assertThat(server.stats().snapshot().started()).isZero();
    }

    @Test
    public void optionBlockWithoutNulIsRefusedWithError8() throws Exception {
        RawTftpClient c = client();
        c.sendRaw(address, "\0\1pxelinux.0\0octet\0blksize\u00001468".getBytes(StandardCharsets.US_ASCII));
        expectError(c, 8);
        c.sendRaw(address, "\0\1pxelinux.0\0octet\0blksize".getBytes(StandardCharsets.US_ASCII));
        expectError(c, 8);
        assertThat(server.stats().errors(ErrorKind.MALFORMED)).isEqualTo(2);
    }

    @Test
    public void malformedPacketsToTheListenerAreAnsweredAndCounted() throws Exception {
        RawTftpClient c = client();
        byte[][] illegal = {
                {}, // empty datagram
                { 0 }, // half an opcode
                "\0\1pxelinux.0".getBytes(StandardCharsets.US_ASCII), // RRQ: name not terminated
                "\0\2up\0octet".getBytes(StandardCharsets.US_ASCII), // WRQ: mode not terminated
                "\0\1pxelinux.0\0binary\0".getBytes(StandardCharsets.US_ASCII), // unknown mode
                { 0, 3, 0 }, // truncated DATA
                { 0, 4, 0 }, // truncated ACK
                { 0, 3, 0, 1, 42 }, // DATA to the listener
                { 0, 4, 0, 1 }, // ACK to the listener
                { 0, 6, 'x', 0, '1', 0 }, // OACK from a client
                { 0, 9, 0, 0 }, // unknown opcode
                { (byte) 0xFF, (byte) 0xFF }, // unknown opcode
        };
        for (byte[] packet : illegal) {
            c.sendRaw(address, packet);
            expectError(c, 4);
        }
        // a broken or valid ERROR to the listener is counted, never answered (no error ping-pong)
        c.sendRaw(address, new byte[]{ 0, 5, 0 });
        c.error(address, 0, "hello");
        assertThat(c.receive(300)).isNull();
        TftpStats.Snapshot s = server.stats().snapshot();
        assertThat(s.errors().get(ErrorKind.MALFORMED)).isEqualTo(8);
        assertThat(s.errors().get(ErrorKind.UNKNOWN_OPCODE)).isEqualTo(2);
        assertThat(s.errors().get(ErrorKind.UNEXPECTED_OPCODE)).isEqualTo(3);
        assertThat(s.errors().get(ErrorKind.PEER_ERROR)).isEqualTo(1);
        // and the server still serves
        assertThat(client().download(address, "pxelinux.0").bytes()).hasSize(5000);
    }

    @Test
    public void malformedPacketInsideATransferEndsItWithError4() throws Exception {
        RawTftpClient c = client();
        c.request(address, false, "pxelinux.0", "octet");
        Received d1 = c.receive(2000);
        assertThat(d1.isData()).isTrue();
        c.sendRaw(d1.from(), new byte[]{ 0, 4, 0 }); // truncated ACK
        expectError(c, 4);
        awaitInFlight(server, 0);
        assertThat(server.stats().snapshot().failed()).isEqualTo(1);
    }

    @Test
    public void mailModeIsRefused() throws Exception {
        RawTftpClient c = client();
        c.request(address, false, "pxelinux.0", "mail");
        expectError(c, 4);
    }

    // ---- retransmission ----

    @Test
    public void duplicateAcksCauseNoResend() throws Exception { // no Sorcerer's Apprentice
        RawTftpClient c = client();
        c.request(address, false, "pxelinux.0", "octet");
        Received d1 = c.receive(2000);
        InetSocketAddress tid = d1.from();
        c.ack(tid, 1);
        Received d2 = c.receive(2000);
        assertThat(d2.block()).isEqualTo(2);
        c.ack(tid, 1);
        c.ack(tid, 1);
        c.ack(tid, 0);
        // well inside the server's 1 s retransmission timeout: nothing may come back
        assertThat(c.receive(400)).isNull();
        c.ack(tid, 2);
        Received d3 = c.receive(2000);
        assertThat(d3.block()).isEqualTo(3);
        assertThat(c.receive(200)).isNull();
        assertThat(server.stats().snapshot().packetsSent()).isEqualTo(3);
        assertThat(server.stats().snapshot().retransmissions()).isZero();
    }

    @Test
    public void duplicateAcksInWindowModeCauseNoResend() throws Exception {
        Files.write(root.resolve("w"), random(20 * 512, 4));
        RawTftpClient c = client();
        c.request(address, false, "w", "octet", "windowsize", "4");
        Received oack = c.receive(2000);
        InetSocketAddress tid = oack.from();
        c.ack(tid, 0);
        for (int i = 1; i <= 4; i++) {
            assertThat(c.receive(2000).block()).isEqualTo(i);
        }
        c.ack(tid, 0);
        c.ack(tid, 0);
        assertThat(c.receive(400)).isNull();
        assertThat(server.stats().snapshot().retransmissions()).isZero();
    }

    @Test
    public void silentClientIsRetriedWithBackOffThenAbandoned() throws Exception {
        TftpServer fast = start(b -> b.timeoutMillis(50).retries(3));
        RawTftpClient c = client();
        c.request(fast.localAddress(), false, "pxelinux.0", "octet");
        List<Received> copies = new ArrayList<>();
        for (Received r; (r = c.receive(1500)) != null;) {
            copies.add(r);
        }
        assertThat(copies).hasSize(4).allMatch(r -> r.isData() && r.block() == 1); // 1 + 3 retries
        long g1 = copies.get(1).nanos() - copies.get(0).nanos();
        long g3 = copies.get(3).nanos() - copies.get(2).nanos();
        assertThat(g1 / 1_000_000).isBetween(40L, 400L); // 50 ms (+ scheduling)
        assertThat(g3).as("exponential back-off").isGreaterThan(2 * g1); // 200 ms vs 50 ms
        awaitInFlight(fast, 0);
        TftpStats.Snapshot s = fast.stats().snapshot();
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.retransmissions()).isEqualTo(3);
        assertThat(s.errors().get(ErrorKind.TIMEOUT)).isEqualTo(1);
    }

    @Test
    public void lostBlockIsResentAfterTimeout() throws Exception {
        TftpServer fast = start(b -> b.timeoutMillis(50).retries(3));
        RawTftpClient c = client();
        c.request(fast.localAddress(), false, "pxelinux.0", "octet");
        Received first = c.receive(2000);
        Received again = c.receive(2000); // we "lost" the first copy and never acked
        assertThat(again.block()).isEqualTo(1);
        assertThat(again.data()).isEqualTo(first.data());
        c.ack(first.from(), 1);
        assertThat(c.receive(2000).block()).isEqualTo(2);
    }

    @Test
    public void ackInsideTheWindowResendsFromTheNextBlock() throws Exception { // RFC 7440
        Files.write(root.resolve("w"), random(40 * 512, 5));
        RawTftpClient c = client();
        c.request(address, false, "w", "octet", "windowsize", "8");
        InetSocketAddress tid = c.receive(2000).from();
        c.ack(tid, 0);
        for (int i = 1; i <= 8; i++) {
            assertThat(c.receive(2000).block()).isEqualTo(i);
        }
        c.ack(tid, 3); // "block 4 never arrived"
        List<Integer> next = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            next.add(c.receive(2000).block());
        }
        assertThat(next).containsExactly(4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(c.receive(200)).isNull();
    }

    @Test
    public void blockNumbersRollOverTo0InWindowMode() throws Exception {
        // 65547 full blocks of 8 bytes + one of 4 bytes: block 65536 is sent as 0
        byte[] content = random(65536 * 8 + 92, 6);
        Files.write(root.resolve("roll"), content);
        Download d = client().download(address, "roll", "blksize", "8", "windowsize", "64");
        assertThat(d.bytes()).isEqualTo(content);
        assertThat(d.wraps()).isEqualTo(1);
        assertThat(d.dataPackets()).isEqualTo(65548);
    }

    @Test
    public void blockNumbersRollOverTo0InLockStep() throws Exception {
        byte[] content = random(65536 * 8 + 3, 7);
        Files.write(root.resolve("roll"), content);
        Download d = client().download(address, "roll", "blksize", "8");
        assertThat(d.bytes()).isEqualTo(content);
        assertThat(d.wraps()).isEqualTo(1);
    }

    @Test
    public void packetFromAnotherPortGetsError5AndTransferGoesOn() throws Exception {
        RawTftpClient c = client();
        RawTftpClient intruder = client();
        c.request(address, false, "pxelinux.0", "octet");
        Received d1 = c.receive(2000);
        intruder.ack(d1.from(), 1);
        expectError(intruder, 5);
        c.ack(d1.from(), 1);
        assertThat(c.receive(2000).block()).isEqualTo(2);
        assertThat(server.stats().errors(ErrorKind.UNKNOWN_TID)).isEqualTo(1);
    }

    @Test
    public void repeatedRequestStartsNoSecondTransfer() throws Exception {
        RawTftpClient c = client();
        c.request(address, false, "pxelinux.0", "octet", "blksize", "1024");
        c.request(address, false, "pxelinux.0", "octet", "blksize", "1024"); // our OACK was "late"
        Received oack = c.receive(2000);
        assertThat(oack.isOack()).isTrue();
        assertThat(c.receive(300)).as("no second OACK from another port").isNull();
        assertThat(server.stats().snapshot().started()).isEqualTo(1);
        assertThat(server.stats().errors(ErrorKind.DUPLICATE_REQUEST)).isEqualTo(1);
        c.ack(oack.from(), 0);
        assertThat(c.receive(2000).block()).isEqualTo(1);
    }

    @Test
    public void newRequestFromTheSamePortReplacesTheUnfinishedOne() throws Exception {
        // PXE ROMs probe tsize, and if their ERROR 8 is lost, ask again with other options
        RawTftpClient c = client();
        c.request(address, false, "pxelinux.0", "octet", "tsize", "0");
        Received probe = c.receive(2000);
        assertThat(probe.options()).containsEntry("tsize", "5000");
        Download d = c.download(address, "pxelinux.0", "blksize", "1456");
        assertThat(d.bytes()).hasSize(5000);
        awaitInFlight(server, 0);
        assertThat(server.stats().snapshot().started()).isEqualTo(2);
        assertThat(server.stats().snapshot().completed()).isEqualTo(1);
    }

    @Test
    public void clientErrorEndsTheTransfer() throws Exception {
        RawTftpClient c = client();
        c.request(address, false, "pxelinux.0", "octet", "tsize", "0");
        Received oack = c.receive(2000);
        assertThat(oack.options()).containsEntry("tsize", "5000");
        c.error(oack.from(), 8, "only wanted the size"); // what PXE ROMs do
        awaitInFlight(server, 0);
        assertThat(server.stats().errors(ErrorKind.PEER_ERROR)).isEqualTo(1);
    }

    // ---- files, generated content, jail ----

    @Test
    public void missingPxelinuxConfigIsHarmless() throws Exception { // OSI-4
        RawTftpClient c = client();
        c.request(address, false, "pxelinux.cfg/01-52-54-00-12-34-56", "octet");
        Received r = expectError(c, 1);
        assertThat(r.message()).isEqualTo("File not found");
        assertThat(server.stats().errors(ErrorKind.NOT_FOUND)).isEqualTo(1);
        assertThat(server.stats().snapshot().started()).isZero();
        assertThat(client().download(address, "pxelinux.0").bytes()).hasSize(5000);
    }

    @Test
    public void generatedContentIsServedFromMemory() throws Exception {
        AtomicReference<InetSocketAddress> asked = new AtomicReference<>();
        TftpServer gen = start(b -> b, (path, client) -> {
            if (!path.startsWith("pxelinux.cfg/01-")) {
                return Optional.empty();
            }
            asked.set(client);
            return Optional.of(("DEFAULT local # " + path).getBytes(StandardCharsets.US_ASCII));
        });
        RawTftpClient c = client();
        Download d = c.download(gen.localAddress(), "pxelinux.cfg\\01-52-54-00-12-34-56", "tsize", "0");
        assertThat(new String(d.bytes(), StandardCharsets.US_ASCII))
                .isEqualTo("DEFAULT local # pxelinux.cfg/01-52-54-00-12-34-56");
        assertThat(d.oack()).containsEntry("tsize", String.valueOf(d.bytes().length));
        assertThat(asked.get().getPort()).isEqualTo(c.localPort());
        // not generated: falls through to the file system
        assertThat(client().download(gen.localAddress(), "pxelinux.0").bytes()).hasSize(5000);
    }

    @Test
    public void failingGeneratorFallsBackToFiles() throws Exception {
        TftpServer gen = start(b -> b, (path, client) -> {
            throw new IllegalStateException("plugin bug");
        });
        assertThat(client().download(gen.localAddress(), "pxelinux.0").bytes()).hasSize(5000);
    }

    @Test
    public void jailEscapesAreRefusedWithError2() throws Exception {
        Path outside = tmp.newFolder("tftp2").toPath().resolve("secret");
        Files.writeString(outside, "secret");
        Files.createSymbolicLink(root.resolve("link-out"), outside);
        Files.createSymbolicLink(root.resolve("passwd"), Path.of("/etc/passwd"));
        String[] names = { "../../etc/passwd", "..\\..\\etc\\passwd", "../tftp2/secret", "link-out", "passwd",
                "pxelinux.cfg" };
        for (String name : names) {
            RawTftpClient c = client();
            c.request(address, false, name, "octet");
            expectError(c, 2);
        }
        assertThat(server.stats().errors(ErrorKind.ACCESS_DENIED)).isEqualTo(names.length);
        // A leading slash names the root, as with tftpd-hpa -s (GRUB asks that way): the system's file is not served.
        RawTftpClient absolute = client();
        absolute.request(address, false, "/etc/passwd", "octet");
        expectError(absolute, 1);
        assertThat(server.stats().snapshot().started()).isZero();
    }

    @Test
    public void netasciiConvertsLineEnds() throws Exception {
        Files.writeString(root.resolve("t.txt"), "a\nb\r\n");
        RawTftpClient c = client();
        c.request(address, false, "t.txt", "netascii");
        Received r = c.receive(2000);
        assertThat(new String(r.data(), StandardCharsets.US_ASCII)).isEqualTo("a\r\nb\r\0\r\n");
        c.ack(r.from(), 1);
    }

    @Test
    public void changedFileIsServedFreshDespiteTheCache() throws Exception {
        Files.writeString(root.resolve("c"), "first");
        assertThat(client().download(address, "c").bytes()).asString().isEqualTo("first");
        assertThat(client().download(address, "c").bytes()).asString().isEqualTo("first");
        Files.writeString(root.resolve("c"), "second version");
        assertThat(client().download(address, "c").bytes()).asString().isEqualTo("second version");
        TftpStats.Snapshot s = server.stats().snapshot();
        assertThat(s.cacheHits()).isEqualTo(1);
        assertThat(s.cacheMisses()).isEqualTo(2);
    }

    // ---- uploads ----

    @Test
    public void writeIsRefusedByDefault() throws Exception {
        RawTftpClient c = client();
        c.request(address, true, "upload/x", "octet");
        expectError(c, 2);
        assertThat(root.resolve("upload/x")).doesNotExist();
        assertThat(server.stats().errors(ErrorKind.ACCESS_DENIED)).isEqualTo(1);
    }

    @Test
    public void writeIntoTheWriteFolderIsAtomicAndJailed() throws Exception {
        TftpServer w = start(b -> b.writeFolder("upload"));
        byte[] content = random(70_000, 8);
        assertThat(client().upload(w.localAddress(), "upload/log.bin", content, "blksize", "1024", "windowsize", "4",
                "tsize", String.valueOf(content.length))).containsEntry("blksize", "1024")
                .containsEntry("windowsize", "4");
        awaitInFlight(w, 0);
        assertThat(root.resolve("upload/log.bin")).hasBinaryContent(content);
        byte[] small = random(1000, 9);
        client().upload(w.localAddress(), "upload\\log.bin", small); // replaces, lock-step
        assertThat(root.resolve("upload/log.bin")).hasBinaryContent(small);
        try (Stream<Path> files = Files.list(root.resolve("upload"))) {
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("log.bin");
        }
        for (String bad : new String[]{ "pxelinux.0", "upload/../pxelinux.0", "/tmp/x", "upload/none/x" }) {
            assertThatThrownBy(() -> client().upload(w.localAddress(), bad, small)).as(bad)
                    .isInstanceOfSatisfying(TftpErrorException.class, e -> assertThat(e.code).isEqualTo(2));
        }
        assertThat(root.resolve("pxelinux.0")).hasSize(5000);
    }

    @Test
    public void abandonedUploadLeavesNoTemporaryFile() throws Exception {
        TftpServer w = start(b -> b.writeFolder("upload").timeoutMillis(30).retries(2));
        RawTftpClient c = client();
        c.request(w.localAddress(), true, "upload/partial", "octet");
        Received ack0 = c.receive(2000);
        assertThat(ack0.block()).isZero();
        c.data(ack0.from(), 1, random(512, 10));
        assertThat(c.receive(2000).block()).isEqualTo(1);
        awaitInFlight(w, 0);
        try (Stream<Path> files = Files.list(root.resolve("upload"))) {
            assertThat(files).isEmpty();
        }
        assertThat(w.stats().errors(ErrorKind.TIMEOUT)).isEqualTo(1);
    }

    @Test
    public void uploadLargerThanFreeSpaceIsRefused() throws Exception {
        TftpServer w = start(b -> b.writeFolder("upload"));
        RawTftpClient c = client();
        c.request(w.localAddress(), true, "upload/huge", "octet", "tsize", "999999999999999999");
        expectError(c, 3);
    }

    // ---- admission: a limit on transfers served at once (NET-1, boot storms) ----

    @Test
    public void requestsAboveTheLimitWaitAndStartInArrivalOrder() throws Exception {
        TftpServer s = start(b -> b.maxActiveTransfers(1));
        RawTftpClient first = client();
        RawTftpClient second = client();
        RawTftpClient third = client();
        first.request(s.localAddress(), false, "pxelinux.0", "octet", "blksize", "1024");
        Received oack = first.receive(2000);
        assertThat(oack.isOack()).isTrue();
        second.request(s.localAddress(), false, "pxelinux.0", "octet");
        third.request(s.localAddress(), false, "pxelinux.0", "octet");
        assertThat(second.receive(300)).as("second waits while the first runs").isNull();
        assertThat(s.stats().snapshot().started()).isEqualTo(1);
        // the first finishes: 5000 bytes in blocks of 1024, lock-step
        first.ack(oack.from(), 0);
        for (int block = 1; block <= 5; block++) {
            Received data = first.receive(2000);
            assertThat(data.block()).isEqualTo(block);
            first.ack(data.from(), block);
        }
        Received secondData = second.receive(2000);
        assertThat(secondData.isData()).as("second starts when the first ends").isTrue();
        assertThat(secondData.block()).isEqualTo(1);
        assertThat(third.receive(300)).as("third still waits behind the second").isNull();
    }

    @Test
    public void waitingRequestStartsOnItsClientsSecondRepeat() throws Exception {
        TftpServer s = start(b -> b.maxActiveTransfers(1));
        RawTftpClient holder = client();
        holder.request(s.localAddress(), false, "pxelinux.0", "octet");
        assertThat(holder.receive(2000).isData()).isTrue();
        RawTftpClient impatient = client();
        impatient.request(s.localAddress(), false, "pxelinux.0", "octet", "blksize", "1456");
        impatient.request(s.localAddress(), false, "pxelinux.0", "octet", "blksize", "1456");
        assertThat(impatient.receive(300)).as("one repeat is not enough").isNull();
        impatient.request(s.localAddress(), false, "pxelinux.0", "octet", "blksize", "1456");
        Received oack = impatient.receive(2000);
        assertThat(oack.isOack()).as("started above the limit after two repeats").isTrue();
        assertThat(impatient.receive(300)).as("exactly one transfer for the three requests").isNull();
        assertThat(s.stats().errors(ErrorKind.DUPLICATE_REQUEST)).isEqualTo(2);
        assertThat(s.stats().snapshot().started()).isEqualTo(2);
    }

    @Test
    public void waitingRequestReplacedByANewOneAndDiscardedOnStop() throws Exception {
        TftpServer s = start(b -> b.maxActiveTransfers(1));
        RawTftpClient holder = client();
        holder.request(s.localAddress(), false, "pxelinux.0", "octet");
        assertThat(holder.receive(2000).isData()).isTrue();
        RawTftpClient c = client();
        c.request(s.localAddress(), false, "pxelinux.0", "octet", "tsize", "0");
        c.request(s.localAddress(), false, "missing.0", "octet"); // a new request replaces the waiting one
        Received refused = c.receive(2000);
        assertThat(refused.isError()).isTrue();
        assertThat(refused.errorCode()).isEqualTo(TftpErrorCode.FILE_NOT_FOUND.code());
        RawTftpClient other = client();
        other.request(s.localAddress(), false, "pxelinux.0", "octet");
        s.stop();
        assertThat(other.receive(300)).as("nothing starts after stop").isNull();
        assertThat(s.stats().snapshot().started()).isEqualTo(1);
        assertThat(s.stats().inFlight()).isZero();
    }

    @Test
    public void negativeLimitIsRefused() {
        assertThatThrownBy(() -> TftpServerConfig.builder(root).maxActiveTransfers(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxActiveTransfers");
    }

    // ---- life cycle ----

    @Test
    public void stopEndsTransfersInFlightAndFreesThePort() throws Exception {
        TftpServer s = start(b -> b);
        int port = s.localAddress().getPort();
        RawTftpClient c = client();
        c.request(s.localAddress(), false, "pxelinux.0", "octet");
        assertThat(c.receive(2000).isData()).isTrue();
        assertThat(s.stats().inFlight()).isEqualTo(1);
        s.stop();
        assertThat(s.isRunning()).isFalse();
        assertThat(s.stats().inFlight()).isZero();
        s.stop(); // idempotent
        TftpServer again = start(b -> b.port(port));
        assertThat(again.localAddress().getPort()).isEqualTo(port);
        assertThatThrownBy(() -> start(b -> b.port(port))).isInstanceOf(IOException.class);
    }

    @Test
    public void manyConcurrentClients() throws Exception {
        byte[] content = random(200_000, 11);
        Files.write(root.resolve("shared"), content);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            threads.add(new Thread(() -> {
                try (RawTftpClient c = new RawTftpClient()) {
                    assertThat(c.download(address, "shared", "blksize", "1468", "windowsize", "8").bytes())
                            .isEqualTo(content);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(failures).isEmpty();
        awaitInFlight(server, 0);
        assertThat(server.stats().snapshot().completed()).isEqualTo(50);
    }

    /** The server updates counters on its event loop just after the last packet; wait for it. */
    static void awaitInFlight(TftpServer s, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (s.stats().inFlight() != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(s.stats().inFlight()).isEqualTo(expected);
    }
}
