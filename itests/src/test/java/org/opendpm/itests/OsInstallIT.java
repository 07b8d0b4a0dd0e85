package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.opendpm.itests.QemuMachines.ok;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * OS clear installation end to end (OSI-1, OSI-2, OSI-4) with Debian's own installer: the distribution as an
 * administrator runs it, an operating system registered through REST (each broken naming rule refused first, nothing
 * stored), a scenario with an OS tab executed on a QEMU machine (TCG, SeaBIOS, iPXE over QEMU's user network). The
 * machine boots {@code debian-installer-12-netboot-amd64}'s kernel and initrd from our server, and debian-installer
 * fetches its per-machine preseed through the token URL on its kernel command line: the server's request log shows
 * the file served. Then the VM is stopped (a whole installation under TCG takes too long), a wrong token gets 404,
 * and the installer's last step is played by the test: its built call (from the preseed as served) ends the
 * execution COMPLETED and makes the local disk the next boot; the same call again is refused.
 *
 * <p>Needs qemu-system-x86, ipxe-qemu, apt-get and dpkg-deb (the installer is fetched with {@code apt-get download}
 * into {@code target/debian-installer}); with {@code CI=true} a missing one fails the test, elsewhere it is skipped
 * with a message.
 */
public class OsInstallIT {

    private static final String ADMIN_PASSWORD = "os install 2026";
    private static final String MAC = "52:54:00:05:1e:01";
    private static final String INSTALLER_PACKAGE = "debian-installer-12-netboot-amd64";
    private static final Pattern BUILT = Pattern.compile("wget -q -O /dev/null (http://\\S+/opendpm/os/built/"
            + "[A-Za-z0-9_-]{43})");

    private final QemuMachines machines = new QemuMachines();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process server;

    @After
    public void stopEverything() {
        machines.close();
        if (server != null) {
            Distribution.stop(server);
        }
    }

    @Test
    public void debiansInstallerFetchesItsPreseedThroughTheTokenUrlAndTheBuiltCallEndsTheExecution()
            throws Exception {
        if (!peers()) {
            return;
        }
        Path[] installer = installer();
        var unpacked = Distribution.unpack("os-install");
        Path home = unpacked.getKey();
        int httpPort = unpacked.getValue();
        Rest rest = new Rest(httpPort);
        Distribution.setKey(home.resolve("etc/org.opendpm.power.cfg"), "wakeOnLanAddress", "127.255.255.255");
        Files.writeString(home.resolve("etc/org.opendpm.netboot.http.cfg"), "advertisedAddress = 10.0.2.2\n");
        Path boot = Files.createDirectories(home.resolve("data/tftp/pxelinux/debian12"));
        Files.copy(installer[0], boot.resolve("linux"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(installer[1], boot.resolve("initrd.gz"), StandardCopyOption.REPLACE_EXISTING);

        server = Distribution.start(home, Map.of("OPENDPM_ADMIN_PASSWORD", ADMIN_PASSWORD));
        Distribution.awaitUp(rest, home);
        Rest.awaitMillis(60_000, () -> rest.get("plugins", "admin", ADMIN_PASSWORD).body().contains("os-linux"),
                "the os-linux scenario type installed");
        Rest.awaitMillis(30_000, () -> rest.get("operating-systems", "admin", ADMIN_PASSWORD).status() == 200,
                "the operating systems served");
        assertTrue("the shipped templates copied into etc/",
                Files.exists(home.resolve("etc/opendpm/templates/debian-12.ftl")));

        // OSI-1: each broken naming rule is a 400 naming the field, and nothing is stored.
        for (String bad : List.of("Linux", "ks", "pxelinux.cfg", "Debian 12", "Debian;12", "x".repeat(127))) {
            Rest.Response r = rest.send("POST", "operating-systems", os(bad), "admin", ADMIN_PASSWORD);
            assertEquals(bad + ": " + r.body(), 400, r.status());
            assertEquals(r.body(), "name", r.json().get("field").asText());
        }
        Rest.Response badType = rest.send("POST", "operating-systems", os("Debian-12").replace("debian-12",
                "debian-99"), "admin", ADMIN_PASSWORD);
        assertEquals(badType.body(), "type", badType.json().get("field").asText());
        assertEquals(0, ok(rest.get("operating-systems", "admin", ADMIN_PASSWORD), 200).size());
        long osId = ok(rest.send("POST", "operating-systems", os("Debian-12"), "admin", ADMIN_PASSWORD), 201)
                .get("id").asLong();
        assertEquals(409, rest.send("POST", "operating-systems", os("DEBIAN-12"), "admin", ADMIN_PASSWORD).status());
        assertEquals("debian-12", ok(rest.get("operating-systems/" + osId, "admin", ADMIN_PASSWORD), 200).get("type")
                .asText());

        String hash = ok(rest.send("POST", "operating-systems/password-hash", "{\"password\":\"root pw 2026\"}",
                "admin", ADMIN_PASSWORD), 200).get("hash").asText();
        assertTrue(hash, hash.startsWith("$6$"));
        long group = ok(rest.send("POST", "groups", "{\"path\":\"/Lab\"}", "admin", ADMIN_PASSWORD), 201).get("id")
                .asLong();
        long machine = ok(rest.send("POST", "machines", "{\"groupId\":" + group + ",\"name\":\"web01\",\"macs\":[\""
                + MAC + "\"]}", "admin", ADMIN_PASSWORD), 201).get("id").asLong();
        long scenarioGroup = ok(rest.send("POST", "scenario-groups", "{\"path\":\"/Installs\"}", "admin",
                ADMIN_PASSWORD), 201).get("id").asLong();
        // The tab refuses a clear-text password: only the hash is ever stored.
        Rest.Response clear = rest.send("POST", "scenarios", scenario(scenarioGroup, "root pw 2026"), "admin",
                ADMIN_PASSWORD);
        assertEquals(clear.body(), 400, clear.status());
        assertFalse(clear.body(), clear.body().contains("root pw 2026"));
        long scenario = ok(rest.send("POST", "scenarios", scenario(scenarioGroup, hash), "admin", ADMIN_PASSWORD),
                201).get("id").asLong();

        long execution = ok(rest.send("POST", "executions", "{\"machineIds\":[" + machine + "],\"scenarioId\":"
                + scenario + "}", "admin", ADMIN_PASSWORD), 201).get(0).get("id").asLong();
        Rest.awaitMillis(60_000, () -> "OS_INSTALLER".equals(rest.get("machines/" + machine + "/boot-intent",
                "admin", ADMIN_PASSWORD).json().get("intent").asText()), "the installer set as the next boot");
        JsonNode intent = rest.get("machines/" + machine + "/boot-intent", "admin", ADMIN_PASSWORD).json();
        assertEquals(intent.toString(), "pxelinux/debian12/linux", intent.get("kernel").asText());
        String arguments = intent.get("bootArguments").asText();
        Matcher url = Pattern.compile("^auto=true priority=critical url=(http://10\\.0\\.2\\.2:" + httpPort
                + "/opendpm/boot/published/[A-Za-z0-9_-]{43}/preseed\\.cfg) interface=auto$").matcher(arguments);
        assertTrue(arguments, url.matches());
        String preseedUrl = url.group(1).replace("10.0.2.2", "127.0.0.1");

        // The machine: SeaBIOS, iPXE over QEMU's user network, the installer's kernel and initrd from our server.
        Path log = home.resolve("data/log/karaf.log");
        Path console = home.resolve("machine-console.log");
        Path disk = QemuMachines.blank(home.resolve("disk.raw"), 2L << 30);
        long started = System.nanoTime();
        Process vm = machines.qemu(installerMachine(home, httpPort, disk), console);
        Rest.awaitMillis(200_000, () -> QemuMachines.read(log).contains("served published file preseed.cfg"),
                "debian-installer fetching its preseed (" + log + ", VM " + (vm.isAlive() ? "running" : "exited")
                        + ")");
        System.err.printf("OsInstallIT: preseed fetched %.0f s after power-on%n", (System.nanoTime() - started) / 1e9);
        vm.destroyForcibly();
        assertTrue("the one-shot installer boot was used", intentGone(rest, machine));
        String token = preseedUrl.replaceAll("^.*/published/([A-Za-z0-9_-]{43})/.*$", "$1");
        assertFalse("no token in the log", QemuMachines.read(log).contains(token));

        // What was served is the machine's own answer file.
        HttpResponse<String> preseed = get(preseedUrl);
        assertEquals(200, preseed.statusCode());
        String answer = preseed.body();
        assertTrue(answer, answer.contains("d-i netcfg/get_hostname string web01"));
        assertTrue(answer, answer.contains("d-i partman-auto/disk string /dev/vda"));
        assertTrue(answer, answer.contains("d-i passwd/root-password-crypted password " + hash));

        // A wrong token: 404, and the server says so without the token.
        String forged = preseedUrl.replaceAll("/published/[A-Za-z0-9_-]{43}/", "/published/" + "A".repeat(43) + "/");
        assertEquals(404, get(forged).statusCode());
        assertTrue(QemuMachines.read(log).contains("a published file asked for with an unknown or expired token"));
        assertEquals(404, get("http://127.0.0.1:" + httpPort + "/opendpm/os/built/" + "B".repeat(43)).statusCode());
        assertTrue(QemuMachines.read(log).contains("a built call with an unknown or used token refused"));
        assertEquals("RUNNING", ok(rest.get("executions/" + execution, "admin", ADMIN_PASSWORD), 200).get("state")
                .asText());

        // The installer's last step: its built call ends the execution and the local disk becomes the next boot.
        Matcher built = BUILT.matcher(answer);
        assertTrue(answer, built.find());
        String builtUrl = built.group(1).replace("10.0.2.2", "127.0.0.1");
        assertEquals(200, get(builtUrl).statusCode());
        QemuMachines.awaitResult(rest, "admin", ADMIN_PASSWORD, machine, execution, "COMPLETED", null, console, home,
                60);
        JsonNode next = rest.get("machines/" + machine + "/boot-intent", "admin", ADMIN_PASSWORD).json();
        assertEquals(next.toString(), "LOCAL_DISK", next.get("intent").asText());
        assertEquals("used once", 404, get(builtUrl).statusCode());
        assertEquals("withdrawn with the execution", 404, get(preseedUrl).statusCode());
    }

    /**
     * The machine for the installer: 1 GiB (with less debian-installer stops in low-memory mode and asks), virtio-net
     * (iPXE loads the 40 MB initrd over it about twice as fast as over e1000 under TCG), and iPXE's first script from
     * QEMU's TFTP by a plain name: debian-installer takes a DHCP boot file name that is an http URL for its preseed
     * URL, over the one on its command line.
     */
    private static List<String> installerMachine(Path home, int httpPort, Path disk) throws IOException {
        Path tftp = Files.createDirectories(home.resolve("qemu-tftp"));
        Files.writeString(tftp.resolve("chain.ipxe"), "#!ipxe\nchain " + QemuMachines.bootFile(httpPort) + "\n");
        return List.of("-m", "1024", "-boot", "n", "-netdev", "user,id=n0,tftp=" + tftp + ",bootfile=chain.ipxe",
                "-device", "virtio-net-pci,netdev=n0,mac=" + MAC, "-drive", "file=" + disk + ",if=virtio,format=raw");
    }

    private static boolean intentGone(Rest rest, long machine) {
        return !"OS_INSTALLER".equals(rest.get("machines/" + machine + "/boot-intent", "admin", ADMIN_PASSWORD)
                .json().get("intent").asText());
    }

    private static String os(String name) {
        return "{\"name\":\"" + name + "\",\"type\":\"debian-12\",\"kernel\":\"pxelinux/debian12/linux\","
                + "\"initrd\":\"pxelinux/debian12/initrd.gz\",\"source\":\"debian12\"}";
    }

    private static String scenario(long group, String hash) {
        return "{\"name\":\"Debian web\",\"groupId\":" + group + ",\"tabs\":{\"os-linux\":{\"operatingSystem\":"
                + "\"Debian-12\",\"disk\":\"vda\",\"rootPasswordHash\":\"" + hash.replace("\\", "\\\\") + "\"}}}";
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** True when QEMU, its iPXE ROM and Debian's package tools are here; CI=true fails without them. */
    private static boolean peers() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("qemu-system-x86_64", "apt-get", "dpkg-deb")) {
            if (QemuMachines.tool(tool) == null) {
                missing.add(tool);
            }
        }
        if (!Files.exists(Path.of("/usr/lib/ipxe/qemu/pxe-virtio.rom"))) {
            missing.add("ipxe-qemu");
        }
        if (missing.isEmpty()) {
            return true;
        }
        String message = "OsInstallIT needs " + missing;
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("SKIPPED: " + message);
        return false;
    }

    /**
     * Debian's netboot installer (kernel, initrd) from {@value #INSTALLER_PACKAGE}, fetched with apt-get download
     * (which checks it against the signed index) into target/debian-installer once, unpacked with dpkg-deb.
     */
    private static Path[] installer() throws Exception {
        Path cache = Files.createDirectories(Path.of("target", "debian-installer").toAbsolutePath());
        Path unpacked = cache.resolve("root");
        Path images = unpacked.resolve("usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64");
        if (!Files.exists(images.resolve("initrd.gz"))) {
            Path deb = deb(cache);
            if (deb == null) {
                List<String> download = new ArrayList<>(List.of("apt-get", "-q"));
                if ("root".equals(System.getProperty("user.name"))) {
                    // As root apt downloads as _apt, who may not be able to write the cache folder.
                    download.addAll(List.of("-o", "APT::Sandbox::User=root"));
                }
                download.addAll(List.of("download", INSTALLER_PACKAGE));
                Process p = new ProcessBuilder(download).directory(cache.toFile()).inheritIO().start();
                if (p.waitFor() != 0) {
                    fail("apt-get download " + INSTALLER_PACKAGE + " failed (a Debian bookworm apt source and"
                            + " apt-get update are needed)");
                }
                deb = deb(cache);
            }
            Distribution.run(List.of("dpkg-deb", "-x", deb.toString(), unpacked.toString()));
        }
        return new Path[]{ images.resolve("linux"), images.resolve("initrd.gz") };
    }

    private static Path deb(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.getFileName().toString().startsWith(INSTALLER_PACKAGE + "_")
                    && f.getFileName().toString().endsWith(".deb")).findFirst().orElse(null);
        }
    }
}
