package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.PackageInstallRequest;
import org.opendpm.api.agent.PackageInstallRequest.Installer;
import org.opendpm.api.agent.PackageInstallResult;
import org.opendpm.api.inventory.Machine;

/**
 * Package installs (PKG-2) from the real link to the real agent ({@code org.opendpm.agent.Main}, a separate JVM) over
 * TLS on 127.0.0.1: a {@code .deb} built here with {@code dpkg-deb --build} reaches the agent's folder for it and is
 * installed by {@code dpkg} into the agent's throw-away root ({@code --root}); a script that exits 1 comes back with
 * its exit code and output; cancelling kills the installer. dpkg missing fails the test under CI (CI=true) and skips
 * it loudly elsewhere.
 */
public class RealAgentPackageTest {

    // One agent for the class: starting a JVM takes seconds.
    private static LinkFixture f;
    private static Process agent;
    private static Path work;
    private static Path root;
    private static Machine machine;

    @BeforeClass
    public static void start() throws Exception {
        f = new LinkFixture();
        work = Files.createTempDirectory("real-agent-package");
        root = Files.createDirectories(work.resolve("root"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        String mac = LinkFixture.mac(0x931);
        machine = f.machine("pkg-agent", mac);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        agent = new ProcessBuilder(java, "-Xmx96m", "-cp", System.getProperty("java.class.path"),
                "org.opendpm.agent.Main", "--server", "127.0.0.1:" + f.address().getPort(), "--server-fingerprint",
                f.fingerprint(), "--state", work.resolve("state").toString(), "--mac", mac, "--name", "pkg-agent",
                "--root", root.toString()).redirectErrorStream(true).redirectOutput(work.resolve("agent.log")
                        .toFile())
                .start();
        LinkFixture.await("the agent connected (log: " + work.resolve("agent.log") + ")", Duration.ofSeconds(30),
                () -> f.link.agent(machine.id()).isPresent());
    }

    @AfterClass
    public static void stop() throws Exception {
        if (agent != null) {
            agent.descendants().forEach(ProcessHandle::destroyForcibly);
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        f.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void requireDpkg() {
        for (String tool : List.of("dpkg", "dpkg-deb")) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
            }
            if (!found) {
                String message = "RealAgentPackageTest needs " + tool + " (Debian package dpkg)";
                if ("true".equals(System.getenv("CI"))) {
                    fail(message + ": install it (.ci/run does)");
                }
                System.err.println("SKIPPED: " + message + " is not installed");
                Assume.assumeTrue(message, false);
            }
        }
    }

    private static Path buildDeb(String name, String file) throws Exception {
        Path tree = work.resolve(name + "-tree");
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: " + name + "\nVersion: 1.0\nArchitecture: all\n"
                + "Maintainer: OpenDPM tests <tests@opendpm.invalid>\nDescription: test\n");
        Path target = tree.resolve(file);
        Files.createDirectories(target.getParent());
        Files.writeString(target, name + "\n");
        Path deb = work.resolve(name + "_1.0_all.deb");
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "--build", tree.toString(), deb.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("dpkg-deb: " + out).isTrue();
        return deb;
    }

    @Test
    public void aDebIsSentAndInstalledIntoTheAgentsRoot_PKG2() throws Exception {
        requireDpkg();
        Path deb = buildDeb("odpm-hello", "opt/odpm/hello.txt");

        PackageInstallResult r = f.link.installPackage(machine.id(), new PackageInstallRequest("odpm-hello",
                Installer.DEB, List.of(deb), Optional.empty(), Duration.ofMinutes(1))).toCompletableFuture()
                .get(60, TimeUnit.SECONDS);

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Setting up odpm-hello (1.0)");
        assertThat(root.resolve("opt/odpm/hello.txt")).hasContent("odpm-hello");
        assertThat(Files.readString(root.resolve("var/lib/dpkg/status"))).contains("Package: odpm-hello");
        LinkFixture.await("the agent removed the package's folder", Duration.ofSeconds(20), () -> {
            try (var left = Files.list(work.resolve("state/packages"))) {
                return left.findAny().isEmpty();
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    @Test
    public void aScriptThatExits1ComesBackWithItsOutput_PKG2() throws Exception {
        Path script = work.resolve("install.sh");
        Files.writeString(script, "echo 'checking prerequisites'\necho 'missing library libfoo' >&2\nexit 1\n");

        PackageInstallResult r = f.link.installPackage(machine.id(), new PackageInstallRequest("broken",
                Installer.SCRIPT, List.of(script), Optional.of("sh install.sh"), Duration.ofMinutes(1)))
                .toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).isEqualTo("checking prerequisites\nmissing library libfoo\n");
    }

    @Test
    public void aDebPackageOfAnotherKindIsRefusedByTheAgent() throws Exception {
        Path notDeb = work.resolve("readme.txt");
        Files.writeString(notDeb, "x");
        assertThatThrownBy(() -> f.link.installPackage(machine.id(), new PackageInstallRequest("odd",
                Installer.DEB, List.of(notDeb), Optional.empty(), Duration.ofMinutes(1))).toCompletableFuture()
                .get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(AgentRequestException.class).hasMessageContaining("is not a .deb file");
    }

    @Test
    public void cancellingKillsTheInstaller() throws Exception {
        Path script = work.resolve("slow.sh");
        Path started = work.resolve("started");
        Files.writeString(script, "touch '" + started + "'\nsleep 600\n");
        CompletableFuture<PackageInstallResult> run = f.link.installPackage(machine.id(), new PackageInstallRequest(
                "slow", Installer.SCRIPT, List.of(script), Optional.of("sh slow.sh"), Duration.ofHours(1)))
                .toCompletableFuture();
        LinkFixture.await("the installer started", Duration.ofSeconds(30), () -> Files.exists(started));
        assertThat(run.cancel(true)).isTrue();
        LinkFixture.await("the agent killed the installer", Duration.ofSeconds(20), () -> {
            try {
                return Files.readString(work.resolve("agent.log")).contains("Killing installer");
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }
}
