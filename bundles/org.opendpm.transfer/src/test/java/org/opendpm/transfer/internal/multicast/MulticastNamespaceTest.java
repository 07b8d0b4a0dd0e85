package org.opendpm.transfer.internal.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.agent.MulticastReceive;
import org.opendpm.image.ImageReader;

/**
 * Multicast restore on real IPv4 and IPv6 groups (IMG-3, docs/multicast.md): the sender ({@link MulticastSend}) and
 * eight receivers (the agent's {@link MulticastReceive}, as shipped in its jar) each a process in a network namespace
 * of its own, the namespaces joined by veth pairs to a bridge in one more namespace (multicast snooping off). Every
 * receiver's file must end byte-exact (SHA-256) with the source disk: eight at once, eight with 5 % of arriving UDP
 * dropped by nftables in each receiver's namespace, one started 3 s late, two sessions on one group and port, each
 * receiver writing only its own session's image while hearing the other's packets, and three on an IPv6 group. One
 * more runs the whole session on an IPv6 group, the server's runtime and eight real agents over their agent links,
 * and stops one agent by SIGSTOP past the drop bound.
 *
 * <p>The test creates its namespaces (named after its process id) and deletes them afterwards; the host's own network
 * is never touched. Needs root, iproute2 and nftables: under CI (CI=true) a missing one fails the test, elsewhere it is
 * skipped with a message.
 */
public class MulticastNamespaceTest {

    private static final int RECEIVERS = 8;
    private static final int CHUNK = 1 << 20;
    /** The session's image: some 10 MB stored, 5 s at the session's 2 MB/s. */
    private static final int SESSION_CHUNKS = 480;
    /** The least drop bound a session takes ({@code MulticastOptions}). */
    private static final int DROP_SECONDS = 10;
    private static final Pattern DONE = Pattern.compile(
            "done chunks=(\\d+) written=(\\d+) foreign=(\\d+) mismatched=(\\d+) bad=(\\d+)");
    private static final Pattern SENT = Pattern.compile("sent datagrams=(\\d+)");

    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static final String NS = "odm" + ProcessHandle.current().pid() % 100000;
    private static final List<String> CREATED = new ArrayList<>();
    private static Path image32;
    private static String sum32;
    private static long blocks32;
    private static Path image16;
    private static String sum16;

    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Path> logs = new TreeMap<>();
    private final Map<Process, Path> senderLogs = new HashMap<>();
    private final Map<Integer, Path> disks = new HashMap<>();

    @BeforeClass
    public static void testBed() throws Exception {
        requireTool("ip", "iproute2");
        requireTool("nft", "nftables");
        if (run("ip", "netns", "add", NS + "-b") != 0) {
            missing("'ip netns add' is not permitted (needs root)", "iproute2, and root");
        }
        CREATED.add(NS + "-b");
        check("ip", "-n", NS + "-b", "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        check("ip", "-n", NS + "-b", "link", "set", "br0", "up");
        namespace("s", "10.99.0.1", "fd99::1");
        for (int i = 1; i <= RECEIVERS; i++) {
            namespace("r" + i, "10.99.0." + (10 + i), "fd99::" + (10 + i));
        }
        Path root = TMP.getRoot().toPath();
        sum32 = raw(root.resolve("a.raw"), 32, 1);
        image32 = root.resolve("a.img");
        MulticastSend.image(root.resolve("a.raw"), image32, CHUNK);
        try (ImageReader r = ImageReader.open(image32)) {
            for (long c = 0; c < r.chunkCount(); c++) {
                blocks32 += (r.entry(c).storedLength() + 1399) / 1400;
            }
        }
        sum16 = raw(root.resolve("b.raw"), 16, 2);
        image16 = root.resolve("b.img");
        MulticastSend.image(root.resolve("b.raw"), image16, CHUNK);
    }

    /**
     * A namespace with eth0 on a veth pair created inside the bridge's namespace, its other end a port of br0; eth0 has
     * an IPv4 and a ULA IPv6 address (no duplicate detection, so it is usable at once).
     */
    private static void namespace(String name, String address, String address6) throws Exception {
        check("ip", "netns", "add", NS + "-" + name);
        CREATED.add(NS + "-" + name);
        String port = "v" + name + ProcessHandle.current().pid() % 100000;
        check("ip", "-n", NS + "-b", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns",
                NS + "-" + name);
        check("ip", "-n", NS + "-b", "link", "set", port, "master", "br0", "up");
        check("ip", "-n", NS + "-" + name, "link", "set", "lo", "up");
        check("ip", "-n", NS + "-" + name, "addr", "add", address + "/24", "brd", "+", "dev", "eth0");
        check("ip", "-n", NS + "-" + name, "-6", "addr", "add", address6 + "/64", "dev", "eth0", "nodad");
        check("ip", "-n", NS + "-" + name, "link", "set", "eth0", "up");
    }

    /** A disk of {@code mib} MiB: per 4 MiB, one of zeros (holes), one of text, two of random bytes; its SHA-256. */
    private static String raw(Path file, int mib, long seed) throws Exception {
        byte[] b = new byte[mib << 20];
        Random r = new Random(seed);
        byte[] line = ("OpenDPM multicast namespace test " + seed + "\n").getBytes(StandardCharsets.US_ASCII);
        for (int c = 0; c < mib; c++) {
            int at = c << 20;
            switch (c % 4) {
            case 0 -> {
                // zeros
            }
            case 1 -> {
                for (int i = 0; i < CHUNK; i++) {
                    b[at + i] = line[i % line.length];
                }
            }
            default -> {
                byte[] random = new byte[CHUNK];
                r.nextBytes(random);
                System.arraycopy(random, 0, b, at, CHUNK);
            }
            }
        }
        Files.write(file, b);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @After
    public void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = 1; i <= RECEIVERS; i++) {
            run("ip", "netns", "exec", NS + "-r" + i, "nft", "delete", "table", "inet", "loss");
        }
    }

    @AfterClass
    public static void deleteTestBed() throws Exception {
        for (String ns : CREATED) {
            // Deleting a namespace deletes the veth ends inside it, and with them the pairs and the bridge.
            run("ip", "netns", "del", ns);
        }
    }

    @Test
    public void eightReceiversRestoreOneImageAtOnceByteExact() throws Exception {
        Process sender = sender("s", image32, 0x1001, "239.255.26.1", RECEIVERS, 120_000_000L);
        List<Process> rs = new ArrayList<>();
        for (int i = 1; i <= RECEIVERS; i++) {
            rs.add(receiver(i, image32, 0x1001, "239.255.26.1"));
        }
        for (int i = 1; i <= RECEIVERS; i++) {
            assertRestored(i, rs.get(i - 1), sum32, 24);
        }
        // Each block once for all eight, plus repairs: well under once per receiver (2 cores shared by nine JVMs
        // overrun the receivers at times, so the repairs vary from run to run).
        assertThat(sent(sender)).as("DATA sent").isBetween(blocks32, RECEIVERS / 2 * blocks32);
    }

    @Test
    public void eightReceiversEachLosingFivePercentRestoreByteExact() throws Exception {
        for (int i = 1; i <= RECEIVERS; i++) {
            check("ip", "netns", "exec", NS + "-r" + i, "nft", "add", "table", "inet", "loss");
            check("ip", "netns", "exec", NS + "-r" + i, "nft", "add", "chain", "inet", "loss", "in",
                    "{ type filter hook input priority 0; }");
            check("ip", "netns", "exec", NS + "-r" + i, "nft", "add", "rule", "inet", "loss", "in", "meta",
                    "l4proto", "udp", "numgen", "random", "mod", "100", "<", "5", "drop");
        }
        Process sender = sender("s", image32, 0x1002, "239.255.26.2", RECEIVERS, 120_000_000L);
        List<Process> rs = new ArrayList<>();
        for (int i = 1; i <= RECEIVERS; i++) {
            rs.add(receiver(i, image32, 0x1002, "239.255.26.2"));
        }
        for (int i = 1; i <= RECEIVERS; i++) {
            assertRestored(i, rs.get(i - 1), sum32, 24);
        }
        assertThat(sent(sender)).as("DATA sent, with repairs").isGreaterThan(blocks32);
        String dropped = output("nft", "list", "table", "inet", "loss");
        assertThat(dropped).contains("drop");
    }

    @Test
    public void aReceiverStartedThreeSecondsLateFinishes() throws Exception {
        // 3 MB/s: the image (some 17 MB stored) takes about 6 s, so the late receiver joins in the middle.
        Process sender = sender("s", image32, 0x1003, "239.255.26.3", 2, 3_000_000L);
        Process first = receiver(1, image32, 0x1003, "239.255.26.3");
        Thread.sleep(3000);
        assertThat(first.isAlive()).as("the first receiver still busy when the late one starts").isTrue();
        Process late = receiver(2, image32, 0x1003, "239.255.26.3");
        assertRestored(1, first, sum32, 24);
        assertRestored(2, late, sum32, 24);
        sent(sender);
    }

    @Test
    public void twoSessionsOnOneGroupAndPortEachWriteOnlyTheirOwnImage() throws Exception {
        Process a = sender("s", image32, 0x2001, "239.255.26.4", RECEIVERS / 2, 60_000_000L);
        Process b = sender("s", image16, 0x2002, "239.255.26.4", RECEIVERS / 2, 60_000_000L);
        List<Process> rs = new ArrayList<>();
        for (int i = 1; i <= RECEIVERS; i++) {
            boolean first = i <= RECEIVERS / 2;
            rs.add(receiver(i, first ? image32 : image16, first ? 0x2001 : 0x2002, "239.255.26.4",
                    first ? i : i - RECEIVERS / 2));
        }
        for (int i = 1; i <= RECEIVERS; i++) {
            boolean first = i <= RECEIVERS / 2;
            Matcher m = assertRestored(i, rs.get(i - 1), first ? sum32 : sum16, first ? 24 : 12);
            assertThat(Long.parseLong(m.group(3))).as("receiver %d heard the other session's packets, dropped", i)
                    .isPositive();
        }
        sent(a);
        sent(b);
    }

    @Test
    public void threeReceiversRestoreFromAnIpv6GroupByteExact() throws Exception {
        // Site-local scope (ff15::/16), sent and joined on eth0 of each namespace.
        Process sender = sender("s", image16, 0x6001, "ff15::1a:1", 3, 60_000_000L);
        List<Process> rs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            rs.add(receiver(i, image16, 0x6001, "ff15::1a:1"));
        }
        for (int i = 1; i <= 3; i++) {
            assertRestored(i, rs.get(i - 1), sum16, 12);
        }
        assertThat(sent(sender)).as("DATA sent").isPositive();
    }

    /**
     * The real session (IMG-3, docs/multicast.md "Session lifecycle"): the server's agent link and session runtime
     * ({@code MulticastSessionServe}) in the sender's namespace, eight real agents ({@code org.opendpm.agent.Main},
     * a file for a disk) each in its own, the agent links over IPv4 and the session's group from an IPv6 pool
     * ({@code ff15::1b:0/112}; the data plane's IPv4 groups are the tests above, the whole session's IPv4 group is
     * {@code MulticastRestoreIT}'s). One agent is stopped by SIGSTOP once it has confirmed some chunks: after the
     * drop bound without progress the server drops it with the error naming the bound and its chunks, while the other
     * seven finish byte-exact. Continued, the agent is told it was dropped.
     */
    @Test
    public void anAgentStoppedLongerThanTheDropBoundIsDroppedWhileTheOtherSevenFinish_IMG3() throws Exception {
        int stopped = 3;
        Path root = TMP.getRoot().toPath();
        TestImage image = TestImage.write(root.resolve("session.img"), SESSION_CHUNKS);
        List<String> machines = new ArrayList<>();
        for (int i = 1; i <= RECEIVERS; i++) {
            machines.add("r" + i + "=" + String.format("02:00:00:00:99:%02x", i));
        }
        Path serverLog = TMP.newFile().toPath();
        logs.put("server", serverLog);
        Process server = new ProcessBuilder("ip", "netns", "exec", NS + "-s", java(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), "org.opendpm.transfer.internal.MulticastSessionServe",
                "--address", "10.99.0.1", "--iface", "eth0", "--pool", "ff15::1b:0/112", "--port", "26530", "--image",
                image.file().toString(), "--drop", Integer.toString(DROP_SECONDS), "--max-rate", "2000000",
                "--machines", String.join(",", machines)).redirectErrorStream(true).redirectOutput(serverLog.toFile())
                .start();
        processes.add(server);
        Matcher ready = await(serverLog, Pattern.compile("READY (\\d+) (\\S+)"), server);
        Map<Integer, Process> agents = new HashMap<>();
        for (int i = 1; i <= RECEIVERS; i++) {
            Path disk = root.resolve("agent-disk-" + i);
            byte[] junk = new byte[image.source().length];
            Arrays.fill(junk, (byte) 0x5a);
            Files.write(disk, junk);
            disks.put(i, disk);
            Path state = Files.createDirectories(root.resolve("agent-" + i));
            Path log = state.resolve("agent.log");
            logs.put("agent " + i, log);
            Process a = new ProcessBuilder("ip", "netns", "exec", NS + "-r" + i, java(), "-Xmx96m", "-cp",
                    System.getProperty("java.class.path"), "org.opendpm.agent.Main", "--server", "10.99.0.1:"
                            + ready.group(1),
                    "--server-fingerprint", ready.group(2), "--state", state.toString(),
                    "--mac", machines.get(i - 1).split("=")[1], "--name", "r" + i, "--test-disk", disk.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            processes.add(a);
            agents.put(i, a);
        }
        await(serverLog, Pattern.compile("progress r" + stopped + " [1-9]"), server);
        long pid = agents.get(stopped).pid(); // ip netns exec execs the JVM: the process is the agent itself
        check("kill", "-STOP", Long.toString(pid));
        long stoppedAt = System.nanoTime();
        // The signal reaches the JVM's threads one by one: the process shows as stopped (T) once all are.
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        while (!Files.readString(stat).matches("\\d+ \\(java\\) T .*\\s*")) {
            if (System.nanoTime() - stoppedAt > TimeUnit.SECONDS.toNanos(5)) {
                fail("the agent did not stop: " + Files.readString(stat));
            }
            Thread.sleep(10);
        }
        Matcher dropped = await(serverLog, Pattern.compile("dropped r" + stopped + " machine=(\\d+): (.*)"), server);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stoppedAt);
        // The bound runs from its last confirmed chunk, up to a second before it was stopped.
        assertThat(seconds).as("seconds stopped before the drop").isBetween(DROP_SECONDS - 2L, DROP_SECONDS + 5L);
        assertThat(dropped.group(2)).matches("no chunk confirmed for " + DROP_SECONDS + " s \\(\\d+ of "
                + SESSION_CHUNKS + " chunks written\\)");
        assertThat(Files.readString(serverLog)).as("the server's log names the member's machine").contains(
                "(machine " + dropped.group(1) + ") dropped: " + dropped.group(2));
        await(serverLog, Pattern.compile("^END$", Pattern.MULTILINE), server);
        String out = Files.readString(serverLog);
        for (int i = 1; i <= RECEIVERS; i++) {
            if (i == stopped) {
                assertThat(out).doesNotContain("done r" + i + " ");
                continue;
            }
            assertThat(out).as("agent %d done: %s", i, logs()).containsPattern("done r" + i + " chunks="
                    + SESSION_CHUNKS + " bytes=\\d+ mismatches=0");
            assertThat(Files.readAllBytes(disks.get(i))).as("agent %d's disk byte-exact", i).isEqualTo(image
                    .source());
        }
        assertThat(out).doesNotContain("failed r");
        assertThat(Files.readString(logs.get("agent 1"))).as("the session's group is IPv6").contains(
                "joined ff15:0:0:0:0:0:1b:0:26530 on eth0");
        check("kill", "-CONT", Long.toString(pid));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(logs.get("agent " + stopped)).contains("dropped by the server: " + dropped.group(
                2))) {
            if (System.nanoTime() > deadline) {
                fail("the continued agent was not told it was dropped: " + logs());
            }
            Thread.sleep(50);
        }
        assertThat(server.waitFor(20, TimeUnit.SECONDS)).as("the server ends").isTrue();
        assertThat(server.exitValue()).isZero();
    }

    /** Waits up to 60 s for {@code pattern} in {@code log} while {@code p} runs, and returns the match. */
    private Matcher await(Path log, Pattern pattern, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Matcher m = pattern.matcher(Files.readString(log));
            if (m.find()) {
                return m;
            }
            if (System.nanoTime() > deadline || !p.isAlive() && !pattern.matcher(Files.readString(log)).find()) {
                fail("waiting for '" + pattern + "': " + logs());
            }
            Thread.sleep(50);
        }
    }

    private Process sender(String ns, Path image, long session, String group, int members, long maxRate)
            throws Exception {
        Path log = TMP.newFile().toPath();
        logs.put("sender " + session, log);
        Process p = new ProcessBuilder("ip", "netns", "exec", NS + "-" + ns, java(), "-cp",
                System.getProperty("java.class.path"), MulticastSend.class.getName(), "send", "--image",
                image.toString(), "--session", Long.toString(session), "--group", group, "--port", "26530",
                "--iface", "eth0", "--members", Integer.toString(members), "--max-rate", Long.toString(maxRate))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        senderLogs.put(p, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains("READY")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                fail("the sender did not start: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return p;
    }

    private Process receiver(int i, Path image, long session, String group) throws Exception {
        return receiver(i, image, session, group, i);
    }

    private Process receiver(int i, Path image, long session, String group, long member) throws Exception {
        Path log = TMP.newFile().toPath();
        Path disk = TMP.getRoot().toPath().resolve("disk-" + session + "-" + i);
        logs.put("receiver " + i, log);
        disks.put(i, disk);
        Process p = new ProcessBuilder("ip", "netns", "exec", NS + "-r" + i, java(), "-Xmx128m", "-cp",
                System.getProperty("java.class.path"), MulticastReceive.class.getName(), "--image", image.toString(),
                "--session", Long.toString(session), "--member", Long.toString(member), "--group", group, "--port",
                "26530", "--iface", "eth0", "--disk", "1=" + disk, "--silence", "20")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** Waits for receiver {@code i}, checks its disk's SHA-256 and chunks written, and returns its summary line. */
    private Matcher assertRestored(int i, Process p, String sum, int chunksWithData) throws Exception {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            fail("receiver " + i + " did not finish in 60 s: " + logs());
        }
        String out = Files.readString(logs.get("receiver " + i));
        assertThat(p.exitValue()).as("receiver %d: %s", i, out).isZero();
        Matcher m = DONE.matcher(out);
        assertThat(m.find()).as("receiver %d's summary: %s", i, out).isTrue();
        assertThat(Long.parseLong(m.group(2))).as("bytes written from DATA").isEqualTo((long) chunksWithData * CHUNK);
        assertThat(Long.parseLong(m.group(5))).as("bad chunks").isZero();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(disks.get(i))) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0;) {
                sha.update(buf, 0, n);
            }
        }
        assertThat(HexFormat.of().formatHex(sha.digest())).as("receiver %d's disk byte-exact", i).isEqualTo(sum);
        return m;
    }

    /** Ends the sender (its standard input closes) and returns the DATA datagrams it sent. */
    private long sent(Process sender) throws Exception {
        sender.getOutputStream().close();
        if (!sender.waitFor(20, TimeUnit.SECONDS)) {
            fail("the sender did not stop: " + logs());
        }
        String log = Files.readString(senderLogs.get(sender));
        Matcher m = SENT.matcher(log);
        assertThat(m.find()).as("sender's summary: %s", logs()).isTrue();
        assertThat(log).contains("failure=null");
        return Long.parseLong(m.group(1));
    }

    private String logs() throws IOException {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Path> e : logs.entrySet()) {
            b.append("\n--- ").append(e.getKey()).append(":\n").append(Files.readString(e.getValue()));
        }
        return b.toString();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private String output(String... cmd) throws Exception {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", NS + "-r1"));
        c.addAll(List.of(cmd));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static void check(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static void requireTool(String binary, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return;
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return;
            }
        }
        missing("'" + binary + "' not found", debianPackage);
    }

    private static void missing(String what, String debianPackage) {
        String message = "MulticastNamespaceTest SKIPPED: " + what + ": install the Debian package " + debianPackage;
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("*** " + message + " ***");
        Assume.assumeTrue(message, false);
    }
}
