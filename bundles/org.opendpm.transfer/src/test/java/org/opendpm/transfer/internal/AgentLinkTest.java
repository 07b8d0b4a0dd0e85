package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.transfer.internal.LinkFixture.hello;
import static org.opendpm.transfer.internal.LinkFixture.mac;
import static org.opendpm.transfer.internal.LinkFixture.register;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.CommandResult;
import org.opendpm.api.agent.RemoteFile;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.NewMachine;
import org.opendpm.api.inventory.PowerState;

import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;

/**
 * The agent link over real TLS sockets on 127.0.0.1 with the real inventory on in-memory Derby (EXE-9, FIL-1,
 * INV-3, INV-4). One server for the class; every test uses MACs of its own.
 */
public class AgentLinkTest {

    private static LinkFixture f;
    private static final AtomicInteger MACS = new AtomicInteger(1);

    @BeforeClass
    public static void start() throws IOException {
        f = new LinkFixture();
    }

    @AfterClass
    public static void stop() {
        f.close();
    }

    private static String nextMac() {
        return mac(MACS.getAndIncrement());
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static Throwable failure(java.util.concurrent.CompletionStage<?> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the request succeeded");
    }

    /** Answers the next command the agent receives with exit code 0 and the command line as output. */
    private static void answerCommand(TestAgent agent) throws IOException {
        Message.Command cmd = agent.expect(Message.Command.class);
        agent.send(new Message.CommandResult(cmd.id(), 0, "ran " + cmd.commandLine()));
    }

    /** A managed machine's agent still answers: the link is unaffected by whatever else happened. */
    private static void assertAnswers(TestAgent agent, long machineId) throws Exception {
        var result = f.link.runCommand(machineId, "echo still here", Duration.ofSeconds(5));
        answerCommand(agent);
        assertThat(get(result)).isEqualTo(new CommandResult(0, "ran echo still here"));
    }

    @Test
    public void registerListsTheMachineUnderNewMachineAndHelloThenCommandRoundTrip_EXE9_INV4() throws Exception {
        String mac = nextMac();
        String credential = f.registerAgent(mac, "web01");
        assertThat(credential).hasSize(43).matches("[A-Za-z0-9_-]{43}");
        assertThat(f.inventory.newMachines()).extracting(NewMachine::mac).contains(mac);
        // Only a hash is stored.
        String stored = f.database.inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT credential_hash FROM agent_credential WHERE mac = ?")) {
                ps.setString(1, mac);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
        assertThat(stored).isNotEqualTo(credential).doesNotContain(credential);

        try (TestAgent agent = f.connect()) {
            agent.send(hello(mac, credential, "web01"));
            assertThat(agent.expect(Message.Welcome.class).heartbeatSeconds()).isEqualTo(15);
            // Under New Machine the agent is connected but serves no managed machine yet.
            LinkFixture.await("the session", Duration.ofSeconds(5),
                    () -> f.link.agents().stream().anyMatch(a -> a.mac().equals(mac)));
            assertThat(f.link.agents().stream().filter(a -> a.mac().equals(mac)).findFirst().orElseThrow()
                    .machineId()).isEmpty();

            // Registered from New Machine later: found by its MAC at request time, without a reconnect.
            Machine m = f.machine("web01", mac);
            Optional<AgentInfo> info = f.link.agent(m.id());
            assertThat(info).isPresent();
            assertThat(info.get().machineId()).contains(m.id());
            assertThat(info.get().hostName()).isEqualTo("web01");
            assertThat(info.get().os()).isEqualTo("Linux 6.1 amd64");

            var result = f.link.runCommand(m.id(), "uname -a", Duration.ofSeconds(7));
            Message.Command cmd = agent.expect(Message.Command.class);
            assertThat(cmd.commandLine()).isEqualTo("uname -a");
            assertThat(cmd.timeoutSeconds()).isEqualTo(7);
            Message answer = new Message.CommandResult(cmd.id(), 3, "Linux web01");
            agent.send(answer);
            assertThat(get(result)).isEqualTo(new CommandResult(3, "Linux web01"));
        }
    }

    @Test
    public void helloOfAManagedMachineSetsItsPowerStateOn_INV3() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("power-on-" + mac.replace(":", ""), mac);
        assertThat(f.inventory.machine(m.id()).powerState()).isNotEqualTo(PowerState.ON);
        try (TestAgent agent = f.authenticatedAgent(mac, "db01")) {
            LinkFixture.await("power state ON", Duration.ofSeconds(5),
                    () -> f.inventory.machine(m.id()).powerState() == PowerState.ON);
            assertThat(f.link.agents().stream().filter(a -> a.mac().equals(mac)).findFirst().orElseThrow().machineId())
                    .contains(m.id());
            assertAnswers(agent, m.id());
        }
    }

    @Test
    public void aWrongCredentialIsRefused() throws Exception {
        String mac = nextMac();
        f.registerAgent(mac, "a");
        long before = f.link.stats().get(LinkStats.Kind.UNAUTHENTICATED);
        try (TestAgent agent = f.connect()) {
            agent.send(hello(mac, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a"));
            Message.ConnectionError error = agent.expect(Message.ConnectionError.class);
            assertThat(error.code()).isEqualTo("unauthenticated");
            agent.awaitClose(Duration.ofSeconds(5));
        }
        assertThat(f.link.stats().get(LinkStats.Kind.UNAUTHENTICATED)).isEqualTo(before + 1);
    }

    @Test
    public void theCredentialOfOneMacIsRefusedForAnother() throws Exception {
        String macA = nextMac();
        String macB = nextMac();
        String credentialA = f.registerAgent(macA, "a");
        f.registerAgent(macB, "b");
        Machine b = f.machine("victim-" + macB.replace(":", ""), macB);
        try (TestAgent agent = f.connect()) {
            agent.send(hello(macB, credentialA, "a"));
            assertThat(agent.expect(Message.ConnectionError.class).code()).isEqualTo("unauthenticated");
            agent.awaitClose(Duration.ofSeconds(5));
        }
        assertThat(f.link.agent(b.id())).isEmpty();
        // A MAC that never registered is refused the same way.
        try (TestAgent agent = f.connect()) {
            agent.send(hello(nextMac(), credentialA, "a"));
            assertThat(agent.expect(Message.ConnectionError.class).code()).isEqualTo("unauthenticated");
        }
    }

    @Test
    public void aSecondRegistrationOfAMacIsRefused() throws Exception {
        String mac = nextMac();
        f.registerAgent(mac, "first");
        try (TestAgent agent = f.connect(); LogCapture log = new LogCapture()) {
            // Another spelling of the same MAC is the same MAC.
            agent.send(register(mac.toUpperCase().replace(':', '-'), "second"));
            Message.ConnectionError error = agent.expect(Message.ConnectionError.class);
            assertThat(error.code()).isEqualTo("already-registered");
            assertThat(error.message()).contains("dpm:agent-reset " + mac);
            agent.awaitClose(Duration.ofSeconds(5));
            assertThat(log.lines("Agent 127.0.0.1:", "already issued", "connection closed")).hasSize(1);
        }
    }

    @Test
    public void aProposedCredentialIsIssuedAndARetryWithItIsAcceptedAgainButNoOther() throws Exception {
        String mac = nextMac();
        String proposed = "p".repeat(43);
        for (int attempt = 0; attempt < 2; attempt++) {
            // The second attempt stands for an agent that lost the first answer.
            try (TestAgent agent = f.connect()) {
                Message r = register(mac, "retrying", Optional.of(proposed));
                agent.send(r);
                assertThat(agent.expect(Message.Registered.class).credential()).isEqualTo(proposed);
            }
        }
        try (TestAgent agent = f.connect()) {
            Message r = register(mac, "thief", Optional.of("q".repeat(43)));
            agent.send(r);
            assertThat(agent.expect(Message.ConnectionError.class).code()).isEqualTo("already-registered");
        }
        try (TestAgent agent = f.connect()) {
            Message r = register(nextMac(), "weak", Optional.of("short"));
            agent.send(r);
            assertThat(agent.expect(Message.ConnectionError.class).code()).isEqualTo("protocol");
        }
        try (TestAgent agent = f.connect()) {
            agent.send(LinkFixture.hello(mac, proposed, "retrying"));
            agent.expect(Message.Welcome.class);
        }
    }

    @Test
    public void concurrentRegistrationsOfOneMacHaveExactlyOneWinner() throws Exception {
        String mac = nextMac();
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> {
                    try (TestAgent agent = f.connect()) {
                        go.await();
                        agent.send(register(mac, "racer"));
                        Message m = agent.read();
                        return m instanceof Message.Registered
                                ? "registered"
                                : ((Message.ConnectionError) m).code();
                    }
                }));
            }
            go.countDown();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> a : answers) {
                outcomes.add(a.get(30, TimeUnit.SECONDS));
            }
            assertThat(outcomes).filteredOn("registered"::equals).hasSize(1);
            assertThat(outcomes).filteredOn("already-registered"::equals).hasSize(n - 1);
        } finally {
            pool.shutdownNow();
        }
        long rows = f.database.inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM agent_credential WHERE mac = ?")) {
                ps.setString(1, mac);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        assertThat(rows).isEqualTo(1);
    }

    /** One broken connection, its expected reason and counter. */
    private record Violation(String name, LinkStats.Kind kind, String reason, Sender send) {
    }

    @FunctionalInterface
    private interface Sender {
        void send(TestAgent agent) throws Exception;
    }

    @Test
    public void protocolViolationsCloseOnlyTheirConnectionWithOneLoggedReason() throws Exception {
        String goodMac = nextMac();
        Machine good = f.machine("good-" + goodMac.replace(":", ""), goodMac);
        TestAgent goodAgent = f.authenticatedAgent(goodMac, "good");
        String otherMac = nextMac();
        String otherCredential = f.registerAgent(otherMac, "other");
        List<Violation> cases = List.of(
                new Violation("malformed JSON", LinkStats.Kind.MALFORMED_FRAME, "malformed JSON",
                        a -> a.sendJson("{\"type\":\"hello\",\"mac\":")),
                new Violation("JSON that is not an object", LinkStats.Kind.MALFORMED_FRAME, "not an object",
                        a -> a.sendJson("[1,2]")),
                new Violation("unknown message type", LinkStats.Kind.UNKNOWN_TYPE,
                        "unknown message type 'launchMissiles'", a -> a.sendJson("{\"type\":\"launchMissiles\"}")),
                new Violation("unknown frame type", LinkStats.Kind.UNKNOWN_FRAME_TYPE, "frame type 7 is unknown",
                        a -> a.sendFrame((byte) 7, new byte[]{ 1, 2, 3 })),
                // Only the length is sent: the server must refuse it without waiting for 5 MB of payload.
                new Violation("oversized frame before hello", LinkStats.Kind.OVERSIZED_FRAME,
                        "frame of 5000000 bytes exceeds the maximum 65536 before hello",
                        a -> a.sendRaw(new byte[]{ 0x00, 0x4c, 0x4b, 0x40 })),
                new Violation("oversized frame after hello", LinkStats.Kind.OVERSIZED_FRAME,
                        "frame of 5000000 bytes exceeds the maximum 1048592", a -> {
                            a.send(hello(otherMac, otherCredential, "other"));
                            a.expect(Message.Welcome.class);
                            a.sendRaw(new byte[]{ 0x00, 0x4c, 0x4b, 0x40 });
                        }),
                new Violation("empty frame", LinkStats.Kind.MALFORMED_FRAME, "frame of length 0",
                        a -> a.sendRaw(new byte[]{ 0, 0, 0, 0 })),
                new Violation("command before hello", LinkStats.Kind.OUT_OF_ORDER, "'commandResult' before register",
                        a -> a.sendJson("{\"type\":\"commandResult\",\"id\":1,\"exitCode\":0,\"output\":\"\"}")),
                new Violation("data frame before hello", LinkStats.Kind.OUT_OF_ORDER, "data frame before hello",
                        a -> a.sendFrame(FrameCodec.DATA, new byte[12])),
                new Violation("hello without credential", LinkStats.Kind.BAD_MEMBER,
                        "'hello' has no string member 'credential'",
                        a -> a.sendJson("{\"type\":\"hello\",\"mac\":\"" + otherMac + "\"}")),
                new Violation("mac of the wrong type", LinkStats.Kind.BAD_MEMBER,
                        "'register' member 'mac' is not a string",
                        a -> a.sendJson("{\"type\":\"register\",\"mac\":42}")),
                new Violation("hello twice", LinkStats.Kind.OUT_OF_ORDER, "a second 'hello'", a -> {
                    a.send(hello(otherMac, otherCredential, "other"));
                    a.expect(Message.Welcome.class);
                    a.send(hello(otherMac, otherCredential, "other"));
                }),
                new Violation("data frame for an unknown transfer", LinkStats.Kind.UNKNOWN_TRANSFER,
                        "data frame for transfer 77, which is not open", a -> {
                            a.send(hello(otherMac, otherCredential, "other"));
                            a.expect(Message.Welcome.class);
                            byte[] payload = new byte[20];
                            payload[7] = 77;
                            a.sendFrame(FrameCodec.DATA, payload);
                        }),
                new Violation("answer without id", LinkStats.Kind.BAD_MEMBER, "'ack' has no integer member 'id'", a -> {
                    a.send(hello(otherMac, otherCredential, "other"));
                    a.expect(Message.Welcome.class);
                    a.sendJson("{\"type\":\"ack\"}");
                }));
        try (LogCapture log = new LogCapture()) {
            for (Violation v : cases) {
                long before = f.link.stats().get(v.kind());
                try (TestAgent bad = f.connect()) {
                    int port = bad.socket.getLocalPort();
                    v.send().send(bad);
                    String told = bad.awaitClose(Duration.ofSeconds(5));
                    assertThat(told).as(v.name()).contains(v.reason());
                    LinkFixture.await("the log line of " + v.name(), Duration.ofSeconds(5),
                            () -> !log.lines("Agent 127.0.0.1:" + port + ": ", v.reason(), "; connection closed")
                                    .isEmpty());
                    assertThat(log.lines("Agent 127.0.0.1:" + port + ": ")).as(v.name()).hasSize(
                            v.name().equals("hello twice") || v.name().startsWith("data frame for")
                                    || v.name().startsWith("answer without") || v.name().endsWith("after hello")
                                            ? 2
                                            : 1); // + "authenticated"
                }
                assertThat(f.link.stats().get(v.kind())).as(v.name()).isEqualTo(before + 1);
                assertAnswers(goodAgent, good.id());
            }
        } finally {
            goodAgent.close();
        }
    }

    @Test
    public void aPeerThatDoesNotSpeakTlsIsClosedWithOneLine() throws Exception {
        long before = f.link.stats().get(LinkStats.Kind.TLS_FAILED);
        try (LogCapture log = new LogCapture();
                java.net.Socket plain = new java.net.Socket(f.address().getAddress(),
                        f.address().getPort())) {
            int port = plain.getLocalPort();
            plain.getOutputStream()
                    .write("GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            plain.setSoTimeout(5000);
            try {
                while (plain.getInputStream().read() >= 0) {
                    // whatever TLS alert comes before the close
                }
            } catch (java.net.SocketException e) {
                // reset: closed as well
            }
            LinkFixture.await("the log line", Duration.ofSeconds(5),
                    () -> !log.lines("Agent 127.0.0.1:" + port + ": TLS").isEmpty());
            Thread.sleep(200);
            assertThat(log.lines("Agent 127.0.0.1:" + port + ": ")).hasSize(1);
        }
        assertThat(f.link.stats().get(LinkStats.Kind.TLS_FAILED)).isEqualTo(before + 1);
    }

    @Test
    public void aFileArrivesByteExactInChunks_FIL1() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("files-" + mac.replace(":", ""), mac);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("send", ".bin");
        byte[] content = new byte[5 * 1024 * 1024 + 123];
        new java.util.Random(42).nextBytes(content);
        java.nio.file.Files.write(file, content);
        try (TestAgent agent = f.authenticatedAgent(mac, "files")) {
            var sent = f.link.sendFile(m.id(), file, "/var/tmp/in", "640");
            Message.FileBegin begin = agent.expect(Message.FileBegin.class);
            assertThat(begin.folder()).isEqualTo("/var/tmp/in");
            assertThat(begin.name()).isEqualTo(file.getFileName().toString());
            assertThat(begin.size()).isEqualTo(content.length);
            assertThat(begin.permissions()).contains("640");
            long transfer = begin.transferId();
            var received = new java.io.ByteArrayOutputStream();
            int chunks = 0;
            while (true) {
                Frame frame = agent.readFrame();
                if (frame instanceof Frame.Data d) {
                    assertThat(d.transferId()).isEqualTo(transfer);
                    assertThat(d.chunk().remaining()).isBetween(1, FrameCodec.MAX_CHUNK);
                    byte[] chunk = new byte[d.chunk().remaining()];
                    d.chunk().get(chunk);
                    received.write(chunk);
                    chunks++;
                    continue;
                }
                Message end = ((Frame.Control) frame).message();
                if (end instanceof Message.Heartbeat) {
                    continue;
                }
                assertThat(end).isEqualTo(new Message.FileEnd(begin.id(), transfer));
                break;
            }
            assertThat(chunks).isEqualTo(21);
            byte[] got = received.toByteArray();
            assertThat(got).hasSize(content.length);
            String sha = java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(got));
            assertThat(sha).isEqualTo(begin.sha256());
            assertThat(got).isEqualTo(content);
            assertThat(sent.toCompletableFuture()).isNotDone();
            agent.send(new Message.Ack(begin.id()));
            assertThat(get(sent)).isNull();
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    public void aFileIsSentOnlyAsFastAsTheAgentReads_FIL1() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("slow-" + mac.replace(":", ""), mac);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("big", ".bin");
        int size = 48 * 1024 * 1024;
        try (var out = java.nio.file.Files.newOutputStream(file)) {
            byte[] block = new byte[1024 * 1024];
            var random = new java.util.Random(7);
            for (int i = 0; i < size / block.length; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        try (TestAgent agent = f.authenticatedAgent(mac, "slow")) {
            long before = f.link.stats().get(LinkStats.Kind.FILE_BYTES_SENT);
            var sent = f.link.sendFile(m.id(), file, "/tmp", "600");
            // The agent does not read for a while: the server must stop at what the sockets hold.
            Thread.sleep(1500);
            long whileStalled = f.link.stats().get(LinkStats.Kind.FILE_BYTES_SENT) - before;
            System.out.println("sent while the agent did not read: " + whileStalled + " of " + size + " bytes");
            assertThat(whileStalled).isGreaterThan(0).isLessThan(size / 2);
            Thread.sleep(500);
            assertThat(f.link.stats().get(LinkStats.Kind.FILE_BYTES_SENT) - before).isEqualTo(whileStalled);
            Message.FileBegin begin = agent.expect(Message.FileBegin.class);
            var digest = java.security.MessageDigest.getInstance("SHA-256");
            long total = 0;
            while (true) {
                Frame frame = agent.readFrame();
                if (frame instanceof Frame.Data d) {
                    total += d.chunk().remaining();
                    digest.update(d.chunk());
                } else if (((Frame.Control) frame).message() instanceof Message.FileEnd) {
                    break;
                }
            }
            assertThat(total).isEqualTo(size);
            assertThat(java.util.HexFormat.of().formatHex(digest.digest())).isEqualTo(begin.sha256());
            agent.send(new Message.Ack(begin.id()));
            get(sent);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    public void anErrorFromTheAgentFailsTheRequestWithAgentRequestException_FIL1() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("err-" + mac.replace(":", ""), mac);
        try (TestAgent agent = f.authenticatedAgent(mac, "err")) {
            var listing = f.link.listFolder(m.id(), "/nope");
            Message.ListFolder req = agent.expect(Message.ListFolder.class);
            assertThat(req.path()).isEqualTo("/nope");
            agent.send(new Message.ErrorAnswer(req.id(), "failed", "/nope: No such file or directory"));
            assertThat(failure(listing)).isInstanceOf(AgentRequestException.class)
                    .hasMessageContaining("/nope: No such file or directory").hasMessageContaining("listFolder");

            // The session goes on: a listing, a delete and a power request in a row.
            var ok = f.link.listFolder(m.id(), "/etc");
            req = agent.expect(Message.ListFolder.class);
            agent.send(new Message.FolderListing(req.id(), List.of(new Message.FolderListing.Entry("hosts", false,
                    220, java.time.Instant.parse("2026-01-01T00:00:00Z"), "644")), false));
            assertThat(get(ok)).containsExactly(new RemoteFile("hosts", false, 220,
                    java.time.Instant.parse("2026-01-01T00:00:00Z"), "644"));

            var deleted = f.link.deleteFile(m.id(), "/tmp/x");
            Message.DeleteFile delete = agent.expect(Message.DeleteFile.class);
            assertThat(delete.path()).isEqualTo("/tmp/x");
            agent.send(new Message.Ack(delete.id()));
            assertThat(get(deleted)).isNull();

            var power = f.link.power(m.id(), AgentPowerAction.REBOOT);
            Message.Power powerRequest = agent.expect(Message.Power.class);
            assertThat(powerRequest.action()).isEqualTo("reboot");
            agent.send(new Message.Ack(powerRequest.id()));
            assertThat(get(power)).isNull();
        }
    }

    @Test
    public void prepareMasterAsksTheAgentAndWithdrawsItsCredentialOnceItConfirmed_SCN4() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("master-" + mac.replace(":", ""), mac);
        try (TestAgent agent = f.authenticatedAgent(mac, "master")) {
            assertThat(failure(f.link.prepareMaster(m.id(), "solaris"))).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("'solaris' is not one of linux, windows, windows-vm");

            var refused = f.link.prepareMaster(m.id(), "windows");
            Message.PrepareMaster first = agent.expect(Message.PrepareMaster.class);
            assertThat(first.system()).isEqualTo("windows");
            agent.send(new Message.ErrorAnswer(first.id(), "failed",
                    "System_WindowsMasterSetup needs the agent of a Windows machine"));
            assertThat(failure(refused)).isInstanceOf(AgentRequestException.class)
                    .hasMessageContaining("needs the agent of a Windows machine");
            assertThat(f.link.resetCredential(mac)).as("a refused preparation keeps the credential").isTrue();
        }
        // Registered again after the withdrawal above, then prepared.
        try (TestAgent agent = f.authenticatedAgent(mac, "master")) {
            var prepared = f.link.prepareMaster(m.id(), "linux");
            Message.PrepareMaster request = agent.expect(Message.PrepareMaster.class);
            assertThat(request.system()).isEqualTo("linux");
            agent.send(new Message.Ack(request.id()));
            assertThat(get(prepared)).isNull();
            assertThat(f.link.resetCredential(mac)).as("withdrawn when the agent confirmed").isFalse();
        }
    }

    @Test
    public void requestsToAMachineWithoutAgentOrWithBadInputFailClearly() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("noagent-" + mac.replace(":", ""), mac);
        assertThat(failure(f.link.runCommand(m.id(), "true", Duration.ofSeconds(1))))
                .isInstanceOf(AgentUnavailableException.class).hasMessageContaining("has no connected agent")
                .hasMessageContaining(m.name());
        assertThat(failure(f.link.sendFile(m.id(), java.nio.file.Path.of("/etc/hostname"), "/tmp", "9999")))
                .hasMessageContaining("three octal digits");
        assertThat(failure(f.link.runCommand(m.id(), " ", Duration.ofSeconds(1)))).hasMessageContaining(
                "command line");
        assertThat(f.link.agent(m.id())).isEmpty();
        assertThat(f.link.agent(987654321L)).isEmpty();
    }

    @Test
    public void anOpenRequestFailsWithAgentUnavailableWhenTheAgentDisconnects() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("gone-" + mac.replace(":", ""), mac);
        TestAgent agent = f.authenticatedAgent(mac, "gone");
        var result = f.link.runCommand(m.id(), "sleep 100", Duration.ofSeconds(200));
        agent.expect(Message.Command.class);
        agent.close();
        assertThat(failure(result)).isInstanceOf(AgentUnavailableException.class)
                .hasMessageContaining("was lost");
    }

    @Test
    public void listenersHearConnectAndDisconnectAndASecondSessionReplacesTheFirst() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("listened-" + mac.replace(":", ""), mac);
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        AgentListener recorder = new AgentListener() {
            @Override
            public void connected(AgentInfo agent) {
                if (agent.mac().equals(mac)) {
                    events.add("connected " + agent.machineId().orElse(-1L));
                }
            }

            @Override
            public void disconnected(AgentInfo agent, String reason) {
                if (agent.mac().equals(mac)) {
                    events.add("disconnected: " + reason);
                }
            }
        };
        AgentListener broken = new AgentListener() {
            @Override
            public void connected(AgentInfo agent) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void disconnected(AgentInfo agent, String reason) {
                throw new IllegalStateException("listener bug");
            }
        };
        f.link.addListener(broken);
        f.link.addListener(recorder);
        try {
            String credential = f.registerAgent(mac, "l");
            TestAgent first = f.connect();
            first.send(hello(mac, credential, "l"));
            first.expect(Message.Welcome.class);
            LinkFixture.await("connected", Duration.ofSeconds(5), () -> events.size() == 1);
            assertThat(events).containsExactly("connected " + m.id());

            TestAgent second = f.connect();
            second.send(hello(mac, credential, "l"));
            second.expect(Message.Welcome.class);
            assertThat(first.awaitClose(Duration.ofSeconds(5))).isEmpty();
            LinkFixture.await("replacement", Duration.ofSeconds(5), () -> events.size() == 3);
            assertThat(events).containsExactlyInAnyOrder("connected " + m.id(), "connected " + m.id(),
                    "disconnected: replaced by a new connection");
            assertAnswers(second, m.id());

            second.close();
            LinkFixture.await("disconnect", Duration.ofSeconds(5), () -> events.size() == 4);
            assertThat(events.get(3)).isEqualTo("disconnected: connection closed by the agent");
            LinkFixture.await("no session", Duration.ofSeconds(5), () -> f.link.agent(m.id()).isEmpty());
        } finally {
            f.link.removeListener(recorder);
            f.link.removeListener(broken);
        }
    }

    @Test
    public void resettingACredentialClosesTheSessionAndAllowsANewRegistration() throws Exception {
        String mac = nextMac();
        TestAgent agent = f.authenticatedAgent(mac, "reset");
        assertThat(f.link.resetCredential(mac.toUpperCase())).isTrue();
        agent.awaitClose(Duration.ofSeconds(5));
        assertThat(f.link.resetCredential(mac)).isFalse();
        assertThatThrownBy(() -> f.link.resetCredential("not-a-mac")).hasMessageContaining("not a MAC address");
        String newCredential = f.registerAgent(mac, "replacement");
        try (TestAgent again = f.connect()) {
            again.send(hello(mac, newCredential, "replacement"));
            again.expect(Message.Welcome.class);
        }
    }

    @Test
    public void statusReportsPortFingerprintAgentsAndCloseReasons() throws Exception {
        String mac = nextMac();
        try (TestAgent agent = f.authenticatedAgent(mac, "status")) {
            var status = f.link.status();
            assertThat(status.port()).isEqualTo(f.address().getPort());
            assertThat(status.certificateFingerprint()).matches("[0-9a-f]{64}");
            assertThat(status.connectedAgents()).isGreaterThanOrEqualTo(1);
            assertThat(status.closedByReason()).containsKeys("oversized-frame", "unauthenticated", "heartbeat-lost",
                    "rate-limited-address").doesNotContainKey("connections-accepted");
        }
    }
}
