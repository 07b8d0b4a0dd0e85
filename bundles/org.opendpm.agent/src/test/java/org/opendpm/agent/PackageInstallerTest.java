package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.agent.protocol.Message.PackageInstall;

/**
 * The agent's installers (PKG-2) on real tools: a {@code .deb} built here with {@code dpkg-deb --build} is installed
 * by {@code dpkg} into a throw-away root (the host's package database is never touched), a script package runs in
 * its folder, and what must be refused is. dpkg and dpkg-deb missing fail the test under CI (CI=true) and skip it
 * loudly elsewhere.
 */
public class PackageInstallerTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Path state;
    private Path root;
    private PackageInstaller installer;

    @Before
    public void setUp() throws IOException {
        state = tmp.newFolder("state").toPath();
        root = tmp.newFolder("root").toPath();
        installer = new PackageInstaller(state, root, StandardCharsets.UTF_8);
    }

    static void requireDpkg() {
        for (String tool : List.of("dpkg", "dpkg-deb")) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
            }
            if (!found) {
                String message = "PackageInstallerTest needs " + tool + " (Debian package dpkg)";
                if ("true".equals(System.getenv("CI"))) {
                    fail(message + ": install it (.ci/run does)");
                }
                System.err.println("SKIPPED: " + message + " is not installed");
                Assume.assumeTrue(message, false);
            }
        }
    }

    /** A {@code .deb} without maintainer scripts that installs one file, built with {@code dpkg-deb --build}. */
    static Path buildDeb(Path work, String name, String version, String file, String content)
            throws IOException, InterruptedException {
        Path tree = work.resolve(name + "-tree");
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: " + name + "\nVersion: " + version
                + "\nArchitecture: all\nMaintainer: OpenDPM tests <tests@opendpm.invalid>\nDescription: test\n");
        Path target = tree.resolve(file.substring(1));
        Files.createDirectories(target.getParent());
        Files.writeString(target, content);
        Path deb = work.resolve(name + "_" + version + "_all.deb");
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "--build", tree.toString(), deb.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("dpkg-deb: " + out).isTrue();
        return deb;
    }

    /** An empty dpkg database in a throw-away root, as {@code dpkg --root} needs it. */
    static void emptyDpkgRoot(Path root) throws IOException {
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
    }

    private Path stageWith(Path... files) throws IOException {
        Path folder = installer.stage("test");
        for (Path f : files) {
            Files.copy(f, folder.resolve(f.getFileName()));
        }
        return folder;
    }

    @Test
    public void aDebIsInstalledByDpkgIntoTheRootAndItsFolderRemoved() throws Exception {
        requireDpkg();
        emptyDpkgRoot(root);
        Path deb = buildDeb(tmp.getRoot().toPath(), "hello-odpm", "1.0", "/opt/hello/hello.txt", "hello\n");
        Path folder = stageWith(deb);
        assertThat(folder.getParent()).isEqualTo(state.resolve("packages").toRealPath());

        PackageInstaller.Result r = installer.install(new PackageInstall(1, folder.toString(), PackageInstall.DEB,
                List.of(deb.getFileName().toString()), Optional.empty(), 60), h -> {
                });

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Setting up hello-odpm (1.0)");
        assertThat(root.resolve("opt/hello/hello.txt")).hasContent("hello");
        assertThat(Files.readString(root.resolve("var/lib/dpkg/status")))
                .contains("Package: hello-odpm\nStatus: install ok installed");
        assertThat(folder).doesNotExist();
    }

    @Test
    public void aFailingScriptGivesItsExitCodeAndTheTailOfItsOutput() throws Exception {
        Path script = tmp.newFile("install.sh").toPath();
        // 10,000 bytes of noise, then the line the administrator needs: only the last 4 KiB come back.
        Files.writeString(script, "head -c 10000 /dev/zero | tr '\\\\0' x\necho\necho 'disk full' >&2\nexit 3\n");
        Path folder = stageWith(script);

        PackageInstaller.Result r = installer.install(new PackageInstall(2, folder.toString(),
                PackageInstall.SCRIPT, List.of("install.sh"), Optional.of("sh install.sh"), 60), h -> {
                });

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.output()).endsWith("disk full\n").hasSizeLessThanOrEqualTo(4096);
        assertThat(folder).doesNotExist();
    }

    @Test
    public void aScriptRunsInItsFolderWithItsFiles() throws Exception {
        Path script = tmp.newFile("install.sh").toPath();
        Path data = tmp.newFile("payload.txt").toPath();
        Files.writeString(data, "payload\n");
        Path out = tmp.getRoot().toPath().resolve("installed.txt");
        Files.writeString(script, "cp payload.txt '" + out + "'\n");
        Path folder = stageWith(script, data);

        PackageInstaller.Result r = installer.install(new PackageInstall(3, folder.toString(),
                PackageInstall.SCRIPT, List.of("install.sh", "payload.txt"), Optional.of("sh install.sh"), 60), h -> {
                });

        assertThat(r.exitCode()).isZero();
        assertThat(out).hasContent("payload");
    }

    @Test
    public void anInstallerPastItsTimeOutIsKilled() throws Exception {
        Path script = tmp.newFile("install.sh").toPath();
        Files.writeString(script, "echo started\nsleep 30\n");
        Path folder = stageWith(script);
        long begin = System.nanoTime();

        PackageInstaller.Result r = installer.install(new PackageInstall(4, folder.toString(),
                PackageInstall.SCRIPT, List.of("install.sh"), Optional.of("sh install.sh"), 1), h -> {
                });

        assertThat(r.exitCode()).isEqualTo(PackageInstaller.KILLED);
        assertThat(r.output()).contains("started");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin)).isLessThan(15);
    }

    @Test
    public void aFolderTheAgentDidNotStageIsRefused() throws Exception {
        Path elsewhere = tmp.newFolder("elsewhere").toPath();
        Files.writeString(elsewhere.resolve("a.deb"), "x");
        assertThatThrownBy(() -> installer.install(new PackageInstall(5, elsewhere.toString(), PackageInstall.DEB,
                List.of("a.deb"), Optional.empty(), 60), h -> {
                })).isInstanceOf(PackageInstaller.Refused.class)
                .hasMessageContaining("is not a package folder this agent staged");
        assertThat(elsewhere.resolve("a.deb")).as("nothing outside its own folders is removed").exists();
    }

    @Test
    public void fileNamesMustBePlainSentFilesOfTheInstallersKind() throws Exception {
        Path folder = installer.stage("test");
        Files.writeString(folder.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> installer.install(new PackageInstall(6, folder.toString(), PackageInstall.DEB,
                List.of("../../etc/passwd"), Optional.empty(), 60), h -> {
                })).isInstanceOf(PackageInstaller.Refused.class).hasMessageContaining("not a plain file name");
        Path again = installer.stage("test");
        assertThatThrownBy(() -> installer.install(new PackageInstall(7, again.toString(), PackageInstall.DEB,
                List.of("missing.deb"), Optional.empty(), 60), h -> {
                })).isInstanceOf(PackageInstaller.Refused.class).hasMessageContaining("was not sent");
        Path third = installer.stage("test");
        Files.writeString(third.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> installer.install(new PackageInstall(8, third.toString(), PackageInstall.DEB,
                List.of("notes.txt"), Optional.empty(), 60), h -> {
                })).isInstanceOf(PackageInstaller.Refused.class).hasMessageContaining("is not a .deb file");
    }

    @Test
    public void rpmMissingIsAClearError() throws Exception {
        boolean rpm = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            rpm |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, "rpm"));
        }
        Assume.assumeFalse("rpm is installed here: its absence cannot be shown", rpm);
        Path folder = installer.stage("test");
        Files.writeString(folder.resolve("a.rpm"), "x");
        assertThatThrownBy(() -> installer.install(new PackageInstall(9, folder.toString(), PackageInstall.RPM,
                List.of("a.rpm"), Optional.empty(), 60), h -> {
                })).isInstanceOf(PackageInstaller.Refused.class)
                .hasMessage("rpm is not installed on this machine (not found on PATH): it cannot install .rpm"
                        + " packages");
    }
}
